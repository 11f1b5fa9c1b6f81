//! The pure core: (playbook, observations, acks, now) -> verdicts and a gate
//! decision. No I/O, no clock: everything it needs is passed in.

pub mod gate;
pub mod verdict;

pub use gate::{decide, AckStatus, Decision, GateDecision, Hold};
pub use verdict::{evaluate, Evidence, Status, Verdict};

use crate::expr::bind::Extra;
use crate::playbook::LoadedPlaybook;
use crate::source::Observation;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Every check of the playbook against the latest observation of its source.
pub fn evaluate_all(
    pb: &LoadedPlaybook,
    observations: &HashMap<String, Observation>,
    now: DateTime<Utc>,
    extra: &Extra,
) -> Vec<Verdict> {
    pb.checks
        .iter()
        .map(|c| evaluate(c, observations.get(&c.spec.source), now, extra))
        .collect()
}
