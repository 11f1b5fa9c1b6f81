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

/// As `evaluate_all`, each check seeing the baseline it names (when recorded;
/// until then a check with `baseline` is UNKNOWN).
pub fn evaluate_all_with_baselines(
    pb: &LoadedPlaybook,
    observations: &HashMap<String, Observation>,
    now: DateTime<Utc>,
    extra: &Extra,
    baselines: &std::collections::BTreeMap<String, f64>,
) -> Vec<Verdict> {
    pb.checks
        .iter()
        .map(|c| {
            let extra = crate::baseline::extra_for(extra, c.spec.baseline.as_deref(), baselines);
            evaluate(c, observations.get(&c.spec.source), now, &extra)
        })
        .collect()
}
