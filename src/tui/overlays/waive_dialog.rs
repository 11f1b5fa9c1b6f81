//! `w`: waive the selected check for a time. Picks the role among the
//! check's `waivable_by` (↑↓), the name (prefilled $USER), how long (default
//! 1h) and a justification (required). Says beforehand what the rule book
//! (`act::rules::may_waive`, as `liftoff waive` asks) will do: the waiver and
//! when it ends, or why it is refused.

use super::form::{error_line, field_line, move_focus, render_box, text_key, Reply, TextField};
use crate::act::rules::{self, WaiveAsk, WaivePlan};
use crate::playbook::parse_duration;
use crate::supervisor::request::Request;
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

const ROLE: usize = 0;
const NAME: usize = 1;
const FOR: usize = 2;
const WHY: usize = 3;
const FIELDS: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct WaiveDialog {
    /// Index into the playbook's checks.
    pub check: usize,
    /// Index into the check's `waivable_by`.
    pub role: usize,
    pub name: TextField,
    pub for_: TextField,
    pub justification: TextField,
    pub focus: usize,
    pub error: Option<String>,
}

impl WaiveDialog {
    pub fn new(check: usize, user: &str) -> WaiveDialog {
        WaiveDialog {
            check,
            role: 0,
            name: TextField::new(user),
            for_: TextField::new("1h"),
            justification: TextField::default(),
            focus: WHY,
            error: None,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, roles: usize) -> Reply {
        self.error = None;
        match self.focus {
            ROLE => match key.code {
                KeyCode::Esc => Reply::Cancel,
                KeyCode::Enter => Reply::Submit,
                KeyCode::Left => {
                    self.role = self.role.saturating_sub(1);
                    Reply::Consumed
                }
                KeyCode::Right | KeyCode::Char(' ') => {
                    self.role = (self.role + 1).min(roles.saturating_sub(1));
                    Reply::Consumed
                }
                _ => {
                    if let Some(f) = move_focus(key, self.focus, FIELDS) {
                        self.focus = f;
                    }
                    Reply::Consumed
                }
            },
            NAME => text_key(key, &mut self.name, &mut self.focus, FIELDS),
            FOR => text_key(key, &mut self.for_, &mut self.focus, FIELDS),
            _ => text_key(key, &mut self.justification, &mut self.focus, FIELDS),
        }
    }

    fn judged(&self, app: &App, now: DateTime<Utc>) -> Result<WaivePlan, String> {
        let check = app
            .pb
            .playbook
            .checks
            .get(self.check)
            .ok_or("select a check in the checklist first")?;
        let role = check
            .waivable_by
            .get(self.role)
            .cloned()
            .unwrap_or_default();
        let name = self.name.text().unwrap_or_default();
        let for_ = match self.for_.text() {
            Some(t) => Some(parse_duration(&t)?),
            None => None,
        };
        let why = self.justification.text().unwrap_or_default();
        let ask = WaiveAsk {
            check: &check.id,
            role: &role,
            who: &name,
            justification: &why,
            for_,
        };
        rules::may_waive(&app.pb.playbook, &app.release, &ask, now).map_err(|r| r.to_string())
    }

    pub fn submit(&self, app: &App, now: DateTime<Utc>) -> Result<Request, String> {
        let plan = self.judged(app, now)?;
        Ok(Request::Waive(Box::new(plan)))
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
        let t = &app.theme;
        let check = app.pb.playbook.checks.get(self.check);
        let title = check.map_or("?", |c| c.title());
        let roles = check.map(|c| c.waivable_by.clone()).unwrap_or_default();
        let mut lines = vec![Line::styled(
            format!("Waive: {title}"),
            style::bold(style::text(t)),
        )];
        let role_row = if roles.is_empty() {
            "(none: this check names no waivable_by roles)".to_string()
        } else {
            roles
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    if i == self.role {
                        format!("[{r}]")
                    } else {
                        r.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        lines.push(Line::styled(
            format!("  role           {role_row}  (←/→ picks)"),
            if self.focus == ROLE {
                style::bold(style::accent(t))
            } else {
                style::text(t)
            },
        ));
        let w = 14;
        lines.push(field_line(t, "name", w, &self.name, self.focus == NAME));
        lines.push(field_line(t, "for", w, &self.for_, self.focus == FOR));
        lines.push(field_line(
            t,
            "justification",
            w,
            &self.justification,
            self.focus == WHY,
        ));
        lines.push(Line::raw(""));
        lines.push(match self.judged(app, now) {
            Ok(p) => Line::styled(
                format!(
                    "✔ WAIVED by {} ({}) until {} UTC",
                    p.by,
                    p.role,
                    p.until.format("%H:%M:%S")
                ),
                style::fg(t, t.pass),
            ),
            Err(why) => Line::styled(format!("! {why}"), style::bold(style::fg(t, t.warn))),
        });
        lines.extend(error_line(t, &self.error));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Enter records the waiver · Tab next field · Esc cancels",
            style::bold(style::accent(t)),
        ));
        render_box(f, area, app, "Waive a check", style::accent(t), lines, 84);
    }
}
