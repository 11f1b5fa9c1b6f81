//! Whether the ramp may move, and if not, exactly what holds it.

use crate::engine::{AckStatus, Decision, GateDecision, Hold, Status, Verdict};
use crate::playbook::{Action, Playbook, Ramp, Readback, Stage};
use crate::release::{KillState, ReleaseState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// One thing that stops the ramp from moving.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    NoRamp,
    NoSuchStage {
        index: usize,
    },
    /// Stages are entered in order (`]`); stepping back is `[`.
    NotNext {
        asked: String,
        next: Option<String>,
    },
    AtFirstStage,
    NotStarted,
    /// The gate is NO-GO: these checks (or go_acks roles) hold it.
    NoGo {
        holds: Vec<Hold>,
    },
    /// A role the stage needs has no valid ACK.
    MissingAck {
        role: String,
        why: String,
    },
    KillFiring,
    KillFailed {
        why: String,
    },
    /// The current stage's hold is not over (overridable with a justification).
    HoldNotOver {
        stage: String,
        left: Duration,
        ends: DateTime<Utc>,
    },
    /// Decision points of the current stage fell due and were not recorded
    /// (overridable with a justification).
    PointsNotRecorded {
        stage: String,
        points: Vec<Duration>,
    },
    /// A check the stage `requires` is not PASS.
    Requires {
        check: String,
        status: Option<Status>,
        why: String,
    },
}

impl Reason {
    /// Whether `--override-hold` (or the cockpit's override) may set this reason aside.
    pub fn overridable(&self) -> bool {
        matches!(
            self,
            Reason::HoldNotOver { .. } | Reason::PointsNotRecorded { .. }
        )
    }
}

impl Reason {
    /// How an overridden reason reads in the journal and the report (no advice).
    pub fn as_overridden(&self) -> String {
        match self {
            Reason::HoldNotOver { stage, left, ends } => format!(
                "the {stage} hold was cut short with {} left (it was to end at {})",
                human(*left),
                ends.format("%H:%M:%S UTC")
            ),
            other => other.to_string(),
        }
    }
}

/// "1h 59m 3s": whole seconds, as people read a countdown.
pub fn human(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoRamp => write!(f, "the playbook has no [ramp]"),
            Reason::NoSuchStage { index } => write!(f, "there is no stage #{index}"),
            Reason::NotNext { asked, next } => match next {
                Some(n) => write!(f, "{asked} is not the next stage ({n} is)"),
                None => write!(f, "the ramp is at its last stage"),
            },
            Reason::AtFirstStage => write!(f, "the ramp is at its first stage: nothing to step back to"),
            Reason::NotStarted => write!(f, "the ramp has not started"),
            Reason::NoGo { holds } => {
                let list: Vec<String> = holds
                    .iter()
                    .map(|h| match h.status {
                        Some(s) => format!("{} ({}: {})", h.id, s.word(), h.reason),
                        None => format!("{} ({})", h.id, h.reason),
                    })
                    .collect();
                write!(f, "NO-GO, held by {}", list.join("; "))
            }
            Reason::MissingAck { role, why } => write!(f, "no valid ACK from {role} ({why})"),
            Reason::KillFiring => write!(f, "the kill switch is firing"),
            Reason::KillFailed { why } => write!(
                f,
                "the kill switch FAILED ({why}): the world is not proven halted; fire it again or step back"
            ),
            Reason::HoldNotOver { stage, left, ends } => write!(
                f,
                "the {stage} hold has {} left (it ends at {}); an override needs a justification",
                human(*left),
                ends.format("%H:%M:%S UTC")
            ),
            Reason::PointsNotRecorded { stage, points } => {
                let list: Vec<String> = points.iter().map(|p| format!("T+{}", human(*p))).collect();
                write!(
                    f,
                    "decision point{} {} of stage {stage} fell due and {} not recorded",
                    if points.len() == 1 { "" } else { "s" },
                    list.join(", "),
                    if points.len() == 1 { "was" } else { "were" }
                )
            }
            Reason::Requires { check, status, why } => match status {
                Some(s) => write!(f, "the stage requires {check} to PASS (it is {}: {why})", s.word()),
                None => write!(f, "the stage requires {check} to PASS ({why})"),
            },
        }
    }
}

