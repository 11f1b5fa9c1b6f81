//! The latest journal events from every process sharing the journal.

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
    let skip = recent.len().saturating_sub(inner.height as usize);
    let lines: Vec<Line> = recent
        .iter()
        .skip(skip)
        .map(|j| {
            let head = format!(
                "{} {:<10} {:<14} ",
                style::clock(j.at),
                fit(&j.actor, 10),
                fit(&j.kind, 14)
            );
            let rest = width.saturating_sub(head.chars().count());
            Line::from(vec![
                Span::styled(head, style::muted(t)),
                Span::styled(fit(&j.summary, rest), style::text(t)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
