//! Acts: what the commander (or a guard, or the ramp's clock) asks the world to
//! do from the cockpit. The cockpit never does them itself; it hands each one
//! to an `Actuator`, the single place where the kill switch, ACKs, decisions,
//! ramp steps, ticks and alarms are carried out and journaled. Results come
//! back as `AppEvent`s (Notice, KillDone; the journal follower brings the rest).
//!
//! An act carries what the cockpit saw when it was asked (the gate, the ACKs,
//! the release state), so the actuator never reaches back into the cockpit.

use crate::engine::{AckStatus, GateDecision};
use crate::journal::Event;
use crate::playbook::Guard;
use crate::release::ReleaseState;
use crate::report::Report;
use chrono::{DateTime, Utc};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Act {
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
    EnterStage { index: usize, seen: Box<Seen> },
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
    /// A guard tripped while the ramp ran: kill or alarm, as it says.
    GuardTripped {
        guard: Box<Guard>,
        since: DateTime<Utc>,
        value: Option<String>,
    },
    /// A decision point of `stage` is due: journal `event` unless another
    /// process already did.
    DecisionPoint {
        stage: String,
        offset: Duration,
        event: Box<Event>,
    },
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

/// What the cockpit saw when `]` was confirmed: `act::stage::advance` checks it again.
#[derive(Debug, Clone)]
pub struct Seen {
    pub state: ReleaseState,
    pub gate: GateDecision,
    /// `release::entry_ack_status` for the roles the stage names.
    pub acks: Vec<AckStatus>,
    /// Every check's verdict (the stage's `requires`).
    pub verdicts: Vec<crate::engine::Verdict>,
    /// A justification that overrides the hold (journaled as an override).
    pub override_hold: Option<String>,
}

impl Act {
    /// How the status line names the act.
    pub fn describe(&self) -> String {
        match self {
            Act::FireKill => "kill switch".into(),
            Act::Ack { role, .. } => format!("ACK for {role}"),
            Act::Decide(d) => format!("{} decision", d.plan.outcome.word()),
            Act::EnterStage { index, .. } => format!("enter stage #{index}"),
            Act::StepBack { index, .. } => format!("step back to stage #{index}"),
            Act::Rollback { target } => format!("rollback {target}"),
            Act::Tick { item, checked, .. } => {
                format!("{} {item}", if *checked { "tick" } else { "untick" })
            }
            Act::Waive(p) => format!("waive {}", p.check),
            Act::AnswerAlarm { .. } => "answer the alarm".into(),
            Act::GuardTripped { guard, .. } => format!("guard {} tripped", guard.id),
            Act::DecisionPoint { stage, offset, .. } => format!(
                "decision point T+{} at {stage}",
                crate::tui::style::offset(*offset)
            ),
        }
    }
}

/// Carries out acts. Called on the UI loop: it must not block (spawn the work
/// and report back through the event channel). `Ok` is the status-line text
/// for "started"; `Err` says why the act was refused.
pub trait Actuator: Send {
    fn act(&mut self, act: Act) -> Result<String, String>;
}

/// The actuator until the journal, kill switch and ramp are wired in.
#[derive(Debug, Default)]
pub struct NotWired;

impl Actuator for NotWired {
    fn act(&mut self, act: Act) -> Result<String, String> {
        Err(format!("{}: not wired yet", act.describe()))
    }
}