/// Why the ramp will not move: every reason at once, not just the first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    /// The stage asked for, if any.
    pub stage: Option<String>,
    pub reasons: Vec<Reason>,
}

impl Refusal {
    /// Check ids that hold it (from a NO-GO).
    pub fn checks(&self) -> Vec<&str> {
        self.reasons
            .iter()
            .flat_map(|r| match r {
                Reason::NoGo { holds } => holds.iter().map(|h| h.id.as_str()).collect(),
                _ => Vec::new(),
            })
            .collect()
    }
    /// Roles whose ACK is missing for the stage.
    pub fn roles(&self) -> Vec<&str> {
        self.reasons
            .iter()
            .filter_map(|r| match r {
                Reason::MissingAck { role, .. } => Some(role.as_str()),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.stage {
            Some(s) => write!(f, "cannot enter stage {s}: ")?,
            None => write!(f, "cannot move the ramp: ")?,
        }
        let parts: Vec<String> = self.reasons.iter().map(Reason::to_string).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for Refusal {}

/// The stage `]` would enter: the first when none was entered, else the one after.
pub fn next_stage(pb: &Playbook, state: &ReleaseState) -> Option<usize> {
    let stages = &pb.ramp.as_ref()?.stages;
    let next = state.stage.as_ref().map_or(0, |s| s.index + 1);
    (next < stages.len()).then_some(next)
}

/// The stage `[` would go back to.
pub fn previous_stage(state: &ReleaseState) -> Option<usize> {
    state.stage.as_ref()?.index.checked_sub(1)
}

/// The action that sets a stage's traffic share (its own `set`, else the ramp's).
pub fn set_action<'a>(ramp: &'a Ramp, stage: &'a Stage) -> &'a Action {
    &stage.set.as_ref().unwrap_or(&ramp.set).action
}

/// May the ramp enter stage `index`? It must be the next stage, the gate must
/// be GO and every role the stage names must hold a valid ACK (`acks`: the
/// statuses of the stage's roles, from `release::entry_ack_status`).
pub fn can_enter(
    pb: &Playbook,
    index: usize,
    gate: &GateDecision,
    acks: &[AckStatus],
    state: &ReleaseState,
) -> Result<(), Refusal> {
    let Some(ramp) = &pb.ramp else {
        return Err(Refusal {
            stage: None,
            reasons: vec![Reason::NoRamp],
        });
    };
    let Some(stage) = ramp.stages.get(index) else {
        return Err(Refusal {
            stage: None,
            reasons: vec![Reason::NoSuchStage { index }],
        });
    };
    let mut reasons = Vec::new();
    let next = next_stage(pb, state);
    if next != Some(index) {
        reasons.push(Reason::NotNext {
            asked: stage.name.clone(),
            next: next.map(|n| ramp.stages[n].name.clone()),
        });
    }
    kill_blocks(state, &mut reasons);
    if gate.decision == Decision::NoGo {
        reasons.push(Reason::NoGo {
            holds: gate.holds.clone(),
        });
    }
    for role in &stage.acks {
        let status = acks.iter().find(|a| a.role == *role);
        if !status.is_some_and(AckStatus::is_valid) {
            reasons.push(Reason::MissingAck {
                role: role.clone(),
                why: status
                    .and_then(|s| s.missing.clone())
                    .unwrap_or_else(|| "no ACK yet".into()),
            });
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            stage: Some(stage.name.clone()),
            reasons,
        })
    }
}

/// The readback that proves `stage` (its own, else the ramp's).
pub fn readback_for<'a>(ramp: &'a Ramp, stage: &'a Stage) -> Option<&'a Readback> {
    stage.readback.as_ref().or(ramp.readback.as_ref())
}

/// The action that takes the ramp back from stage `from` to stage `to`: the
/// `undo` of the stage being left, else the `set` of the stage stepped back to
/// (never the current stage's `set` again).
pub fn undo_action<'a>(ramp: &'a Ramp, from: Option<&'a Stage>, to: &'a Stage) -> &'a Action {
    from.and_then(|s| s.undo.as_ref())
        .map(|undo| &undo.action)
        .unwrap_or_else(|| set_action(ramp, to))
}

/// What holds the ramp in its current stage at `now`: the hold not over, and
/// decision points that fell due without being recorded. Both can be overridden.
pub fn hold_reasons(pb: &Playbook, state: &ReleaseState, now: DateTime<Utc>) -> Vec<Reason> {
    let Some(c) = super::countdown(pb, state, now) else {
        return Vec::new();
    };
    let mut reasons = Vec::new();
    if let (Some(left), Some(st)) = (c.hold_left.filter(|l| !l.is_zero()), &state.stage) {
        let ends = st.entered_at
            + chrono::Duration::from_std(c.hold.unwrap_or_default()).unwrap_or_default();
        reasons.push(Reason::HoldNotOver {
            stage: c.stage.clone(),
            left,
            ends,
        });
    }
    if !c.due.is_empty() {
        reasons.push(Reason::PointsNotRecorded {
            stage: c.stage.clone(),
            points: c.due.clone(),
        });
    }
    reasons
}

/// The checks stage `stage` requires that are not PASS (a check without a verdict is UNKNOWN).
pub fn requires_reasons(stage: &Stage, verdicts: &[Verdict]) -> Vec<Reason> {
    stage
        .requires
        .iter()
        .filter_map(|id| match verdicts.iter().find(|v| v.check == *id) {
            Some(v) if v.status == Status::Pass => None,
            Some(v) => Some(Reason::Requires {
                check: id.clone(),
                status: Some(v.status),
                why: v.evidence.reason.clone(),
            }),
            None => Some(Reason::Requires {
                check: id.clone(),
                status: Some(Status::Unknown),
                why: "not evaluated".into(),
            }),
        })
        .collect()
}

/// How the release stands when a stage entry is asked: the gate, the ACKs of
/// the stage's roles (`release::entry_ack_status`) and every check's verdict.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub gate: &'a GateDecision,
    pub acks: &'a [AckStatus],
    pub verdicts: &'a [Verdict],
}

