//! What the supervisor publishes after every change: one immutable picture of
//! the release (verdicts, gate, ACKs, the journal's state, the sources'
//! health, the guards' values). The cockpit draws it, `liftoff watch
//! --listen` serves it as `/metrics` and `/status`; neither computes anything.
//!
//! Published through a `tokio::sync::watch` of `Arc<Snapshot>`: readers take
//! the newest (`borrow().clone()`, a pointer copy) and never hold the writer up.

use super::history::GuardHistory;
use crate::engine::{AckStatus, Decision, GateDecision, Verdict};
use crate::playbook::{LoadedPlaybook, SourceKind};
use crate::release::{KillState, ReleaseState};
use crate::source::Observation;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A polled source as the supervisor last saw it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceHealth {
    /// A poll is in flight.
    pub polling: bool,
    /// When the last poll finished (data or error).
    pub last_at: Option<DateTime<Utc>>,
    /// Whether the last poll brought data.
    pub last_ok: Option<bool>,
    /// When a poll last brought data (`liftoff_source_last_success_timestamp_seconds`).
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last poll failed (secrets already redacted by the source).
    pub error: Option<String>,
    /// Failed polls in a row.
    pub failures: u32,
}

impl SourceHealth {
    /// Up: the last poll brought data (`liftoff_source_up`).
    pub fn up(&self) -> bool {
        self.last_ok == Some(true)
    }
}

/// Something the supervisor did or could not do, for a status line (a guard
/// tripped, a decision point recorded, a kill switch's readback). `seq`
/// grows by one per notice, so a reader shows each once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Said {
    pub seq: u64,
    pub text: String,
    /// True for bad news (a trip, a failure).
    pub bad: bool,
    pub at: DateTime<Utc>,
}

/// One published picture of the release.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When this picture was assessed (the supervisor's clock).
    pub at: DateTime<Utc>,
    /// Grows by one per publication.
    pub seq: u64,
    /// `[release] name`.
    pub release_name: String,
    /// One per playbook check, in playbook order (`engine::assess`).
    /// Shared between snapshots until a verdict changes (as are the
    /// observations, sources, guards and release below).
    pub verdicts: Arc<Vec<Verdict>>,
    /// The roles the gate names, with their ACK state.
    pub acks: Vec<AckStatus>,
    /// GO or NO-GO, with everything holding it back.
    pub gate: GateDecision,
    /// The release as folded from the journal (stage, ACKs, kill switch,
    /// decisions, alarms, manual ticks, baselines).
    pub release: Arc<ReleaseState>,
    /// The kill switch as this supervisor knows it: its own guard's firing
    /// (FIRING from the trip, then what the readback proved) until the
    /// journal has caught up, else the journal's state. Never a guess.
    pub kill: KillState,
    /// Every polled source (manual items are not polled), by id.
    pub sources: Arc<BTreeMap<String, SourceHealth>>,
    /// One per playbook guard, in playbook order: the values it watched
    /// (bounded history), whether its trip condition holds on the latest data.
    pub guards: Arc<Vec<GuardHistory>>,
    /// The latest observation of each polled source (the cockpit's alerts
    /// panel and evidence read them).
    pub observations: Arc<HashMap<String, Arc<Observation>>>,
    /// Lasting conditions by topic ("journal" unreachable, "webhooks"
    /// failing); absent while fine.
    pub conditions: BTreeMap<&'static str, String>,
    /// The newest thing the supervisor said (None before the first).
    pub said: Option<Said>,
    /// Guards are watching: traffic is on and no kill switch has fired.
    pub guards_watching: bool,
}

impl Snapshot {
    /// 1 for GO, 0 for NO-GO (`liftoff_gate_go`).
    pub fn gate_go(&self) -> bool {
        self.gate.decision == Decision::Go
    }

    /// The current stage's traffic share (`liftoff_stage_percent`); 0 before the ramp.
    pub fn stage_percent(&self) -> f64 {
        self.release.stage.as_ref().map_or(0.0, |s| s.percent)
    }

    /// The kill switch's state as one word (`liftoff_kill_switch_state{state}`):
    /// ready, firing, halted, failed. (Arming is one cockpit's keyboard's,
    /// never the supervisor's: the release is then ready.)
    pub fn kill_word(&self) -> &'static str {
        match self.kill {
            KillState::Ready => "ready",
            KillState::Firing { .. } => "firing",
            KillState::Halted { .. } => "halted",
            KillState::Failed { .. } => "failed",
        }
    }

    /// A guard's latest value (`liftoff_guard_value{guard}`), if it has one.
    pub fn guard_value(&self, guard: &str) -> Option<f64> {
        self.guards
            .iter()
            .find(|g| g.guard == guard)
            .and_then(GuardHistory::latest)
    }
}

/// Every polled source (`manual` items are ticked, not polled), none heard from yet.
pub fn fresh_sources(pb: &LoadedPlaybook) -> BTreeMap<String, SourceHealth> {
    pb.sources
        .iter()
        .filter(|(_, spec)| spec.kind() != SourceKind::Manual)
        .map(|(k, _)| (k.clone(), SourceHealth::default()))
        .collect()
}

/// Every guard's history, empty.
pub fn fresh_guards(pb: &LoadedPlaybook) -> Vec<GuardHistory> {
    pb.guards
        .iter()
        .map(|g| GuardHistory::new(&g.spec.id))
        .collect()
}
