//! Answering the cockpit's questions. Enter is never "yes": a stray Enter (a
//! second one after a dialog's, a paste) must not ramp, roll back or quit.
//! `y` says yes; entering a stage that takes all the traffic (100%) asks for
//! the stage's name typed out instead (case does not matter), then Enter.
//! `n` and Esc say no. The kill key stays the kill key while typing.

use super::{App, Confirm, Overlay};
use crate::tui::keymap::{self, Action};
use crate::tui::overlays::form::{pressed, TextField};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    /// The stage name `question` wants typed before it is answered yes
    /// (entering a stage at 100% that may be entered), if any.
    pub fn typed_answer(&self, question: Confirm, now: DateTime<Utc>) -> Option<String> {
        let Confirm::EnterStage(i) = question else {
            return None;
        };
        let stage = self.pb.playbook.ramp.as_ref()?.stages.get(i)?;
        (stage.percent >= 100.0 && self.enter_refusal(i, now).is_none()).then(|| stage.name.clone())
    }

    /// Takes `key` while a confirmation that wants a typed name (or a
    /// prompt) is open.
    /// False when it is not such a question (or the key is the kill key):
    /// the keymap decides.
    pub(crate) fn confirm_key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> bool {
        // The armed kill switch's modal takes the next key (Esc disarms).
        if self.kill_armed(now).is_some() {
            return false;
        }
        // The `/` and `:` prompts type the same way (`prompt.rs`).
        if self.prompt_key(key, now) {
            return true;
        }
        let Some(Overlay::Confirm(question)) = self.overlay else {
            return false;
        };
        let Some(name) = self.typed_answer(question, now) else {
            return false;
        };
        if !pressed(&key) || keymap::action_for(&key) == Some(Action::Kill) {
            return false;
        }
        self.mark_dirty();
        match key.code {
            KeyCode::Esc => self.close_confirm(),
            KeyCode::Enter if typed_matches(self.confirm_typed.value(), &name) => {
                self.close_confirm();
                self.confirmed(question, now);
            }
            KeyCode::Enter => self.say(
                format!("type the stage's name, {name}, then Enter (Esc: no)"),
                true,
                now,
            ),
            _ => _ = self.confirm_typed.edit(&key),
        }
        true
    }

    /// Answers the open confirmation: yes (`y`) or no (`n`, Esc, `q`).
    pub(super) fn confirm_action(&mut self, question: Confirm, action: Action, now: DateTime<Utc>) {
        match action {
            Action::Confirm if self.typed_answer(question, now).is_none() => {
                self.close_confirm();
                self.confirmed(question, now);
            }
            Action::Close | Action::Quit => self.close_confirm(),
            Action::Suspend => self.suspend = true,
            // Enter is not yes: say what is.
            Action::Open => self.say("press y for yes, n or Esc for no", false, now),
            _ => {}
        }
    }

    pub(super) fn ask(&mut self, question: Confirm) {
        self.confirm_typed = TextField::default();
        self.overlay = Some(Overlay::Confirm(question));
    }

    fn close_confirm(&mut self) {
        self.overlay = None;
        self.confirm_typed = TextField::default();
    }
}

fn typed_matches(typed: &str, name: &str) -> bool {
    typed.trim().to_lowercase() == name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::typed_matches;

    #[test]
    fn the_name_typed_in_any_case() {
        assert!(typed_matches("100%", "100%"));
        assert!(typed_matches(" full ", "FULL"));
        assert!(!typed_matches("", "100%"));
        assert!(!typed_matches("100", "100%"));
    }
}
