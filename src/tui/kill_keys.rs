//! The kill key's rule, pure (time passed in): the first `K` arms the kill
//! switch for `WINDOW`; a second `K` inside that window fires it, unless it
//! came as part of a burst. A burst is a `K` less than `BURST` after the `K`
//! before it (key repeat from a held key, a paste, a bounce): it is
//! ignored, and the switch stays armed, so a deliberate press a moment later
//! still fires. The gap is measured from the previous `K` of any kind, so a
//! held key (a stream of repeats ~30 ms apart) never fires however long it
//! is held.
//!
//! The latency of K K is measured from the second, deliberate press: nothing
//! here waits, it only looks at when the presses came.

use chrono::{DateTime, Duration, Utc};

/// How long the first `K` keeps the kill switch armed.
pub const WINDOW: Duration = Duration::seconds(5);
/// A second `K` closer than this to the previous one is a burst, not a press.
pub const BURST: Duration = Duration::milliseconds(150);

/// What a `K` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillKey {
    /// Not armed before: armed now, for `WINDOW`.
    Armed,
    /// Armed, and this press was deliberate: fire the kill switch.
    Fire,
    /// Armed, but this `K` came in a burst with the one before: nothing
    /// happens, the switch stays armed.
    IgnoredBurst,
}

/// The arming state of the kill key at one terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KillKeys {
    armed_until: Option<DateTime<Utc>>,
    last_k: Option<DateTime<Utc>>,
}

impl KillKeys {
    /// A `K` arrived at `now`.
    pub fn on_k(&mut self, now: DateTime<Utc>) -> KillKey {
        let previous = self.last_k.replace(now);
        if self.armed(now).is_none() {
            self.armed_until = Some(now + WINDOW);
            return KillKey::Armed;
        }
        // The clock may step back; a negative gap is no deliberate press.
        let burst = previous.is_some_and(|p| now - p < BURST);
        if burst {
            return KillKey::IgnoredBurst;
        }
        self.armed_until = None;
        KillKey::Fire
    }

    /// Time left in the arming window, if armed at `now`.
    pub fn armed(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.armed_until
            .map(|until| until - now)
            .filter(|left| *left > Duration::zero())
    }

    /// Esc, or the kill switch fired from elsewhere.
    pub fn disarm(&mut self) {
        self.armed_until = None;
    }

    /// True when the window had been open and has run out by `now` (it is
    /// then closed, so this says so once).
    pub fn expired(&mut self, now: DateTime<Utc>) -> bool {
        let ran_out = self.armed_until.is_some() && self.armed(now).is_none();
        if ran_out {
            self.armed_until = None;
        }
        ran_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::milliseconds(ms)
    }

    #[test]
    fn a_deliberate_second_press_fires() {
        let mut k = KillKeys::default();
        assert_eq!(k.on_k(t(0)), KillKey::Armed);
        assert_eq!(k.on_k(t(150)), KillKey::Fire);
        assert!(k.armed(t(151)).is_none(), "firing disarms");
        assert_eq!(k.on_k(t(400)), KillKey::Armed);
        assert_eq!(k.on_k(t(4_999)), KillKey::Fire);
    }

    #[test]
    fn a_burst_is_ignored_and_the_switch_stays_armed() {
        let mut k = KillKeys::default();
        assert_eq!(k.on_k(t(0)), KillKey::Armed);
        assert_eq!(k.on_k(t(2)), KillKey::IgnoredBurst, "a paste of KK");
        assert!(k.armed(t(2)).is_some());
        assert_eq!(k.on_k(t(400)), KillKey::Fire, "a deliberate press later");
    }

    #[test]
    fn a_held_key_never_fires() {
        let mut k = KillKeys::default();
        assert_eq!(k.on_k(t(0)), KillKey::Armed);
        // Key repeat: one K every 33 ms for 3 s.
        for i in 1..90 {
            assert_eq!(k.on_k(t(i * 33)), KillKey::IgnoredBurst, "repeat {i}");
        }
    }

    #[test]
    fn after_the_window_a_k_arms_again() {
        let mut k = KillKeys::default();
        k.on_k(t(0));
        assert!(!k.expired(t(4_000)));
        assert!(k.expired(t(5_000)));
        assert!(!k.expired(t(5_001)), "said once");
        assert_eq!(k.on_k(t(6_000)), KillKey::Armed);
        k.disarm();
        assert_eq!(k.on_k(t(6_500)), KillKey::Armed);
    }

    #[test]
    fn a_clock_stepping_back_is_no_press() {
        let mut k = KillKeys::default();
        k.on_k(t(1_000));
        assert_eq!(k.on_k(t(500)), KillKey::IgnoredBurst);
    }
}
