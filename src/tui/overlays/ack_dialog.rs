//! `a`: record an ACK. Pick the role (the playbook's roles), the name
//! (prefilled from $USER, editable), an optional comment; Enter records it.
//! It says beforehand exactly what the ACK will count for, or why it will be
//! refused, from the rule book (`act::rules::may_ack`) that `liftoff ack` asks.

use super::form::{error_line, field_line, move_focus, render_box, text_key, Reply, TextField};
use crate::act::rules;
use crate::supervisor::request::Request;
use crate::tui::app::acks::role_status;
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

const ROLE: usize = 0;
const NAME: usize = 1;
const COMMENT: usize = 2;
const FIELDS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct AckDialog {
    /// Index into the playbook's roles.
    pub role: usize,
    pub name: TextField,
    pub comment: TextField,
    pub focus: usize,
    pub error: Option<String>,
}

impl AckDialog {
    pub fn new(role: usize, user: &str) -> AckDialog {
        AckDialog {
            role,
            name: TextField::new(user),
            comment: TextField::default(),
            focus: ROLE,
            error: None,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, roles: usize) -> Reply {
        self.error = None;
        match self.focus {
            ROLE => match key.code {
                KeyCode::Esc => Reply::Cancel,
                KeyCode::Enter => Reply::Submit,
                KeyCode::Up | KeyCode::Char('k') => {
                    self.role = self.role.saturating_sub(1);
                    Reply::Consumed
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    self.role = (self.role + 1).min(roles.saturating_sub(1));
                    Reply::Consumed
                }
                KeyCode::Tab | KeyCode::BackTab => {
                    self.focus = move_focus(key, self.focus, FIELDS).unwrap_or(NAME);
                    Reply::Consumed
                }
                // `K` arms the kill switch, `?` is help...: the keymap decides.
                _ => Reply::Unhandled,
            },
            NAME => text_key(key, &mut self.name, &mut self.focus, FIELDS),
            _ => text_key(key, &mut self.comment, &mut self.focus, FIELDS),
        }
    }

    /// The rule book's judgement of this ACK (`act::rules::may_ack`), as `liftoff ack` gets it.
    fn judged(&self, app: &App, now: DateTime<Utc>) -> Result<rules::AckPlan, String> {
        let role = app
            .pb
            .playbook
            .roles
            .get(self.role)
            .ok_or("the playbook names no roles to ACK")?;
        let name = self.name.text().ok_or("write who ACKs (a name)")?;
        rules::may_ack(&app.pb.playbook, &app.release, &role.id, &name, now)
            .map_err(|r| r.to_string())
    }

    pub fn submit(&self, app: &App, now: DateTime<Utc>) -> Result<Request, String> {
        let plan = self.judged(app, now)?;
        Ok(Request::Ack {
            role: plan.role,
            name: plan.by,
            comment: self.comment.text(),
            stage: plan.stage,
        })
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
        let t = &app.theme;
        let mut lines = vec![Line::styled(
            "Role (↑↓ picks)",
            style::bold(if self.focus == ROLE {
                style::accent(t)
            } else {
                style::muted(t)
            }),
        )];
        for (i, role) in app.pb.playbook.roles.iter().enumerate() {
            let picked = i == self.role;
            let ack = role_status(app, &role.id, now);
            let holder = match (&ack.by, ack.is_valid()) {
                (Some(by), true) => format!("ACKed by {by}"),
                _ => "no valid ACK".into(),
            };
            let title = role.title.as_deref().unwrap_or(&role.id);
            let mut st = style::text(t);
            if picked {
                st = style::bold(st);
                if self.focus == ROLE {
                    st = style::selected(t);
                }
            }
            lines.push(Line::from(vec![
                Span::raw(if picked { "  ● " } else { "  ○ " }),
                Span::styled(format!("{title} ({})", role.id), st),
                Span::styled(format!("  {holder}"), style::muted(t)),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(field_line(t, "name", 8, &self.name, self.focus == NAME));
        lines.push(field_line(
            t,
            "comment",
            8,
            &self.comment,
            self.focus == COMMENT,
        ));
        // Exactly what will count, or why it will be refused (the rule book's words).
        lines.push(Line::raw(""));
        lines.push(match self.judged(app, now) {
            Ok(plan) => Line::styled(format!("✔ {}", plan.counts), style::fg(t, t.pass)),
            Err(why) => Line::styled(format!("! {why}"), style::bold(style::fg(t, t.warn))),
        });
        lines.extend(error_line(t, &self.error));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Enter records · Tab next field · Esc cancels",
            style::bold(style::accent(t)),
        ));
        render_box(f, area, app, "ACK", style::accent(t), lines, 72);
    }
}
