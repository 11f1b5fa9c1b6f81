//! The open dialog (one at a time): keys go to it first, and what it asks
//! for comes out as an act, a confirmation, or a check to open.

use super::ack_dialog::AckDialog;
use super::alarm_dialog::AlarmDialog;
use super::decide_dialog::DecideDialog;
use super::form::{pressed, Reply};
use super::override_dialog::OverrideDialog;
use super::rollback_menu::RollbackMenu;
use super::search::{hits, SearchDialog};
use super::waive_dialog::WaiveDialog;
use crate::supervisor::request::Request;
use crate::tui::app::{App, Confirm};
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Ack(AckDialog),
    Decide(DecideDialog),
    Alarm(AlarmDialog),
    Rollback(RollbackMenu),
    Search(SearchDialog),
    Waive(WaiveDialog),
    Override(OverrideDialog),
}

/// What a submitted dialog leads to: an act for the actuator, a question to
/// confirm first, or a check's evidence to open.
#[derive(Debug, Clone)]
pub enum DialogOutcome {
    Request(Request),
    Confirm(Confirm),
    /// Open the evidence of this check.
    Evidence(usize),
}

impl Dialog {
    pub fn key(&mut self, key: &KeyEvent, app: &App) -> Reply {
        if !pressed(key) {
            return Reply::Consumed;
        }
        match self {
            Dialog::Ack(d) => d.key(key, app.pb.playbook.roles.len()),
            Dialog::Decide(d) => d.key(key),
            Dialog::Alarm(d) => d.key(key),
            Dialog::Rollback(d) => d.key(key, app.pb.playbook.rollbacks.len()),
            Dialog::Search(d) => {
                let n = hits(app, d.query.value()).len();
                d.key(key, n)
            }
            Dialog::Override(d) => d.key(key),
            Dialog::Waive(d) => {
                let roles = app
                    .pb
                    .playbook
                    .checks
                    .get(d.check)
                    .map_or(0, |c| c.waivable_by.len());
                d.key(key, roles)
            }
        }
    }

    /// What the dialog asks for, or why it cannot be done (the dialog stays).
    pub fn submit(&mut self, app: &App, now: DateTime<Utc>) -> Result<DialogOutcome, String> {
        match self {
            Dialog::Ack(d) => d.submit(app, now).map(DialogOutcome::Request),
            Dialog::Decide(d) => d.submit(app, now).map(DialogOutcome::Request),
            Dialog::Alarm(d) => d.submit(app).map(DialogOutcome::Request),
            Dialog::Rollback(d) => d.submit(app).map(DialogOutcome::Confirm),
            Dialog::Search(d) => d.submit(app).map(DialogOutcome::Evidence),
            Dialog::Waive(d) => d.submit(app, now).map(DialogOutcome::Request),
            Dialog::Override(d) => d.submit(app, now).map(DialogOutcome::Request),
        }
    }

    /// Says why it was not done.
    pub fn refuse(&mut self, why: String) {
        match self {
            Dialog::Ack(d) => d.error = Some(why),
            Dialog::Decide(d) => d.error = Some(why),
            Dialog::Alarm(d) => d.error = Some(why),
            Dialog::Waive(d) => d.error = Some(why),
            Dialog::Override(d) => d.error = Some(why),
            // Lists show nothing to correct: the status line says it.
            Dialog::Rollback(_) | Dialog::Search(_) => {}
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
        match self {
            Dialog::Ack(d) => d.render(f, area, app, now),
            Dialog::Decide(d) => d.render(f, area, app),
            Dialog::Alarm(d) => d.render(f, area, app),
            Dialog::Rollback(d) => d.render(f, area, app),
            Dialog::Search(d) => d.render(f, area, app),
            Dialog::Waive(d) => d.render(f, area, app, now),
            Dialog::Override(d) => d.render(f, area, app, now),
        }
    }
}
