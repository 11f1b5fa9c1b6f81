//! The armed kill switch: a large centred modal, "press K again to HALT",
//! with the seconds left in the arming window.

use crate::tui::app::App;
use crate::tui::panels::big;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let t = &app.theme;
    let Some(left) = app.kill_armed(now) else {
        return;
    };
    let secs = (left.num_milliseconds() + 999) / 1000;
    let rect = super::centered(area, (area.width * 3 / 4).max(40), 16);
    let st = style::bold(style::fg(t, t.kill));
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(st)
        .title(Line::styled(" KILL SWITCH ARMED ", st))
        .title_alignment(Alignment::Center);
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    if inner.is_empty() {
        return;
    }
    let lines = vec![
        Line::styled("press K again to HALT", st),
        Line::styled(
            format!("{secs}s left · Esc disarms"),
            style::bold(style::text(t)),
        ),
    ];
    let text_h = (lines.len() as u16).min(inner.height);
    let room = inner.height - text_h;
    let rows = if room > 0 {
        big::height("PRESS K", inner.width, room).min(room)
    } else {
        0
    };
    let top = inner.y + (room - rows) / 2;
    if rows > 0 {
        big::render(
            "PRESS K",
            st,
            Rect::new(inner.x, top, inner.width, rows),
            f.buffer_mut(),
        );
    }
    f.render_widget(
        Paragraph::new(lines).alignment(Alignment::Center),
        Rect::new(inner.x, top + rows, inner.width, text_h),
    );
}
