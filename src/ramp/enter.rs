//! Whether the ramp may move, and if not, exactly what holds it.

use crate::engine::{AckStatus, Decision, GateDecision, Hold};
use crate::playbook::{Action, Playbook, Ramp, Stage};
use crate::release::{KillState, ReleaseState};
use serde::Serialize;
use std::fmt;

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
    stage.set.as_ref().unwrap_or(&ramp.set)
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
