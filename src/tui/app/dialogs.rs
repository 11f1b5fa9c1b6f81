//! Opening dialogs and giving them keys. A dialog gets a key before the
//! keymap; what it does not take (e.g. `K` from a list) goes to `dispatch`.
//! What a dialog asks for leaves through `request`, like every other act.

use super::{App, Overlay};
use crate::act::rules;
use crate::supervisor::request::Request;
use crate::tui::layout::PanelKind;
use crate::tui::overlays::ack_dialog::AckDialog;
use crate::tui::overlays::alarm_dialog::AlarmDialog;
use crate::tui::overlays::decide_dialog::DecideDialog;
use crate::tui::overlays::dialog::{Dialog, DialogOutcome};
use crate::tui::overlays::form::Reply;
use crate::tui::overlays::rollback_menu::RollbackMenu;
use crate::tui::overlays::search::SearchDialog;
use crate::tui::overlays::waive_dialog::WaiveDialog;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

impl App {
    /// Gives `key` to the open dialog; false when it leaves the key to the keymap.
    pub(crate) fn dialog_key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> bool {
        let Some(mut dialog) = self.dialog.take() else {
            return false;
        };
        self.mark_dirty();
        match dialog.key(&key, self) {
            Reply::Consumed => self.dialog = Some(dialog),
            Reply::Cancel => {}
            Reply::Unhandled => {
                self.dialog = Some(dialog);
                return false;
            }
            Reply::Submit => match dialog.submit(self, now) {
                Ok(DialogOutcome::Request(request)) => _ = self.request(request, now),
                Ok(DialogOutcome::Confirm(question)) => self.ask(question),
                Ok(DialogOutcome::Evidence(check)) => self.show_evidence(check),
                Err(why) => {
                    self.say(why.clone(), true, now);
                    dialog.refuse(why);
                    self.dialog = Some(dialog);
                }
            },
        }
        true
    }

    fn open_dialog(&mut self, dialog: Dialog) {
        self.overlay = None;
        self.dialog = Some(dialog);
    }

    /// `a`: answer the alarm when one is up, else ACK for a role.
    pub(crate) fn open_ack(&mut self, now: DateTime<Utc>) {
        if self.release.alarm.is_some() {
            return self.open_dialog(Dialog::Alarm(AlarmDialog::default()));
        }
        let roles = &self.pb.playbook.roles;
        let Some(role) = self.ack_role(now) else {
            return self.say("the playbook names no roles to ACK", true, now);
        };
        let index = roles.iter().position(|r| r.id == role).unwrap_or(0);
        let dialog = AckDialog::new(index, &self.user);
        self.open_dialog(Dialog::Ack(dialog));
    }

    /// `g`: the decision dialog, with the gate as it stands.
    pub(crate) fn open_decide(&mut self) {
        let dialog = DecideDialog::new(self);
        self.open_dialog(Dialog::Decide(dialog));
    }

    /// `R`: the rollback targets.
    pub(crate) fn open_rollbacks(&mut self, now: DateTime<Utc>) {
        if self.pb.playbook.rollbacks.is_empty() {
            return self.say(
                "this playbook has no rollback targets ([[rollback]]); the full kill switch is K K",
                true,
                now,
            );
        }
        self.open_dialog(Dialog::Rollback(RollbackMenu::default()));
    }

    /// `w`: waive the selected check.
    pub(crate) fn open_waive(&mut self, now: DateTime<Utc>) {
        let check = (self.focus == PanelKind::Checklist)
            .then(|| self.row(PanelKind::Checklist))
            .filter(|i| *i < self.pb.checks.len());
        let Some(i) = check else {
            return self.say("w waives a check: select its checklist row", true, now);
        };
        let dialog = WaiveDialog::new(i, &self.user);
        self.open_dialog(Dialog::Waive(dialog));
    }

    /// `/`: search the runbook.
    pub(crate) fn open_search(&mut self) {
        self.open_dialog(Dialog::Search(SearchDialog::default()));
    }

    /// Selects check `i` in the checklist and opens its evidence.
    fn show_evidence(&mut self, i: usize) {
        self.selected.insert(PanelKind::Checklist, i);
        if self
            .focusable()
            .iter()
            .any(|(k, _)| *k == PanelKind::Checklist)
        {
            self.focus = PanelKind::Checklist;
        }
        self.overlay = Some(Overlay::Evidence(i));
    }

    /// Space on a checklist row whose source is `manual`: tick or untick it.
    /// An item that names a role is ticked by someone holding that role.
    pub(crate) fn toggle_manual(&mut self, now: DateTime<Utc>) {
        let check = (self.focus == PanelKind::Checklist)
            .then(|| self.pb.checks.get(self.row(PanelKind::Checklist)))
            .flatten();
        let Some(check) = check else {
            return self.say(
                "Space ticks a manual item: select its checklist row",
                true,
                now,
            );
        };
        let item = check.spec.source.clone();
        // The rule book decides, as for `liftoff tick` (same words).
        let plan = match rules::may_tick(&self.pb, &self.release, &item, &self.user, now) {
            Ok(plan) => plan,
            Err(refused) => return self.say(refused.to_string(), true, now),
        };
        let role = plan.role;
        let checked = !self.release.manual.get(&item).is_some_and(|m| m.checked);
        self.request(
            Request::Tick {
                item,
                role,
                checked,
            },
            now,
        );
    }
}
