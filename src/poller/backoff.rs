//! How long a source waits before its next poll: its interval while it answers,
//! doubling on each failure up to a cap, so a dead server is not hammered and a
//! recovered one is picked up again within the cap.

use std::time::Duration;

/// The cap never drops below this, so a fast source backs off to at least a minute.
pub const MIN_CAP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    /// `base` is the source's interval; the cap is `max(base, MIN_CAP)`.
    pub fn new(base: Duration) -> Self {
        Backoff {
            base,
            cap: base.max(MIN_CAP),
            failures: 0,
        }
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Records a poll's outcome and returns the pause before the next one.
    pub fn after(&mut self, ok: bool) -> Duration {
        if ok {
            self.failures = 0;
            return self.base;
        }
        self.failures = self.failures.saturating_add(1);
        // 2^failures, computed without overflow: past 2^16 the cap wins anyway.
        let factor = 1u32 << self.failures.min(16);
        self.base.saturating_mul(factor).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_on_failure_up_to_the_cap_and_resets_on_success() {
        let mut b = Backoff::new(Duration::from_secs(5));
        let delays: Vec<u64> = (0..6).map(|_| b.after(false).as_secs()).collect();
        assert_eq!(delays, vec![10, 20, 40, 60, 60, 60]);
        assert_eq!(b.failures(), 6);
        assert_eq!(b.after(true), Duration::from_secs(5));
        assert_eq!(b.failures(), 0);
        assert_eq!(b.after(false), Duration::from_secs(10));
    }

    #[test]
    fn a_slow_source_keeps_its_interval_as_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(300));
        assert_eq!(b.after(false), Duration::from_secs(300));
        assert_eq!(b.after(true), Duration::from_secs(300));
    }

    #[test]
    fn many_failures_never_overflow() {
        let mut b = Backoff::new(Duration::from_millis(1));
        for _ in 0..100 {
            assert!(b.after(false) <= MIN_CAP);
        }
    }
}
