//! `dispatch`: the one place every key action goes through. View actions
//! change state here; acts (kill, ACK, decision, ramp, rollback, ticks) are
//! handed to the actuator in `request`, the hook where the journal, the kill
//! switch and the ramp plug in.

use super::nav::Dir;
use super::{App, Confirm, Overlay, KILL_ARM_WINDOW};
use crate::ramp::{self, Refusal};
use crate::release;
use crate::supervisor::request::{ConfirmedStanding, Request};
use crate::tui::keymap::Action;
use crate::tui::kill_keys::KillKey;
use crate::tui::layout::{Layout, PanelKind};
use crate::tui::theme::Theme;
use chrono::{DateTime, Utc};

impl App {
    pub fn dispatch(&mut self, action: Action, now: DateTime<Utc>) {
        self.mark_dirty();
        if matches!(action, Action::Interrupt) {
            self.quit = true;
            return;
        }
        // K: arm, fire, or (a burst: key repeat, a paste) nothing. The input
        // task fires a deliberate second K itself once this has armed
        // (`kill_arm`); a K that reaches here while armed came before the
        // arming was shared, and the same rule applies.
        if action == Action::Kill {
            match self.kill_keys.on_k(now) {
                KillKey::IgnoredBurst => {}
                KillKey::Armed => {
                    let window = KILL_ARM_WINDOW.to_std().unwrap_or_default();
                    self.kill_arm.arm(std::time::Instant::now() + window);
                }
                KillKey::Fire => {
                    self.kill_arm.disarm();
                    // FIRING from this instant; the readback decides the rest.
                    self.kill_dispatched(now);
                    if !self.request(Request::FireKill, now) {
                        self.kill_local = None;
                    }
                }
            }
            return;
        }
        // Armed: only the second K (above) and Esc (disarm) mean anything.
        if self.kill_armed(now).is_some() {
            if action == Action::Close {
                self.kill_keys.disarm();
                self.kill_arm.disarm();
                self.say("kill switch disarmed", false, now);
            }
            return;
        }
        // A dialog took the keys it wanted (`dialog_key`); of the rest only
        // the kill switch (above) and the terminal's own keys mean anything.
        if self.dialog.is_some() {
            if action == Action::Suspend {
                self.suspend = true;
            }
            return;
        }
        match self.overlay {
            Some(Overlay::Confirm(question)) => {
                self.confirm_action(question, action, now);
                return;
            }
            Some(Overlay::Help) | Some(Overlay::Evidence(_)) | Some(Overlay::Detail(..))
                if matches!(action, Action::Close | Action::Help | Action::Open) =>
            {
                self.overlay = None;
                return;
            }
            _ => {}
        }
        self.view_action(action, now);
        // Browsing with the evidence open: it follows the selected check.
        if let Some(Overlay::Evidence(_)) = self.overlay {
            if self.focus == PanelKind::Checklist {
                self.overlay = Some(Overlay::Evidence(self.row(PanelKind::Checklist)));
            } else {
                self.overlay = None;
            }
        }
    }

    fn view_action(&mut self, action: Action, now: DateTime<Utc>) {
        match action {
            Action::Quit if self.ramp_running() => {
                self.ask(Confirm::Quit);
            }
            Action::Quit | Action::Interrupt => self.quit = true,
            Action::Suspend => self.suspend = true,
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::Close | Action::Confirm | Action::Kill => {}
            Action::FocusNext => _ = self.cycle_focus(true),
            Action::FocusPrev => _ = self.cycle_focus(false),
            Action::Up => _ = self.go(Dir::Up),
            Action::Down => _ = self.go(Dir::Down),
            Action::Left => _ = self.go(Dir::Left),
            Action::Right => _ = self.go(Dir::Right),
            Action::Open => self.open(),
            Action::PollNow => {
                self.triggers.poll_all_now();
                self.say("polling every source now", false, now);
            }
            Action::NextTheme => self.next_theme(now),
            Action::NextLayout => self.next_layout(now),
            Action::Ack => self.open_ack(now),
            Action::Decide => self.open_decide(),
            Action::RampNext => self.ramp_next(now),
            Action::RampBack => match ramp::can_step_back(&self.pb.playbook, &self.release) {
                Ok(i) => self.ask(Confirm::StepBack(i)),
                Err(refusal) => self.say(refusal.to_string(), true, now),
            },
            Action::Rollback => self.open_rollbacks(now),
            Action::Toggle => self.toggle_manual(now),
            Action::Search => self.open_filter(now),
            Action::Palette => self.open_prompt(super::prompt::PromptKind::Command),
            Action::PageUp => self.page(false),
            Action::PageDown => self.page(true),
            Action::Top => self.to_edge(false),
            Action::Bottom => self.to_edge(true),
            Action::Zoom => self.toggle_zoom(),
            Action::Waive => self.open_waive(now),
        }
    }

    pub(super) fn confirmed(&mut self, question: Confirm, now: DateTime<Utc>) {
        match question {
            Confirm::Quit => self.quit = true,
            Confirm::EnterStage(index) => match self.enter_refusal(index, now) {
                // Only the hold stands in the way: `y` asks the override's justification.
                Some(refusal) if refusal.reasons.iter().all(ramp::Reason::overridable) => {
                    self.overlay = None;
                    self.dialog = Some(crate::tui::overlays::dialog::Dialog::Override(
                        crate::tui::overlays::override_dialog::OverrideDialog::new(index),
                    ));
                }
                Some(refusal) => self.say(refusal.to_string(), true, now),
                None => {
                    let seen = ConfirmedStanding {
                        state: self.release.clone(),
                        gate: self.gate.clone(),
                        acks: self.stage_acks(index, now),
                        verdicts: self.verdicts.to_vec(),
                        override_hold: None,
                    };
                    let seen = Box::new(seen);
                    self.request(Request::EnterStage { index, seen }, now);
                }
            },
            Confirm::StepBack(index) => {
                let state = Box::new(self.release.clone());
                self.request(Request::StepBack { index, state }, now);
            }
            Confirm::Rollback(i) => match self.pb.playbook.rollbacks.get(i) {
                Some(r) => {
                    let target = r.id.clone();
                    self.request(Request::Rollback { target }, now);
                }
                None => self.say("no such rollback target", true, now),
            },
        };
    }

