//! `a` while a guard alarm is up: answer it, with a comment saying why the
//! ramp may go on (journaled as `alarm_answered`; every cockpit clears it).
//! The other answer is the kill switch: Esc, then K K.

use super::form::{error_line, field_line, render_box, text_key, Reply, TextField};
use crate::engine::Status;
use crate::supervisor::request::Request;
use crate::tui::app::App;
use crate::tui::style;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmDialog {
    pub comment: TextField,
    pub error: Option<String>,
}

impl AlarmDialog {
    pub fn key(&mut self, key: &KeyEvent) -> Reply {
        self.error = None;
        let mut focus = 0;
        text_key(key, &mut self.comment, &mut focus, 1)
    }

    pub fn submit(&self, app: &App) -> Result<Request, String> {
        if app.release.alarm.is_none() {
            return Err("no alarm is up any more (answered elsewhere?): Esc closes".into());
        }
        let comment = self
            .comment
            .text()
            .ok_or("say why the ramp may go on (a comment), or Esc then K K to kill")?;
        Ok(Request::AnswerAlarm {
            guard: app.release.alarm_guard.clone(),
            comment: Some(comment),
        })
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App) {
        let t = &app.theme;
        let fail = style::bold(style::status(t, Status::Fail));
        let mut lines = vec![Line::styled(
            app.release
                .alarm
                .clone()
                .unwrap_or_else(|| "no alarm is up".into()),
            fail,
        )];
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Answer it to let the ramp go on, or halt everything with the kill switch.",
            style::text(t),
        ));
        lines.push(Line::raw(""));
        lines.push(field_line(t, "comment", 8, &self.comment, true));
        lines.extend(error_line(t, &self.error));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Enter answers (journaled) · Esc closes, then K K fires the kill switch",
            style::bold(style::accent(t)),
        ));
        render_box(f, area, app, "ALARM: answer it", fail, lines, 80);
    }
}
