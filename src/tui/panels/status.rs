//! The status line: each source (ok / polling / failing, age of the last
//! refresh), the layout and theme names, `? help`, and the latest notice.

use super::age;
use crate::engine::Status;
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let t = &app.theme;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(n) = app.notice_at(now) {
        let st = if n.bad {
            style::bold(style::status(t, Status::Fail))
        } else {
            style::bold(style::accent(t))
        };
        spans.push(Span::styled(format!("{} ", n.text), st));
        spans.push(Span::styled("│ ", style::muted(t)));
    }
    for text in app.conditions.values() {
        spans.push(Span::styled(
            format!("{text} "),
            style::bold(style::status(t, Status::Fail)),
        ));
        spans.push(Span::styled("│ ", style::muted(t)));
    }
    for (id, h) in &app.sources {
        let (symbol, st) = match (h.polling, h.last_ok) {
            (_, Some(false)) => ("✖", style::status(t, Status::Fail)),
            (true, _) => ("…", style::muted(t)),
            (false, Some(true)) => ("✔", style::status(t, Status::Pass)),
            (false, None) => ("?", style::status(t, Status::Unknown)),
        };
        let when = match h.last_at {
            Some(_) => age(h.last_at, now),
            None => "never".into(),
        };
        spans.push(Span::styled(format!("{id} {symbol}{when} "), st));
    }
    // The right end always shows where help is, whatever the sources take.
    let right = format!(" │ {} · {} · ? help", app.layout.name, app.theme.name);
    let right_w = (right.chars().count() as u16).min(area.width);
    let left = Rect::new(area.x, area.y, area.width - right_w, area.height);
    let right_area = Rect::new(left.right(), area.y, right_w, area.height);
    f.render_widget(Paragraph::new(Line::from(spans)), left);
    f.render_widget(
        Paragraph::new(Span::styled(right, style::muted(t))),
        right_area,
    );
}
