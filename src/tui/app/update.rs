//! Folding events into state. Each handler marks the app dirty only when what
//! is on screen may have changed: the loop redraws after a batch of events or
//! on the clock tick, never at a fixed rate.

use super::App;
use crate::supervisor::event::SupervisorEvent;
use crate::supervisor::Snapshot;
use crate::tui::keymap;
use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEvent};
use std::sync::Arc;

impl App {
    pub fn apply(&mut self, event: SupervisorEvent, now: DateTime<Utc>) {
        match event {
            SupervisorEvent::Snapshot(snap) => self.draw_snapshot(&snap, now),
            // The supervisor folds these; the cockpit draws its snapshots.
            SupervisorEvent::Poll(_) => {}
            SupervisorEvent::ReleaseChanged(state) => {
                self.supervisor_kill = state.kill.clone();
                self.release = *state;
                self.reconcile_kill();
                self.fix_selection();
                self.mark_dirty();
            }
            SupervisorEvent::Notice { text, bad } => self.say(text, bad, now),
            SupervisorEvent::Condition { topic, text } => {
                let changed = match text {
                    Some(t) => self.conditions.insert(topic, t.clone()) != Some(t),
                    None => self.conditions.remove(topic).is_some(),
                };
                self.dirty |= changed;
            }
            SupervisorEvent::KillDone {
                state, text, kept, ..
            } => {
                let bad = !matches!(state, crate::release::KillState::Halted { .. });
                self.kill_done(state, kept);
                self.say(text, bad, now);
            }
        }
    }

    /// The supervisor's picture replaces what is drawn. Nothing is evaluated
    /// here. A change that matters (see `matters`) is drawn at once; new
    /// values and ages alone wait for the next second's frame (`on_tick`),
    /// so a cockpit whose sources answer a few times a second draws about
    /// once a second, not once per answer.
    fn draw_snapshot(&mut self, snap: &Snapshot, now: DateTime<Utc>) {
        let matters = self.matters(snap);
        // Shared with the snapshot: pointer copies.
        self.verdicts = snap.verdicts.clone();
        self.acks.clone_from(&snap.acks);
        self.gate.clone_from(&snap.gate);
        self.sources = snap.sources.clone();
        self.history = snap.guards.clone();
        self.observations = snap.observations.clone();
        self.supervisor_kill = snap.kill.clone();
        // The release state is the cockpit's own copy (its acts fold into
        // it too): copied only when the supervisor's changed.
        if !self
            .release_from
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(r, &snap.release))
        {
            self.release.clone_from(&snap.release);
            self.release_from = Some(snap.release.clone());
        }
        self.reconcile_kill();
        for (topic, text) in &snap.conditions {
            self.conditions.insert(topic, text.clone());
        }
        self.conditions
            .retain(|topic, _| snap.conditions.contains_key(topic));
        if let Some(said) = snap.said.as_ref().filter(|s| s.seq > self.said_seq) {
            self.said_seq = said.seq;
            self.say(said.text.clone(), said.bad, now);
        }
        self.fix_selection();
        if matters {
            self.mark_dirty();
        }
    }

    /// Whether `snap` changes something a person must see at once: the gate,
    /// a verdict's status, an ACK, the journal's state (stages, ACKs, kill
    /// switch, alarms), the kill switch as the supervisor knows it, a source
    /// going down or coming back, a guard's trip condition, a lasting
    /// condition, a notice. Values and ages are not: they are drawn with the
    /// next second's frame.
    fn matters(&self, snap: &Snapshot) -> bool {
        let statuses = || {
            self.verdicts.len() != snap.verdicts.len()
                || self
                    .verdicts
                    .iter()
                    .zip(snap.verdicts.iter())
                    .any(|(a, b)| a.status != b.status || a.check != b.check)
        };
        let sources_up = || {
            self.sources.len() != snap.sources.len()
                || self
                    .sources
                    .values()
                    .zip(snap.sources.values())
                    .any(|(a, b)| a.last_ok != b.last_ok)
        };
        let trips = || {
            self.history.len() != snap.guards.len()
                || self
                    .history
                    .iter()
                    .zip(snap.guards.iter())
                    .any(|(a, b)| a.tripped != b.tripped)
        };
        let release_changed = !self
            .release_from
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(r, &snap.release));
        release_changed
            || self.supervisor_kill != snap.kill
            || self.gate != snap.gate
            || self.acks != snap.acks
            || snap.said.as_ref().is_some_and(|s| s.seq > self.said_seq)
            || self.conditions.len() != snap.conditions.len()
            || self
                .conditions
                .iter()
                .zip(snap.conditions.iter())
                .any(|(a, b)| a != b)
            || (!Arc::ptr_eq(&self.verdicts, &snap.verdicts) && statuses())
            || (!Arc::ptr_eq(&self.sources, &snap.sources) && sources_up())
            || (!Arc::ptr_eq(&self.history, &snap.guards) && trips())
    }

    /// The input task fired the kill switch on the second `K` (`Ok`: it
    /// started, FIRING until the readback says more; `Err`: why not).
    pub fn kill_fired_from_input(&mut self, started: Result<String, String>, now: DateTime<Utc>) {
        self.kill_keys.disarm();
        self.kill_arm.disarm();
        match started {
            Ok(text) => {
                self.kill_dispatched(now);
                self.say(text, false, now);
            }
            Err(why) => self.say(why, true, now),
        }
        self.mark_dirty();
    }

    /// The once-a-second clock: countdowns and the kill arming window.
    pub fn on_tick(&mut self, now: DateTime<Utc>) {
        if self.kill_keys.expired(now) {
            self.kill_arm.disarm();
            self.say("kill switch disarmed (5 s passed)", false, now);
        }
        self.mark_dirty();
    }

    pub fn on_terminal(&mut self, event: Event, now: DateTime<Utc>) {
        match event {
            Event::Key(key) => self.on_key(key, now),
            Event::Mouse(m) => self.mouse(m, now),
            Event::Resize(w, h) => self.resized(w, h),
            // The terminal may have been scribbled on while we were away.
            Event::FocusGained => self.mark_dirty(),
            Event::FocusLost | Event::Paste(_) => {}
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, now: DateTime<Utc>) {
        // An open dialog reads keys first (typing), unless the kill switch is
        // armed: then the next key is the kill switch's alone.
        if self.dialog.is_some() && self.kill_armed(now).is_none() && self.dialog_key(key, now) {
            return;
        }
        if self.confirm_key(key, now) {
            return;
        }
        if let Some(action) = keymap::action_for(&key) {
            self.dispatch(action, now);
        }
    }
}
