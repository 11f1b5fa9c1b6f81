//! The checklist: sections with their checks: verdict symbol + colour, title,
//! value, age. The selected row is marked `▶`; Enter opens its evidence.

use super::{age, fit, scroll};
use crate::engine::Status;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// One screen line of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A section header (index into `App::sections`).
    Section(usize),
    /// A check (index into the playbook's checks).
    Check(usize),
}

pub fn entries(app: &App) -> Vec<Entry> {
    let mut out = Vec::new();
    for (s, (_, checks)) in app.sections().iter().enumerate() {
        out.push(Entry::Section(s));
        out.extend(checks.iter().map(|c| Entry::Check(*c)));
    }
    out
}

/// The first visible entry so that the selected check shows.
fn offset(entries: &[Entry], selected: usize, height: u16) -> usize {
    let line = entries
        .iter()
        .position(|e| *e == Entry::Check(selected))
        .unwrap_or(0);
    scroll(line, height)
}

/// The check on line `line` of the panel's inside, for mouse clicks.
pub fn row_at(app: &App, inside: Rect, line: usize) -> Option<usize> {
    let entries = entries(app);
    let first = offset(&entries, app.row(PanelKind::Checklist), inside.height);
    match entries.get(first + line)? {
        Entry::Check(i) => Some(*i),
        Entry::Section(_) => None,
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let inner = super::frame(f, area, app, PanelKind::Checklist);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    if app.pb.checks.is_empty() {
        f.render_widget(
            Paragraph::new("no checks in this playbook").style(style::muted(t)),
            inner,
        );
        return;
    }
    let entries = entries(app);
    let selected = app.row(PanelKind::Checklist);
    let focused = app.focus == PanelKind::Checklist && app.overlay.is_none();
    let sections = app.sections();
    let width = inner.width as usize;
    let value_w = value_width(app, width);
    let first = offset(&entries, selected, inner.height);
    let lines: Vec<Line> = entries
        .iter()
        .skip(first)
        .take(inner.height as usize)
        .map(|e| match e {
            Entry::Section(s) => Line::styled(
                fit(sections.get(*s).map_or("", |x| x.0), width),
                style::bold(style::accent(t)),
            ),
            Entry::Check(i) => check_line(app, *i, *i == selected, focused, value_w, width, now),
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn value_width(app: &App, width: usize) -> usize {
    let longest = app
        .verdicts
        .iter()
        .filter_map(|v| v.evidence.value.as_deref())
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0);
    longest.clamp(6, (width / 3).max(6))
}

fn check_line(
    app: &App,
    i: usize,
    selected: bool,
    focused: bool,
    value_w: usize,
    width: usize,
    now: DateTime<Utc>,
) -> Line<'static> {
    let t = &app.theme;
    let spec = &app.pb.checks[i].spec;
    let verdict = app.verdicts.get(i);
    let status = verdict.map_or(Status::Unknown, |v| v.status);
    let value = verdict
        .and_then(|v| v.evidence.value.clone())
        .unwrap_or_else(|| "—".into());
    let observed = verdict.and_then(|v| v.evidence.observed_at);
    let age_text = age(observed, now);
    // A waiver keeps the verdict (and its colour) but says who waived it, until when.
    let waived = crate::release::waivers::waiver_for(&app.release, &spec.id, now)
        .map(|w| format!(" WAIVED by {} until {}", w.by, w.until.format("%H:%M")));
    let tag = if spec.blocker {
        " (blocker)"
    } else if !spec.required {
        " (optional)"
    } else {
        ""
    };
    let tag = format!("{tag}{}", waived.unwrap_or_default());
    // marker 2 + symbol 2 + title + " " + value + " " + age 4
    let title_w = width.saturating_sub(2 + 2 + 1 + value_w + 1 + 4);
    let title = fit(&format!("{}{tag}", spec.title()), title_w);
    let pad = title_w.saturating_sub(UnicodeWidthStr::width(title.as_str()));
    let status_style = style::status(t, status);
    let mut spans = vec![
        Span::raw(if selected {
            style::MARK
        } else {
            style::NO_MARK
        }),
        Span::styled(format!("{} ", status.symbol()), style::bold(status_style)),
        Span::styled(format!("{title}{}", " ".repeat(pad)), style::text(t)),
        Span::styled(format!(" {:>value_w$}", fit(&value, value_w)), status_style),
        Span::styled(format!(" {age_text:>4}"), style::muted(t)),
    ];
    if selected {
        let sel = if focused {
            style::selected(t)
        } else {
            style::bold(ratatui::style::Style::default())
        };
        spans = spans.into_iter().map(|s| s.patch_style(sel)).collect();
    }
    Line::from(spans)
}
