//! Requests: what the commander (or a guard, or the ramp's clock) asks the
//! world to do. Neither the cockpit nor the supervisor does them itself; each
//! hands a `Request` to an `Actuator`, which carries it out through `crate::act`
//! (the one place for side effects: the kill switch, ACKs, decisions, ramp
//! steps, ticks and alarms, journaled). Results come back as `SupervisorEvent`s
//! (Notice, KillDone; the journal follower brings the rest).
//!
//! A request carries what the cockpit saw when it was made (the gate, the
//! ACKs, the release state), so the actuator never reaches back into the cockpit.

use super::core::Duty;
use crate::engine::{AckStatus, GateDecision};
use crate::release::ReleaseState;
use crate::report::Report;

#[derive(Debug, Clone)]
pub enum Request {
    /// The second `K` within the arming window: fire the full kill switch now.
    FireKill,
    /// Record an ACK for `role` by `name`, given at `stage` (None: before the ramp).
    Ack {
        role: String,
        name: String,
        comment: Option<String>,
        stage: Option<String>,
    },
    /// Record the Go/No-Go decision (`g`).
    Decide(Box<Decide>),
    /// Enter ramp stage `index` (confirmed by the commander).
    EnterStage {
        index: usize,
        seen: Box<ConfirmedStanding>,
    },
    /// Step back to ramp stage `index` (confirmed).
    StepBack {
        index: usize,
        state: Box<ReleaseState>,
    },
    /// Fire the rollback target `target` (from the menu, confirmed).
    Rollback { target: String },
    /// Tick (`checked`) or untick the manual item `item` (a `manual` source id).
    Tick {
        item: String,
        role: Option<String>,
        checked: bool,
    },
    /// Waive a check for a time, as the rule book planned it (`w`).
    Waive(Box<crate::act::rules::WaivePlan>),
    /// The commander answers the guard alarm.
    AnswerAlarm {
        guard: Option<String>,
        comment: Option<String>,
    },
    /// What the supervisor's clock or a guard asks: a guard's trip (kill or
    /// alarm, as it says) or a decision point that fell due.
    Duty(Duty),
}

/// A decision as the dialog took it.
#[derive(Debug, Clone)]
pub struct Decide {
    /// Every criterion with its evidence, the gate and the ACKs, as shown.
    pub report: Report,
    pub maker: String,
    pub justification: String,
    /// Required for NO-GO (RFC 3339).
    pub next_review: Option<String>,
    /// The outcome as the rule book planned it (`act::rules::may_decide`).
    pub plan: crate::act::rules::DecidePlan,
    /// The ramp stage current when it was decided.
    pub stage: Option<String>,
}

/// The standing the cockpit saw when `]` was confirmed (release state, gate,
/// entry ACKs, verdicts): `act::stage::advance` checks it again.
#[derive(Debug, Clone)]
pub struct ConfirmedStanding {
    pub state: ReleaseState,
    pub gate: GateDecision,
    /// `release::entry_ack_status` for the roles the stage names.
    pub acks: Vec<AckStatus>,
    /// Every check's verdict (the stage's `requires`).
    pub verdicts: Vec<crate::engine::Verdict>,
    /// A justification that overrides the hold (journaled as an override).
    pub override_hold: Option<String>,
}

impl Request {
    /// How the status line names the request.
    pub fn describe(&self) -> String {
        match self {
            Request::FireKill => "kill switch".into(),
            Request::Ack { role, .. } => format!("ACK for {role}"),
            Request::Decide(d) => format!("{} decision", d.plan.outcome.word()),
            Request::EnterStage { index, .. } => format!("enter stage #{index}"),
            Request::StepBack { index, .. } => format!("step back to stage #{index}"),
            Request::Rollback { target } => format!("rollback {target}"),
            Request::Tick { item, checked, .. } => {
                format!("{} {item}", if *checked { "tick" } else { "untick" })
            }
            Request::Waive(p) => format!("waive {}", p.check),
            Request::AnswerAlarm { .. } => "answer the alarm".into(),
            Request::Duty(Duty::GuardTripped { guard, .. }) => {
                format!("guard {} tripped", guard.id)
            }
            Request::Duty(Duty::DecisionPoint { stage, offset, .. }) => format!(
                "decision point T+{} at {stage}",
                super::wording::offset(*offset)
            ),
        }
    }
}

/// Carries out requests. Called on the UI loop: it must not block (spawn the
/// work and report back through the event channel). `Ok` is the status-line
/// text for "started"; `Err` says why the request was refused.
pub trait Actuator: Send {
    fn carry_out(&mut self, request: Request) -> Result<String, String>;
}

/// The actuator until the journal, kill switch and ramp are wired in.
#[derive(Debug, Default)]
pub struct NotWired;

impl Actuator for NotWired {
    fn carry_out(&mut self, request: Request) -> Result<String, String> {
        Err(format!("{}: not wired yet", request.describe()))
    }
}
