//! The second `K`, decided where the key is read. The cockpit's loop decides
//! whether a `K` arms the kill switch (a text field may be typing it); once it
//! has armed, it says so through `KillArm`, and the input task fires on the
//! next `K` itself, without waiting for the loop, timed from the read.
//!
//! `KillKeys` is the whole rule, pure: swap it to change what fires.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The arming the cockpit's loop decided, shared with the input task.
#[derive(Debug, Clone, Default)]
pub struct KillArm(Arc<Mutex<Option<Instant>>>);

impl KillArm {
    /// Armed until `until`.
    pub fn arm(&self, until: Instant) {
        if let Ok(mut a) = self.0.lock() {
            *a = Some(until);
        }
    }

    pub fn disarm(&self) {
        if let Ok(mut a) = self.0.lock() {
            *a = None;
        }
    }

    /// Armed at `at`: takes the arming (a second `K` fires once).
    pub fn take_if_armed(&self, at: Instant) -> bool {
        match self.0.lock() {
            Ok(mut a) => match *a {
                Some(until) if at <= until => {
                    *a = None;
                    true
                }
                _ => false,
            },
            Err(_) => false,
        }
    }
}

/// The kill key: `K` (Shift-k), pressed (not released or repeated).
pub fn is_kill_key(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && matches!(key.code, KeyCode::Char('K'))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// What the input task does with a key it has read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillKey {
    /// Fire the kill switch now, from here.
    Fire,
    /// Hand the key to the cockpit's loop (it may arm, or be typed).
    Pass,
}

/// The rule for the second `K`: a kill key read while the loop has armed.
#[derive(Debug, Default)]
pub struct KillKeys {
    /// When the previous kill key was read.
    last_k: Option<Instant>,
}

impl KillKeys {
    pub fn on_key(&mut self, key: &KeyEvent, at: Instant, arm: &KillArm) -> KillKey {
        if !is_kill_key(key) {
            return KillKey::Pass;
        }
        self.last_k = Some(at);
        if arm.take_if_armed(at) {
            KillKey::Fire
        } else {
            KillKey::Pass
        }
    }

    /// How long ago the previous kill key was read (for a burst rule).
    pub fn since_last(&self, at: Instant) -> Option<Duration> {
        self.last_k.map(|t| at.saturating_duration_since(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k() -> KeyEvent {
        KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT)
    }

    #[test]
    fn fires_only_on_a_k_while_armed_and_once() {
        let arm = KillArm::default();
        let mut keys = KillKeys::default();
        let t0 = Instant::now();
        assert_eq!(
            keys.on_key(&k(), t0, &arm),
            KillKey::Pass,
            "not armed: the loop arms"
        );
        arm.arm(t0 + Duration::from_secs(5));
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(keys.on_key(&x, t0, &arm), KillKey::Pass);
        assert_eq!(
            keys.on_key(&k(), t0 + Duration::from_secs(1), &arm),
            KillKey::Fire
        );
        assert_eq!(
            keys.on_key(&k(), t0 + Duration::from_secs(2), &arm),
            KillKey::Pass,
            "fired once; the next K arms again through the loop"
        );
        assert_eq!(
            keys.since_last(t0 + Duration::from_secs(3)),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn an_expired_or_disarmed_arming_does_not_fire() {
        let arm = KillArm::default();
        let mut keys = KillKeys::default();
        let t0 = Instant::now();
        arm.arm(t0 + Duration::from_secs(5));
        assert_eq!(
            keys.on_key(&k(), t0 + Duration::from_secs(6), &arm),
            KillKey::Pass
        );
        arm.arm(t0 + Duration::from_secs(5));
        arm.disarm();
        assert_eq!(keys.on_key(&k(), t0, &arm), KillKey::Pass);
    }
}
