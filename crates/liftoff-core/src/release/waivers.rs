//! Waivers: a role holder waives one check for a time (`liftoff waive`, `w` in
//! the cockpit). Pure: which waivers hold at `now` is a fold of the journal
//! and the clock, so a waiver ends by itself, in every process at once.
//!
//! A waived check keeps its own verdict (its evidence still says FAIL or
//! UNKNOWN and why); only the gate stops counting it as a hold.

use super::ReleaseState;
use crate::engine::gate::HoldKind;
use crate::engine::{Decision, GateDecision};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A waiver as the journal recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaiverRecord {
    pub check: String,
    pub role: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub justification: String,
}

impl WaiverRecord {
    /// "WAIVED by dana (sre) until 14:30 UTC: coverage ratchet bypassed for hotfix".
    pub fn describe(&self) -> String {
        format!(
            "WAIVED by {} ({}) until {}: {}",
            self.by,
            self.role,
            self.until.format("%H:%M UTC"),
            self.justification
        )
    }
}

/// The waiver holding `check` at `now`, if any (the newest one wins).
pub fn waiver_for<'a>(
    state: &'a ReleaseState,
    check: &str,
    now: DateTime<Utc>,
) -> Option<&'a WaiverRecord> {
    state
        .waivers
        .iter()
        .rev()
        .find(|w| w.check == check && w.at <= now && now < w.until)
}

/// Every waiver holding at `now`, one per check.
pub fn active_waivers(state: &ReleaseState, now: DateTime<Utc>) -> Vec<&WaiverRecord> {
    let mut out: Vec<&WaiverRecord> = Vec::new();
    for w in state.waivers.iter().rev() {
        if w.at <= now && now < w.until && !out.iter().any(|o| o.check == w.check) {
            out.push(w);
        }
    }
    out.reverse();
    out
}

/// The gate with the checks waived at `now` no longer holding it: a waived
/// FAIL or UNKNOWN does not hold the gate back; ACKs are never waived.
pub fn apply(gate: &GateDecision, state: &ReleaseState, now: DateTime<Utc>) -> GateDecision {
    let holds: Vec<_> = gate
        .holds
        .iter()
        .filter(|h| {
            !(matches!(h.kind, HoldKind::Check | HoldKind::Blocker)
                && waiver_for(state, &h.id, now).is_some())
        })
        .cloned()
        .collect();
    GateDecision {
        decision: if holds.is_empty() {
            Decision::Go
        } else {
            Decision::NoGo
        },
        holds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Hold, Status};

    fn t(min: i64) -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(min)
    }

    fn state() -> ReleaseState {
        ReleaseState {
            waivers: vec![WaiverRecord {
                check: "coverage".into(),
                role: "lead".into(),
                by: "dana".into(),
                at: t(0),
                until: t(60),
                justification: "hotfix".into(),
            }],
            ..Default::default()
        }
    }

    fn hold(kind: HoldKind, id: &str) -> Hold {
        Hold {
            kind,
            id: id.into(),
            status: Some(Status::Fail),
            reason: "x".into(),
        }
    }

    #[test]
    fn a_waived_check_stops_holding_the_gate_until_the_waiver_ends() {
        let gate = GateDecision {
            decision: Decision::NoGo,
            holds: vec![hold(HoldKind::Check, "coverage")],
        };
        let s = state();
        assert_eq!(apply(&gate, &s, t(30)).decision, Decision::Go);
        // It expires by itself.
        let later = apply(&gate, &s, t(60));
        assert_eq!(later.decision, Decision::NoGo);
        assert_eq!(later.holds[0].id, "coverage");
        assert!(active_waivers(&s, t(61)).is_empty());
        assert_eq!(active_waivers(&s, t(1)).len(), 1);
    }

    #[test]
    fn other_holds_and_acks_are_not_waived() {
        let gate = GateDecision {
            decision: Decision::NoGo,
            holds: vec![
                hold(HoldKind::Check, "coverage"),
                hold(HoldKind::Check, "errors"),
                hold(HoldKind::Ack, "coverage"),
            ],
        };
        let g = apply(&gate, &state(), t(1));
        assert_eq!(g.decision, Decision::NoGo);
        let ids: Vec<(&str, HoldKind)> = g.holds.iter().map(|h| (h.id.as_str(), h.kind)).collect();
        assert_eq!(
            ids,
            [("errors", HoldKind::Check), ("coverage", HoldKind::Ack)]
        );
    }
}
