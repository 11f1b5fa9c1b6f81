//! Enter on a check: its evidence (value, when, from where, the query and the
//! condition, why) and what to do about it (runbook).

use crate::engine::Status;
use crate::tui::app::App;
use crate::tui::panels::age;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App, check: usize, now: DateTime<Utc>) {
    let t = &app.theme;
    let Some(c) = app.pb.checks.get(check) else {
        return;
    };
    let spec = &c.spec;
    let verdict = app.verdicts.get(check);
    let status = verdict.map_or(Status::Unknown, |v| v.status);
    let ev = verdict.map(|v| &v.evidence);
    let field = |name: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<12}"), style::bold(style::muted(t))),
            Span::styled(value, style::text(t)),
        ])
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} {} ", status.symbol(), status.word()),
                style::bold(style::status(t, status)),
            ),
            Span::styled(spec.title().to_string(), style::bold(style::text(t))),
            Span::styled(format!("  ({})", spec.id), style::muted(t)),
        ]),
        Line::raw(""),
        field(
            "value",
            ev.and_then(|e| e.value.clone())
                .unwrap_or_else(|| "—".into()),
        ),
        field(
            "observed at",
            match ev.and_then(|e| e.observed_at) {
                Some(at) => format!("{} ({} ago)", style::clock(at), age(Some(at), now)),
                None => "never".into(),
            },
        ),
        field(
            "source",
            match ev.and_then(|e| e.origin.clone()) {
                Some(o) => format!("{} — {o}", spec.source),
                None => spec.source.clone(),
            },
        ),
    ];
    if let Some(q) = &spec.query {
        lines.push(field("query", q.clone()));
    }
    lines.push(field("pass when", spec.pass.clone()));
    if let Some(w) = &spec.warn {
        lines.push(field("warn when", w.clone()));
    }
    if let Some(decided) = ev.map(|e| &e.condition).filter(|c| **c != spec.pass) {
        lines.push(field("decided by", decided.clone()));
    }
    if let Some(m) = spec.max_age {
        lines.push(field("max age", m.to_string()));
    }
    lines.push(field(
        "why",
        ev.map(|e| e.reason.clone())
            .unwrap_or_else(|| "not evaluated yet".into()),
    ));
    // The first few elements that made a list condition false (a line each,
    // at most three here; the report lists them all).
    let culprits = ev.map(|e| e.culprits.as_slice()).unwrap_or_default();
    for (i, culprit) in culprits.iter().take(3).enumerate() {
        let more = match (i, culprits.len()) {
            (2, n) if n > 3 => format!(" (+{} more)", n - 3),
            _ => String::new(),
        };
        lines.push(field(
            if i == 0 { "culprits" } else { "" },
            format!("{culprit}{more}"),
        ));
    }
    // A failed command's last stderr lines (two here; reports keep ten).
    if let Some(stderr) = ev.and_then(|e| e.stderr.as_deref()) {
        let tail: Vec<&str> = stderr.lines().collect();
        for (i, line) in tail[tail.len().saturating_sub(2)..].iter().enumerate() {
            lines.push(field(if i == 0 { "stderr" } else { "" }, line.to_string()));
        }
    }
    let kind = match (spec.blocker, spec.required) {
        (true, _) => "blocker: a hard NO-GO while not PASS",
        (false, true) => "required: holds the gate while not PASS",
        (false, false) => "optional: shown, never holds the gate",
    };
    lines.push(field("counts as", kind.into()));
    let runbook: Vec<String> = spec
        .runbook
        .iter()
        .cloned()
        .chain(
            app.pb
                .playbook
                .runbook
                .iter()
                .filter(|r| r.checks.contains(&spec.id))
                .map(|r| format!("{} → {}", r.symptom, r.action)),
        )
        .collect();
    if !runbook.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("runbook", style::bold(style::accent(t))));
        lines.extend(
            runbook
                .into_iter()
                .map(|r| Line::styled(format!("  {r}"), style::text(t))),
        );
    }
    let rect = super::centered(
        area,
        100.min(area.width.saturating_sub(4).max(20)),
        lines.len() as u16 + 4,
    );
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(style::status(t, status))
        .title(Line::styled(
            " Evidence · Esc closes ",
            style::bold(style::accent(t)),
        ));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::culprits::Culprit;
    use crate::tui::layout::Layout;
    use crate::tui::theme::Theme;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    #[test]
    fn culprits_and_the_stderr_tail_are_shown() {
        let now: DateTime<Utc> = "2026-11-21T12:00:00Z".parse().unwrap();
        let pb =
            crate::playbook::load(std::path::Path::new("tests/fixtures/cockpit.toml")).unwrap();
        let mut app = App::new(
            pb,
            Theme::load("dark").unwrap(),
            Layout::load("commander").unwrap(),
            now,
        );
        let culprit = |element: &str| Culprit {
            over: "items".into(),
            element: Some(element.into()),
            detail: Some("c.state.waiting.reason = \"CrashLoopBackOff\"".into()),
        };
        let v = &mut std::sync::Arc::make_mut(&mut app.verdicts)[0];
        v.status = Status::Fail;
        v.evidence.culprits = (1..=5).map(|i| culprit(&format!("prod/api-{i}"))).collect();
        v.evidence.stderr = Some("line one\nline two\nconnection refused".into());
        let mut term = Terminal::new(TestBackend::new(160, 50)).unwrap();
        term.draw(|f| render(f, f.area(), &app, 0, now)).unwrap();
        let screen: String = term
            .backend()
            .buffer()
            .content()
            .chunks(160)
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
            .collect();
        assert!(
            screen.contains("culprits    items: prod/api-1 (c.state.waiting.reason"),
            "{screen}"
        );
        assert!(screen.contains("items: prod/api-3"), "{screen}");
        assert!(screen.contains("(+2 more)"), "{screen}");
        assert!(!screen.contains("prod/api-4"), "{screen}");
        assert!(screen.contains("stderr      line two"), "{screen}");
        assert!(screen.contains("connection refused"), "{screen}");
        assert!(!screen.contains("line one"), "two lines only: {screen}");
    }
}
