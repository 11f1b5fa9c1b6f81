//! `]` while only the hold (or decision points not recorded) stands in the
//! way: `y` in the refusal opens this dialog, which asks the justification
//! and enters the stage with the hold overridden. The override is journaled
//! (`hold_overridden`) before the stage's set runs, as with `liftoff stage
//! --next --override-hold --justification TEXT`.

use super::form::{error_line, field_line, render_box, text_key, Reply, TextField};
use crate::supervisor::request::{ConfirmedStanding, Request};
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

#[derive(Debug, Clone, PartialEq)]
pub struct OverrideDialog {
    /// The stage to enter.
    pub index: usize,
    pub justification: TextField,
    pub focus: usize,
    pub error: Option<String>,
}

impl OverrideDialog {
    pub fn new(index: usize) -> OverrideDialog {
        OverrideDialog {
            index,
            justification: TextField::default(),
            focus: 0,
            error: None,
        }
    }

    pub fn key(&mut self, key: &KeyEvent) -> Reply {
        self.error = None;
        text_key(key, &mut self.justification, &mut self.focus, 1)
    }

    pub fn submit(&self, app: &App, now: DateTime<Utc>) -> Result<Request, String> {
        let why = self
            .justification
            .text()
            .ok_or("an override needs a justification: why the hold is cut short")?;
        // Everything but the hold must still allow the entry (the rule book says so again).
        let acks = app.stage_acks(self.index, now);
        let standing = crate::ramp::Standing {
            gate: &app.gate,
            acks: &acks,
            verdicts: &app.verdicts,
        };
        crate::ramp::can_enter_at(
            &app.pb.playbook,
            self.index,
            &standing,
            &app.release,
            now,
            true,
        )
        .map_err(|r| r.to_string())?;
        Ok(Request::EnterStage {
            index: self.index,
            seen: Box::new(ConfirmedStanding {
                state: app.release.clone(),
                gate: app.gate.clone(),
                acks,
                verdicts: app.verdicts.to_vec(),
                override_hold: Some(why),
            }),
        })
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
        let t = &app.theme;
        let held: Vec<String> = crate::ramp::hold_reasons(&app.pb.playbook, &app.release, now)
            .iter()
            .map(|r| format!("· {r}"))
            .collect();
        let mut lines = vec![Line::styled(
            "Override: enter the next stage before its time",
            style::bold(style::fg(t, t.warn)),
        )];
        lines.extend(held.into_iter().map(|h| Line::styled(h, style::text(t))));
        lines.push(Line::raw(""));
        lines.push(field_line(
            t,
            "justification",
            14,
            &self.justification,
            true,
        ));
        lines.extend(error_line(t, &self.error));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Enter overrides (journaled as an override) · Esc cancels",
            style::bold(style::accent(t)),
        ));
        render_box(
            f,
            area,
            app,
            "Override the hold",
            style::fg(t, t.warn),
            lines,
            84,
        );
    }
}
