//! What `/metrics` and `/status` show: one assessment of the release (the
//! supervisor's latest), the playbook it was made against and where its
//! journal lives. A plain value, so both renderers are pure functions of it.

use crate::engine::{GateDecision, Verdict};
use crate::playbook::LoadedPlaybook;
use crate::release::KillState;
use crate::release::ReleaseState;
use crate::supervisor::{history::GuardHistory, Snapshot, SourceHealth};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What never changes while a server runs: the playbook and its journal.
#[derive(Debug, Clone)]
pub struct Context {
    pub pb: Arc<LoadedPlaybook>,
    /// Where the journal lives, as `liftoff status` names it (no secrets).
    pub journal: String,
}

/// One assessment of the release.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// When it was made (the `now` the verdicts were judged at).
    pub at: DateTime<Utc>,
    /// The release as folded from the journal.
    pub release: ReleaseState,
    /// The kill switch as the supervisor knows it (its own guard's firing
    /// before the journal has it, else the journal's state).
    pub kill: KillState,
    /// One per playbook check, in playbook order.
    pub verdicts: Vec<Verdict>,
    pub gate: GateDecision,
    /// By guard id: what its trip condition says now.
    pub guards: BTreeMap<String, GuardView>,
    /// By source id (manual items excluded): how its polls go.
    pub sources: BTreeMap<String, SourceView>,
}

/// A guard as the server shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GuardView {
    /// Whether the trip condition holds on the latest data (None: unknown).
    pub tripping: Option<bool>,
    /// The latest value the guard watched, when it is a number.
    pub value: Option<f64>,
    /// Why the latest reading is unknown.
    pub error: Option<String>,
}

impl From<&GuardHistory> for GuardView {
    fn from(g: &GuardHistory) -> Self {
        GuardView {
            tripping: g.tripped,
            value: g.latest(),
            error: g.error.clone(),
        }
    }
}

/// A source's polls: up when the last one brought data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceView {
    /// None before the first poll finished.
    pub up: Option<bool>,
    /// When a poll last brought data.
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last poll failed (redacted like all evidence).
    pub error: Option<String>,
}

impl From<&SourceHealth> for SourceView {
    fn from(h: &SourceHealth) -> Self {
        SourceView {
            up: h.last_ok,
            last_success: h.last_success,
            error: h.error.clone(),
        }
    }
}

impl From<&Snapshot> for View {
    fn from(s: &Snapshot) -> Self {
        View {
            at: s.at,
            release: (*s.release).clone(),
            kill: s.kill.clone(),
            verdicts: (*s.verdicts).clone(),
            gate: s.gate.clone(),
            guards: s
                .guards
                .iter()
                .map(|g| (g.guard.clone(), GuardView::from(g)))
                .collect(),
            sources: s
                .sources
                .iter()
                .map(|(id, h)| (id.clone(), SourceView::from(h)))
                .collect(),
        }
    }
}
