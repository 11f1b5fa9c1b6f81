//! The panels, one file each. Every panel renders from `&App` and an injected
//! `now`, so it is testable with a `TestBackend` and never reads the clock.

pub mod alarm_band;
pub mod alerts;
pub mod banner;
pub mod big;
pub mod checklist;
pub mod countdown;
pub mod journal;
pub mod kill;
pub mod metrics;
pub mod next;
pub mod ramp;
pub mod roles;
pub mod sources;
pub mod status;
pub mod summary;

use super::app::App;
use super::layout::PanelKind;
use super::style;
use chrono::{DateTime, Utc};
use ratatui::layout::{Margin, Rect};
use ratatui::widgets::Block;
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

pub fn render(kind: PanelKind, f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    if area.is_empty() {
        return;
    }
    match kind {
        PanelKind::Banner => banner::render(f, area, app, now),
        PanelKind::Checklist => checklist::render(f, area, app, now),
        PanelKind::Summary => summary::render(f, area, app),
        PanelKind::Ramp => ramp::render(f, area, app, now),
        PanelKind::Countdown => countdown::render(f, area, app, now),
        PanelKind::Next => next::render(f, area, app, now),
        PanelKind::Roles => roles::render(f, area, app, now),
        PanelKind::Kill => kill::render(f, area, app, now),
        PanelKind::Alerts => alerts::render(f, area, app, now),
        PanelKind::Metrics => metrics::render(f, area, app),
        PanelKind::Journal => journal::render(f, area, app),
        PanelKind::Status => status::render(f, area, app, now),
    }
}

/// The framed panel for `kind`, focused or not; returns the inside.
pub fn frame(f: &mut Frame, area: Rect, app: &App, kind: PanelKind) -> Rect {
    let focused = app.focus == kind && app.overlay.is_none();
    let block: Block = style::panel(&app.theme, style::panel_title(kind), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// The inside of a bordered panel.
pub fn inner(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

/// The first visible row of a list of one-line rows so that `selected` shows.
pub fn scroll(selected: usize, height: u16) -> usize {
    let h = height.max(1) as usize;
    (selected + 1).saturating_sub(h)
}

/// The row under screen line `y` of a panel, for mouse clicks.
pub fn row_at(app: &App, kind: PanelKind, rect: Rect, y: u16) -> Option<usize> {
    let inside = inner(rect);
    if y < inside.y || y >= inside.bottom() {
        return None;
    }
    let line = (y - inside.y) as usize;
    let n = app.row_count(kind);
    let row = match kind {
        PanelKind::Checklist => return checklist::row_at(app, inside, line),
        PanelKind::Metrics => line / metrics::rows_per_guard(inside, n).max(1) as usize,
        PanelKind::Summary | PanelKind::Roles | PanelKind::Alerts => {
            scroll(app.row(kind), inside.height) + line
        }
        _ => return None,
    };
    (row < n).then_some(row)
}

/// Marks a clipped list: the first line says how many rows are above
/// (`▲ N more above`), the last how many below (`▼ N more below`). `lines`
/// are the visible rows from row `first` of `total`.
pub fn mark_clipped(
    lines: &mut [ratatui::text::Line<'static>],
    first: usize,
    total: usize,
    t: &super::theme::Theme,
) {
    let shown = lines.len();
    if shown < 2 {
        return;
    }
    let below = total.saturating_sub(first + shown);
    if below > 0 {
        // The last visible row gives way to the marker (one more hidden).
        let text = format!("▼ {} more below", below + 1);
        lines[shown - 1] = ratatui::text::Line::styled(text, style::bold(style::accent(t)));
    }
    if first > 0 {
        let text = format!("▲ {} more above", first + 1);
        lines[0] = ratatui::text::Line::styled(text, style::bold(style::accent(t)));
    }
}

/// `s` cut to `width` columns, with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// "3s ago"-style age, or "never".
pub fn age(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(t) => crate::engine::verdict::human_age(now - t),
        None => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_an_ellipsis_by_display_width() {
        assert_eq!(fit("entropy", 10), "entropy");
        assert_eq!(fit("entropy", 5), "entr…");
        assert_eq!(fit("✔✔✔", 2), "✔…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn scroll_keeps_the_selection_visible() {
        assert_eq!(scroll(0, 5), 0);
        assert_eq!(scroll(4, 5), 0);
        assert_eq!(scroll(5, 5), 1);
        assert_eq!(scroll(3, 0), 3);
    }
}
