//! The latest journal events from every process sharing the journal; the
//! selected one (focused) opens in full with Enter.

use super::fit;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let inner = super::frame(f, area, app, PanelKind::Journal);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let recent = &app.release.recent;
    if recent.is_empty() {
        f.render_widget(
            Paragraph::new("no journal events yet").style(style::muted(t)),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    // The newest events, or the selected one in view (Enter: its detail).
    let selected = app.row(PanelKind::Journal);
    let focused = app.focus == PanelKind::Journal && app.overlay.is_none();
    let skip = super::scroll(selected, inner.height);
    let lines: Vec<Line> = recent
        .iter()
        .enumerate()
        .skip(skip)
        .take(inner.height as usize)
        .map(|(i, j)| {
            let head = format!(
                "{} {:<10} {:<14} ",
                style::clock(j.at),
                fit(&j.actor, 10),
                fit(&j.kind, 14)
            );
            let rest = width.saturating_sub(head.chars().count());
            let spans = vec![
                Span::styled(head, style::muted(t)),
                Span::styled(fit(&j.summary, rest), style::text(t)),
            ];
            style::row(t, spans, focused && i == selected)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