    /// THE HOOK: every act leaves the cockpit here, through the actuator.
    /// True when the actuator took it.
    pub(super) fn request(&mut self, request: Request, now: DateTime<Utc>) -> bool {
        self.urgent = true;
        match self.actuator.carry_out(request) {
            Ok(text) => {
                self.say(text, false, now);
                true
            }
            Err(why) => {
                self.say(why, true, now);
                false
            }
        }
    }

    /// `release::entry_ack_status` for the roles stage `index` names.
    pub(crate) fn stage_acks(
        &self,
        index: usize,
        now: DateTime<Utc>,
    ) -> Vec<crate::engine::AckStatus> {
        let roles = self
            .pb
            .playbook
            .ramp
            .as_ref()
            .and_then(|r| r.stages.get(index))
            .map(|s| s.acks.clone())
            .unwrap_or_default();
        release::entry_ack_status(&self.pb.playbook, &self.release, &roles, now)
    }

    /// Why stage `index` may not be entered now (the gate, the stage's ACKs,
    /// `requires`, the hold and its decision points, the kill switch, the
    /// order: `ramp::can_enter_at`, as `liftoff stage` asks), or None when it may.
    pub fn enter_refusal(&self, index: usize, now: DateTime<Utc>) -> Option<Refusal> {
        let acks = self.stage_acks(index, now);
        let standing = ramp::Standing {
            gate: &self.gate,
            acks: &acks,
            verdicts: &self.verdicts,
        };
        ramp::can_enter_at(
            &self.pb.playbook,
            index,
            &standing,
            &self.release,
            now,
            false,
        )
        .err()
    }

    fn open(&mut self) {
        match self.focus {
            PanelKind::Alerts | PanelKind::Journal if self.row_count(self.focus) > 0 => {
                self.overlay = Some(Overlay::Detail(self.focus, self.row(self.focus)));
            }
            PanelKind::Checklist if !self.pb.checks.is_empty() => {
                self.overlay = Some(Overlay::Evidence(self.row(PanelKind::Checklist)));
            }
            // From the summary, jump to the section's first check.
            PanelKind::Summary => {
                let first = self
                    .sections()
                    .get(self.row(PanelKind::Summary))
                    .and_then(|(_, checks)| checks.first().copied());
                if let Some(i) = first {
                    self.selected.insert(PanelKind::Checklist, i);
                    self.overlay = Some(Overlay::Evidence(i));
                }
            }
            _ => {}
        }
    }

    /// The role `a` ACKs: the selected one in the roles panel, else the first
    /// gate role without a valid ACK, else the first role.
    pub(super) fn ack_role(&self, now: DateTime<Utc>) -> Option<String> {
        let roles = &self.pb.playbook.roles;
        if self.focus == PanelKind::Roles {
            if let Some(r) = roles.get(self.row(PanelKind::Roles)) {
                return Some(r.id.clone());
            }
        }
        // The gate's missing roles first, then those the next stage still needs.
        let next = ramp::next_stage(&self.pb.playbook, &self.release);
        let for_next = next.map(|i| self.stage_acks(i, now)).unwrap_or_default();
        self.acks
            .iter()
            .chain(&for_next)
            .find(|a| !a.is_valid())
            .map(|a| a.role.clone())
            .or_else(|| roles.first().map(|r| r.id.clone()))
    }

    fn ramp_next(&mut self, now: DateTime<Utc>) {
        let Some(ramp) = self.pb.playbook.ramp.as_ref() else {
            return self.say("this playbook has no ramp", true, now);
        };
        let next = self.release.stage.as_ref().map_or(0, |s| s.index + 1);
        if next >= ramp.stages.len() {
            return self.say("already at the last stage", true, now);
        }
        self.ask(Confirm::EnterStage(next));
    }

    fn next_theme(&mut self, now: DateTime<Utc>) {
        let names = Theme::builtin_names();
        let next = cycle(names, &self.theme.name);
        match Theme::load(next) {
            Ok(mut theme) => {
                // NO_COLOR stays in force whatever theme is picked.
                theme.no_color |= self.theme.no_color;
                self.theme = theme;
            }
            Err(e) => self.say(e.to_string(), true, now),
        }
    }

    fn next_layout(&mut self, now: DateTime<Utc>) {
        let next = cycle(Layout::builtin_names(), &self.layout.name);
        match Layout::load(next) {
            Ok(layout) => {
                self.layout = layout;
                // Named now: no longer chosen by size.
                self.layout_auto = false;
                self.fix_selection();
            }
            Err(e) => self.say(e.to_string(), true, now),
        }
    }
}

/// The name after `current` in `names`, wrapping; the first when unknown.
fn cycle<'a>(names: &[&'a str], current: &str) -> &'a str {
    let at = names.iter().position(|n| *n == current);
    match at {
        Some(i) => names[(i + 1) % names.len()],
        None => names.first().copied().unwrap_or(""),
    }
}
