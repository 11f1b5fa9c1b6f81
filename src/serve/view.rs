//! What `/metrics` and `/status` show: one assessment of the release (the
//! supervisor's latest), the playbook it was made against and where its
//! journal lives. A plain value, so both renderers are pure functions of it.

use crate::engine::{GateDecision, Verdict};
use crate::guard::{Reading, Trip};
use crate::playbook::LoadedPlaybook;
use crate::release::ReleaseState;
use crate::source::Observation;
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
    /// One per playbook check, in playbook order.
    pub verdicts: Vec<Verdict>,
    pub gate: GateDecision,
    /// By guard id: what its trip condition says now.
    pub guards: BTreeMap<String, GuardView>,
    /// By source id (manual items excluded): how its polls go.
    pub sources: BTreeMap<String, SourceView>,
}

/// A guard as the server shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardView {
    pub trip: Trip,
    /// The value the guard watches, as shown in the cockpit.
    pub value: Option<String>,
}

impl From<&Reading> for GuardView {
    fn from(r: &Reading) -> Self {
        GuardView {
            trip: r.trip.clone(),
            value: r.value.clone(),
        }
    }
}

impl GuardView {
    /// The watched value as a number, when it is one.
    pub fn number(&self) -> Option<f64> {
        self.value
            .as_deref()
            .and_then(|v| v.trim().parse::<f64>().ok())
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

impl SourceView {
    /// Folds one poll's observation in.
    pub fn observe(&mut self, obs: &Observation) {
        match &obs.outcome {
            Ok(_) => {
                self.up = Some(true);
                self.last_success = Some(obs.at);
                self.error = None;
            }
            Err(e) => {
                self.up = Some(false);
                self.error = Some(e.to_string());
            }
        }
    }
}
