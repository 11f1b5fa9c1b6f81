//! Time in a stage: the hold's countdown and the decision points, all pure
//! functions of the stage's `entered_at` (from the journal) and `now`.

use crate::engine::{GateDecision, Verdict};
use crate::journal::event::{CheckSnapshot, DecisionPoint};
use crate::journal::Event;
use crate::playbook::{Playbook, Stage};
use crate::release::{ReleaseState, StageState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextPoint {
    /// The decision point, as an offset from entering the stage (T+30m).
    pub offset: Duration,
    /// Time until it (zero once due).
    pub left: Duration,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Countdown {
    pub stage: String,
    pub percent: f64,
    pub elapsed: Duration,
    pub hold: Option<Duration>,
    /// Time left in the hold (zero once it is over); None when the stage has no hold.
    pub hold_left: Option<Duration>,
    /// The earliest decision point not yet recorded.
    pub next_decision_point: Option<NextPoint>,
    /// Decision points due and not yet recorded (the caller evaluates and journals them).
    pub due: Vec<Duration>,
}

impl Countdown {
    pub fn hold_over(&self) -> bool {
        self.hold_left.is_some_and(|l| l.is_zero())
    }
}

/// The playbook's spec of the stage the state is in (by index, checked by name).
pub fn stage_spec<'a>(pb: &'a Playbook, st: &StageState) -> Option<&'a Stage> {
    let stages = &pb.ramp.as_ref()?.stages;
    stages
        .get(st.index)
        .filter(|s| s.name == st.name)
        .or_else(|| stages.iter().find(|s| s.name == st.name))
}

fn elapsed(st: &StageState, now: DateTime<Utc>) -> Duration {
    (now - st.entered_at).to_std().unwrap_or_default()
}

/// The countdown of the current stage; None before the ramp starts.
pub fn countdown(pb: &Playbook, state: &ReleaseState, now: DateTime<Utc>) -> Option<Countdown> {
    let st = state.stage.as_ref()?;
    let spec = stage_spec(pb, st);
    let elapsed = elapsed(st, now);
    let hold = spec.and_then(|s| s.hold).map(|d| d.as_std());
    let pending: Vec<Duration> = pending_points(spec, st);
    Some(Countdown {
        stage: st.name.clone(),
        percent: st.percent,
        elapsed,
        hold,
        hold_left: hold.map(|h| h.saturating_sub(elapsed)),
        next_decision_point: pending.first().map(|&offset| NextPoint {
            offset,
            left: offset.saturating_sub(elapsed),
        }),
        due: pending.into_iter().filter(|p| *p <= elapsed).collect(),
    })
}

/// Decision points of the current stage that are due and not yet recorded.
pub fn due_decision_points(
    pb: &Playbook,
    state: &ReleaseState,
    now: DateTime<Utc>,
) -> Vec<Duration> {
    countdown(pb, state, now).map(|c| c.due).unwrap_or_default()
}

fn pending_points(spec: Option<&Stage>, st: &StageState) -> Vec<Duration> {
    let mut points: Vec<Duration> = spec
        .map(|s| s.decision_points.iter().map(|d| d.as_std()).collect())
        .unwrap_or_default();
    points.sort();
    points.dedup();
    points.retain(|p| !st.decision_points_done.contains(p));
    points
}

/// The `decision_point` event recording every check as it stood at `offset`.
pub fn decision_point_event(
    st: &StageState,
    offset: Duration,
    gate: &GateDecision,
    verdicts: &[Verdict],
) -> Event {
    Event::DecisionPoint(DecisionPoint {
        stage: st.name.clone(),
        offset_ms: offset.as_millis() as u64,
        decision: gate.decision.word().to_string(),
        checks: verdicts
            .iter()
            .map(|v| CheckSnapshot {
                id: v.check.clone(),
                status: v.status.word().to_string(),
                value: v.evidence.value.clone(),
                reason: v.evidence.reason.clone(),
            })
            .collect(),
    })
}
