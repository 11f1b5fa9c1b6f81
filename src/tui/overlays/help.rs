//! `?`: the keys, generated from the keymap table.

use crate::tui::app::App;
use crate::tui::keymap;
use crate::tui::style;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let groups = keymap::help();
    let key_w = groups
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = Vec::new();
    for (title, rows) in groups {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(title, style::bold(style::accent(t))));
        for (keys, what) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_w$}  "), style::bold(style::text(t))),
                Span::styled(what, style::text(t)),
            ]));
        }
    }
    let w = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let h = lines.len() as u16 + 2;
    let rect = super::centered(area, w, h);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(style::accent(t))
        .title(Line::styled(
            " Keys · Esc closes ",
            style::bold(style::accent(t)),
        ));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(block).style(style::text(t)),
        rect,
    );
}
