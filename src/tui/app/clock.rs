//! The ramp's clock: time left in the hold and to the next decision point,
//! from the stage's `entered_at` and the playbook. Pure.

use crate::playbook::{Dur, LoadedPlaybook, Stage};
use crate::release::StageState;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct RampClock {
    /// Time since the stage was entered.
    pub elapsed: Duration,
    /// The hold and what is left of it (never negative), when the stage has one.
    pub hold: Option<Duration>,
    pub hold_left: Option<Duration>,
    /// The next decision point not recorded yet: its offset and the time to it
    /// (negative: due and not recorded).
    pub next_point: Option<(Dur, Duration)>,
    /// How many decision points the stage has, and how many are recorded.
    pub points: usize,
    pub points_done: usize,
}

pub fn stage_spec(pb: &LoadedPlaybook, index: usize) -> Option<&Stage> {
    pb.playbook.ramp.as_ref()?.stages.get(index)
}

pub fn ramp_clock(pb: &LoadedPlaybook, stage: &StageState, now: DateTime<Utc>) -> RampClock {
    let elapsed = (now - stage.entered_at).max(Duration::zero());
    let spec = stage_spec(pb, stage.index);
    let hold = spec.and_then(|s| s.hold).map(|h| h.as_chrono());
    let mut points: Vec<Dur> = spec.map(|s| s.decision_points.clone()).unwrap_or_default();
    points.sort();
    let done = |p: &Dur| stage.decision_points_done.contains(&p.as_std());
    let next_point = points
        .iter()
        .find(|p| !done(p))
        .map(|p| (*p, p.as_chrono() - elapsed));
    RampClock {
        elapsed,
        hold,
        hold_left: hold.map(|h| (h - elapsed).max(Duration::zero())),
        next_point,
        points: points.len(),
        points_done: points.iter().filter(|p| done(p)).count(),
    }
}

/// "1:02:03", "12:34" (under an hour), "-0:42" (overdue).
pub fn hms(d: Duration) -> String {
    let sign = if d < Duration::zero() { "-" } else { "" };
    let s = d.num_seconds().abs();
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{sign}{h}:{m:02}:{s:02}")
    } else {
        format!("{sign}{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pb() -> LoadedPlaybook {
        crate::playbook::load(std::path::Path::new("tests/fixtures/cockpit.toml")).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn hold_and_next_decision_point() {
        let stage = StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: at("2026-11-21T11:00:00Z"),
            decision_points_done: vec![std::time::Duration::from_secs(1800)],
        };
        let c = ramp_clock(&pb(), &stage, at("2026-11-21T11:45:00Z"));
        assert_eq!(c.hold, Some(Duration::hours(2)));
        assert_eq!(c.hold_left, Some(Duration::minutes(75)));
        let (offset, left) = c.next_point.unwrap();
        assert_eq!(offset.as_std().as_secs(), 3600);
        assert_eq!(left, Duration::minutes(15));
        assert_eq!((c.points, c.points_done), (3, 1));
        let late = ramp_clock(&pb(), &stage, at("2026-11-21T14:00:00Z"));
        assert_eq!(late.hold_left, Some(Duration::zero()));
        assert!(late.next_point.unwrap().1 < Duration::zero());
    }

    #[test]
    fn durations_read_as_clocks() {
        assert_eq!(hms(Duration::seconds(3723)), "1:02:03");
        assert_eq!(hms(Duration::seconds(754)), "12:34");
        assert_eq!(hms(Duration::seconds(-42)), "-00:42");
    }
}
