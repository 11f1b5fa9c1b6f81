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
    // A filter (`/`) shows the checks it matches, under their sections.
    let visible = app.visible(PanelKind::Checklist);
    let mut out = Vec::new();
    for (s, (_, checks)) in app.sections().iter().enumerate() {
        let shown: Vec<Entry> = checks
            .iter()
            // `visible` is in ascending order: a search, not a scan per check.
            .filter(|c| visible.binary_search(c).is_ok())
            .map(|c| Entry::Check(*c))
            .collect();
        if !shown.is_empty() {
            out.push(Entry::Section(s));
            out.extend(shown);
        }
    }
    out
}

/// The first visible entry so that the selected check shows.
fn offset(entries: &[Entry], selected: usize, height: u16) -> usize {
    let line = entries
        .iter()
        .position(|e| *e == Entry::Check(selected))
        .unwrap_or(0);
    // A clipped list gives its last row to "▼ N more below": keep the
    // selection above it.
    let clipped = entries.len() > usize::from(height);
    scroll(
        line,
        if clipped {
            height.saturating_sub(1)
        } else {
            height
        },
    )
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
    if entries.is_empty() {
        let filter = app
            .filters
            .get(&PanelKind::Checklist)
            .cloned()
            .unwrap_or_default();
        f.render_widget(
            Paragraph::new(format!(
                "no check matches the filter {filter:?} (/ Esc clears)"
            ))
            .style(style::muted(t)),
            inner,
        );
        return;
    }
    let selected = app.row(PanelKind::Checklist);
    let focused = app.focus == PanelKind::Checklist && app.overlay.is_none();
    let sections = app.sections();
    let width = inner.width as usize;
    let value_w = value_width(app, width);
    let first = offset(&entries, selected, inner.height);
    let shown = inner.height as usize;
    let mut lines: Vec<Line> = entries
        .iter()
        .skip(first)
        .take(shown)
        .map(|e| match e {
            Entry::Section(s) => Line::styled(
                fit(sections.get(*s).map_or("", |x| x.0), width),
                style::bold(style::accent(t)),
            ),
            Entry::Check(i) => check_line(app, *i, *i == selected, focused, value_w, width, now),
        })
        .collect();
    super::mark_clipped(&mut lines, first, entries.len(), t);
    f.render_widget(Paragraph::new(lines), inner);
}

/// An optional check that does not pass: shown neutral (muted, `○`), never
/// FAIL-red, and it colours no section (only required checks gate).
pub fn neutral(app: &App, i: usize) -> bool {
    let required = app.pb.checks.get(i).is_none_or(|c| c.spec.required);
    let status = app.verdicts.get(i).map_or(Status::Unknown, |v| v.status);
    !required && status != Status::Pass
}

/// What an UNKNOWN row says instead of a value: when its source last
/// answered, or that it never did.
pub fn last_good(app: &App, i: usize, now: DateTime<Utc>) -> String {
    let source = app.pb.checks.get(i).map(|c| c.spec.source.as_str());
    let good = source
        .and_then(|s| app.sources.get(s))
        .and_then(|h| h.last_success);
    super::sources::last_good(good, now)
}

fn value_width(app: &App, width: usize) -> usize {
    let longest = app
        .verdicts
        .iter()
        .filter_map(|v| v.evidence.value.as_deref())
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0);
    // Room for "last good 59m ago" when a row is UNKNOWN.
    let unknown = app.verdicts.iter().any(|v| v.status == Status::Unknown);
    let longest = if unknown { longest.max(17) } else { longest };
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
    let unknown = status == Status::Unknown;
    let value = match verdict.and_then(|v| v.evidence.value.clone()) {
        // No value: say when the source last answered, never a fresh age.
        None if unknown => last_good(app, i, now),
        None => "—".into(),
        Some(v) => v,
    };
    let observed = verdict.and_then(|v| v.evidence.observed_at);
    let age_text = if unknown && verdict.is_none_or(|v| v.evidence.value.is_none()) {
        String::new()
    } else {
        age(observed, now)
    };
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
    let neutral = neutral(app, i);
    let status_style = if neutral {
        style::muted(t)
    } else {
        style::status(t, status)
    };
    let symbol = if neutral { "○" } else { status.symbol() };
    let mut spans = vec![
        Span::raw(if selected {
            style::MARK
        } else {
            style::NO_MARK
        }),
        Span::styled(format!("{symbol} "), style::bold(status_style)),
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