/// Every rule for entering stage `index` at `now`: `can_enter`'s (order, gate,
/// ACKs, kill switch), the stage's `requires`, and the current stage's hold and
/// decision points. With `override_hold`, the hold reasons are set aside and
/// returned (to be journaled as an override); every other reason still refuses.
pub fn can_enter_at(
    pb: &Playbook,
    index: usize,
    standing: &Standing<'_>,
    state: &ReleaseState,
    now: DateTime<Utc>,
    override_hold: bool,
) -> Result<Vec<Reason>, Refusal> {
    let (gate, acks, verdicts) = (standing.gate, standing.acks, standing.verdicts);
    let mut refusal = match can_enter(pb, index, gate, acks, state) {
        Ok(()) => Refusal {
            stage: None,
            reasons: Vec::new(),
        },
        Err(r) => r,
    };
    if refusal
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::NoRamp | Reason::NoSuchStage { .. }))
    {
        return Err(refusal);
    }
    let Some(stage) = pb.ramp.as_ref().and_then(|r| r.stages.get(index)) else {
        return Err(refusal);
    };
    refusal.stage = Some(stage.name.clone());
    refusal.reasons.extend(requires_reasons(stage, verdicts));
    let held = hold_reasons(pb, state, now);
    if !override_hold {
        refusal.reasons.extend(held.iter().cloned());
    }
    if refusal.reasons.is_empty() {
        Ok(held)
    } else {
        Err(refusal)
    }
}

/// May the ramp step back (`[`)? Stepping back is the safe direction: it needs
/// neither GO nor ACKs, only a stage to go back to. Returns that stage.
pub fn can_step_back(pb: &Playbook, state: &ReleaseState) -> Result<usize, Refusal> {
    let mut reasons = Vec::new();
    if pb.ramp.is_none() {
        reasons.push(Reason::NoRamp);
    }
    let prev = previous_stage(state);
    if prev.is_none() {
        reasons.push(if state.stage.is_none() {
            Reason::NotStarted
        } else {
            Reason::AtFirstStage
        });
    }
    if matches!(state.kill, KillState::Firing { .. }) {
        reasons.push(Reason::KillFiring);
    }
    match prev {
        Some(p) if reasons.is_empty() => Ok(p),
        _ => Err(Refusal {
            stage: None,
            reasons,
        }),
    }
}

fn kill_blocks(state: &ReleaseState, reasons: &mut Vec<Reason>) {
    match &state.kill {
        KillState::Firing { .. } => reasons.push(Reason::KillFiring),
        KillState::Failed { why, .. } => reasons.push(Reason::KillFailed { why: why.clone() }),
        _ => {}
    }
}
