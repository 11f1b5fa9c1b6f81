//! Folding events into state. Each handler marks the app dirty only when what
//! is on screen may have changed: the loop redraws after a batch of events or
//! on the clock tick, never at a fixed rate.

use super::{App, SourceHealth};
use crate::poller::PollEvent;
use crate::source::Observation;
use crate::tui::event::AppEvent;
use crate::tui::keymap;
use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEvent, MouseButton, MouseEventKind};

impl App {
    pub fn apply(&mut self, event: AppEvent, now: DateTime<Utc>) {
        match event {
            AppEvent::Poll(PollEvent::Started { source }) => {
                if let Some(h) = self.sources.get_mut(&source) {
                    h.polling = true;
                    self.mark_dirty();
                }
            }
            AppEvent::Poll(PollEvent::Finished(obs)) => self.observe(*obs, now),
            AppEvent::ReleaseChanged(state) => {
                self.release = *state;
                self.reconcile_kill();
                self.evaluate(now);
                self.fix_selection();
                self.mark_dirty();
            }
            AppEvent::Notice { text, bad } => self.say(text, bad, now),
            AppEvent::Condition { topic, text } => {
                let changed = match text {
                    Some(t) => self.conditions.insert(topic, t.clone()) != Some(t),
                    None => self.conditions.remove(topic).is_some(),
                };
                self.dirty |= changed;
            }
            AppEvent::KillDone {
                state, text, kept, ..
            } => {
                let bad = !matches!(state, crate::release::KillState::Halted { .. });
                self.kill_done(state, kept);
                self.say(text, bad, now);
            }
        }
    }

    fn observe(&mut self, obs: Observation, now: DateTime<Utc>) {
        let mut scratch = SourceHealth::default();
        let health = self.sources.get_mut(&obs.source).unwrap_or(&mut scratch);
        health.polling = false;
        health.last_at = Some(obs.at);
        health.last_ok = Some(obs.outcome.is_ok());
        match &obs.outcome {
            Ok(_) => {
                health.last_success = Some(obs.at);
                health.error = None;
                health.failures = 0;
            }
            Err(e) => {
                health.error = Some(e.to_string());
                health.failures = health.failures.saturating_add(1);
            }
        }
        let extra = self.extra();
        for (guard, history) in self.pb.guards.iter().zip(self.history.iter_mut()) {
            if guard.spec.source == obs.source {
                history.record(guard, &obs, &extra);
            }
        }
        // Straight from the data to the trip: no timer in between.
        self.watch_guards(&obs, now);
        self.observations.insert(obs.source.clone(), obs);
        self.evaluate(now);
        self.fix_selection();
        self.mark_dirty();
    }

    /// The once-a-second clock: staleness, countdowns, the kill arming
    /// window, and decision points falling due.
    pub fn on_tick(&mut self, now: DateTime<Utc>) {
        if self.kill_armed_until.is_some() && self.kill_armed(now).is_none() {
            self.kill_armed_until = None;
            self.say("kill switch disarmed (5 s passed)", false, now);
        }
        self.evaluate(now);
        self.record_due_points(now);
        self.mark_dirty();
    }

    pub fn on_terminal(&mut self, event: Event, now: DateTime<Utc>) {
        match event {
            Event::Key(key) => self.on_key(key, now),
            Event::Mouse(m) => {
                if m.kind == MouseEventKind::Down(MouseButton::Left)
                    && self.overlay.is_none()
                    && self.dialog.is_none()
                    && self.kill_armed(now).is_none()
                    && self.click(m.column, m.row)
                {
                    self.mark_dirty();
                }
            }
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.fix_selection();
                self.mark_dirty();
            }
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
        if let Some(action) = keymap::action_for(&key) {
            self.dispatch(action, now);
        }
    }
}
