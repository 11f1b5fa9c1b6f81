//! Questions before acts that matter: entering a stage (or why it cannot be
//! entered, before anything runs), stepping back, firing a rollback target,
//! quitting while the ramp carries traffic. `y` is yes, never Enter; a
//! stage at 100% wants its name typed (`app/confirm.rs`).

use crate::tui::app::{App, Confirm};
use crate::tui::panels::ramp::stage_label;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn question(app: &App, q: Confirm, now: DateTime<Utc>) -> (String, Vec<String>, bool) {
    let stage_name = |i: usize| {
        app.pb
            .playbook
            .ramp
            .as_ref()
            .and_then(|r| r.stages.get(i))
            .map_or(format!("#{i}"), |s| stage_label(&s.name, s.percent))
    };
    match q {
        Confirm::Quit => (
            "Quit while the ramp runs?".into(),
            vec![format!(
                "The ramp stays at {}: nobody in this terminal will watch it.",
                app.release
                    .stage
                    .as_ref()
                    .map_or(String::new(), |s| stage_label(&s.name, s.percent))
            )],
            true,
        ),
        Confirm::EnterStage(i) => {
            let name = stage_name(i);
            match app.enter_refusal(i, now) {
                // Refused before anything runs: say exactly what holds it.
                Some(refusal) => {
                    let mut why = Vec::new();
                    let checks = refusal.checks();
                    if !checks.is_empty() {
                        why.push(format!("Checks holding it: {}.", checks.join(", ")));
                    }
                    let roles = refusal.roles();
                    if !roles.is_empty() {
                        why.push(format!("Roles without a valid ACK: {}.", roles.join(", ")));
                    }
                    why.extend(refusal.reasons.iter().map(|r| format!("· {r}")));
                    // Only the hold stands in the way: it may be overridden, with a justification.
                    let overridable = refusal.reasons.iter().all(crate::ramp::Reason::overridable);
                    if overridable {
                        why.push("y overrides the hold: it asks a justification and journals the override.".into());
                    }
                    (format!("Cannot enter stage {name}"), why, overridable)
                }
                None => {
                    let mut why = vec![format!(
                        "The gate is {}: the stage's set action runs, then its readback must prove the share.",
                        app.gate.decision.word()
                    )];
                    if let Some(s) = app
                        .pb
                        .playbook
                        .ramp
                        .as_ref()
                        .and_then(|r| r.stages.get(i))
                        .filter(|s| !s.acks.is_empty())
                    {
                        why.push(format!("The ACKs it needs are held: {}.", s.acks.join(", ")));
                    }
                    (format!("Enter stage {name}?"), why, true)
                }
            }
        }
        Confirm::StepBack(i) => (
            format!("Step back to stage {}?", stage_name(i)),
            vec!["Its set action runs and its readback must prove the share; no GO or ACK is needed to step back.".into()],
            true,
        ),
        Confirm::Rollback(i) => {
            let r = app.pb.playbook.rollbacks.get(i);
            let name = r.map_or(format!("#{i}"), |r| r.title.clone().unwrap_or(r.id.clone()));
            let actions = r.map_or(0, |r| r.actions.len());
            (
                format!("Fire rollback {name}?"),
                vec![format!(
                    "{actions} action(s) run at once, then its readback must prove it. The full kill switch stays K K."
                )],
                true,
            )
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, q: Confirm, now: DateTime<Utc>) {
    let t = &app.theme;
    let (title, why, askable) = question(app, q, now);
    let mut lines = vec![
        Line::styled(title, style::bold(style::text(t))),
        Line::raw(""),
    ];
    lines.extend(why.into_iter().map(|w| Line::styled(w, style::text(t))));
    lines.push(Line::raw(""));
    match app.typed_answer(q, now) {
        // All the traffic: the stage's name typed out, not a key that a
        // stray press could give.
        Some(name) => {
            lines.push(Line::styled(
                format!("Type the stage's name, {name}, then Enter.    Esc: no"),
                style::bold(style::accent(t)),
            ));
            let mut typed = vec![ratatui::text::Span::styled("> ", style::accent(t))];
            typed.extend(app.confirm_typed.spans(t, true));
            lines.push(Line::from(typed));
        }
        None => lines.push(Line::styled(
            if askable {
                "y: yes    n / Esc: no    (Enter is not yes)"
            } else {
                "Esc closes"
            },
            style::bold(style::accent(t)),
        )),
    }
    let w = 76u16.min(area.width);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let rows = super::form::rows(&lines, inner_w);
    let rect = super::centered(area, w, rows as u16 + 2);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(style::bold(style::fg(t, t.warn)))
        .title(Line::styled(
            if askable { " Confirm " } else { " Refused " },
            style::bold(style::fg(t, t.warn)),
        ));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        rect,
    );
}
