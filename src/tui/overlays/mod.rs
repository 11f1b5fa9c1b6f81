//! Overlays drawn over the panels: help, evidence, confirmations, dialogs
//! (ACK, decision, alarm, rollback targets, runbook search), the armed kill
//! switch, and the "terminal too small" message.

pub mod ack_dialog;
pub mod alarm_dialog;
pub mod confirm;
pub mod decide_dialog;
pub mod detail;
pub mod dialog;
pub mod evidence;
pub mod form;
pub mod help;
pub mod kill_modal;
pub mod override_dialog;
pub mod prompt_bar;
pub mod rollback_menu;
pub mod search;
pub mod too_small;
pub mod waive_dialog;

use super::app::{App, Overlay};
use chrono::{DateTime, Utc};
use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

pub fn render(f: &mut Frame, app: &App, now: DateTime<Utc>) {
    let area = f.area();
    match app.overlay {
        Some(Overlay::Help) => help::render(f, area, app),
        Some(Overlay::Evidence(i)) => evidence::render(f, area, app, i, now),
        Some(Overlay::Confirm(q)) => confirm::render(f, area, app, q, now),
        Some(Overlay::Detail(kind, row)) => detail::render(f, area, app, kind, row, now),
        None => {}
    }
    if let Some(d) = &app.dialog {
        d.render(f, area, app, now);
    }
    if let Some(p) = &app.prompt {
        prompt_bar::render(f, area, app, p);
    }
    // The armed kill switch outranks everything on screen.
    if app.kill_armed(now).is_some() {
        kill_modal::render(f, area, app, now);
    }
}

/// A box of at most `w` x `h` centred in `area` (smaller when the area is).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    area.centered(
        Constraint::Length(w.min(area.width)),
        Constraint::Length(h.min(area.height)),
    )
}
