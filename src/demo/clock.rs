//! The demo world's own clock: real time since the world started, multiplied
//! by `--speed`. The story (scenario.rs) is told in simulated seconds; the wall
//! clock is only used to stamp what the servers report.

use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    started: Instant,
    started_wall: DateTime<Utc>,
    speed: f64,
}

impl SimClock {
    /// A clock starting now; `speed` below or at zero (or not finite) counts as 1.
    pub fn start(speed: f64) -> SimClock {
        SimClock {
            started: Instant::now(),
            started_wall: Utc::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated time since the world started.
    pub fn sim_now(&self) -> Duration {
        self.started.elapsed().mul_f64(self.speed)
    }

    /// The real (wall-clock) moment at which simulated time `sim` happens.
    pub fn wall_at(&self, sim: Duration) -> DateTime<Utc> {
        let real = sim.div_f64(self.speed);
        self.started_wall + chrono::Duration::from_std(real).unwrap_or(chrono::Duration::zero())
    }

    /// Real time until simulated time `sim` (zero if it has passed).
    pub fn real_until(&self, sim: Duration) -> Duration {
        sim.saturating_sub(self.sim_now()).div_f64(self.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_scales_simulated_time_and_bad_speeds_are_one() {
        let c = SimClock::start(60.0);
        assert!(c.real_until(Duration::from_secs(120)) <= Duration::from_secs(2));
        let t = c.wall_at(Duration::from_secs(60));
        assert_eq!((t - c.started_wall).num_seconds(), 1);
        for bad in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(SimClock::start(bad).speed(), 1.0);
        }
    }
}
