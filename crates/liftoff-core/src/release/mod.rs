//! Release state: what the journal says has happened (stage, ACKs, kill switch,
//! decisions). A pure fold over journal events; the cockpit and `liftoff status`
//! read it, never write it.

mod acks;
mod fold;
mod manual;
mod status;
mod summary;
#[cfg(test)]
mod tests;
pub mod waivers;

pub use acks::{ack_status, entry_ack_status};
pub use fold::{MAX_ACKS, MAX_WARNINGS, RECENT};
pub use manual::{manual_observation, manual_payload};
pub use status::{status_report, NextStage, Sees, StatusReport};
pub use summary::summary as event_summary;
pub use waivers::{active_waivers, WaiverRecord};

use crate::source::ManualState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReleaseState {
    /// The ramp stage entered last (read back), if any.
    pub stage: Option<StageState>,
    /// Every stage entry in journal order: which ACKs an entry used up
    /// (`ack_status`). One per human act with a readback, so a few per release.
    pub entries: Vec<StageEntry>,
    /// Valid and expired ACKs, newest first per role.
    pub acks: Vec<AckRecord>,
    pub kill: KillState,
    pub last_decision: Option<DecisionSummary>,
    /// Newest events last, bounded, for the journal panel.
    pub recent: Vec<JournalLine>,
    /// A guard alarm the commander has not answered yet.
    pub alarm: Option<String>,
    /// The guard that raised `alarm`.
    pub alarm_guard: Option<String>,
    /// Manual items (by `manual` source id) as ticked in the journal.
    pub manual: BTreeMap<String, ManualState>,
    /// Baselines recorded in the journal (name -> value); checks see them as `baseline`.
    pub baselines: BTreeMap<String, f64>,
    /// Who recorded each baseline, when, and from where (by name).
    pub baseline_records: BTreeMap<String, BaselineRecord>,
    /// Webhook deliveries that failed after their retries (from every process).
    pub notify_failures: u64,
    /// The newest of them, for the status line.
    pub last_notify_failure: Option<String>,
    /// Rollback targets fired (by id) and what their readback proved.
    pub rollbacks: BTreeMap<String, KillState>,
    /// Journal lines the reader skipped (torn, edited), newest last, bounded.
    pub warnings: Vec<String>,
    /// The last decision recorded with an outcome (`g`, `liftoff decide`).
    pub last_outcome: Option<OutcomeSummary>,
    /// Waivers in journal order (expired ones included: `active_waivers` picks by `now`).
    pub waivers: Vec<WaiverRecord>,
    /// Overrides (holds cut short, outcomes against the gate), oldest first, bounded.
    pub overrides: Vec<OverrideRecord>,
    /// The stage the ramp was at when the kill switch was verified HALTED:
    /// after a kill the world is what the kill's readback proved, not this stage.
    pub halted_from: Option<StageState>,
    /// The id of the last event folded (0: none).
    pub last_id: u64,
    /// How many events were folded.
    pub events: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageState {
    pub index: usize,
    pub name: String,
    pub percent: f64,
    /// When the readback proved the stage (the hold counts from here).
    pub entered_at: DateTime<Utc>,
    /// Decision points already recorded, as offsets from `entered_at`.
    pub decision_points_done: Vec<std::time::Duration>,
}

/// A stage entered (forward or back), as the journal recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct StageEntry {
    pub index: usize,
    pub name: String,
    pub at: DateTime<Utc>,
    pub back: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AckRecord {
    pub role: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    /// The stage the ACK was given for (None: before the ramp).
    pub stage: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub enum KillState {
    /// Not fired in this release.
    #[default]
    Ready,
    /// Actions dispatched; waiting for the readback.
    Firing { since: DateTime<Utc> },
    /// The readback proved the world halted.
    Halted { at: DateTime<Utc>, took_ms: u64 },
    /// The actions or the readback failed: the world is NOT proven halted.
    Failed { at: DateTime<Utc>, why: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionSummary {
    pub decision: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub justification: Option<String>,
    pub next_review: Option<String>,
}

/// A decision with an outcome, as the journal recorded it last.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeSummary {
    pub outcome: String,
    pub gate: String,
    pub overridden: bool,
    pub by: String,
    pub at: DateTime<Utc>,
    pub justification: String,
    pub stage: Option<String>,
}

/// Something done against the rules on someone's word (shown in the cockpit and the report).
#[derive(Debug, Clone, Serialize)]
pub struct OverrideRecord {
    pub at: DateTime<Utc>,
    pub by: String,
    /// What was overridden, in a sentence.
    pub what: String,
    pub justification: String,
}

/// A baseline as the journal recorded it last.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineRecord {
    pub value: f64,
    pub by: String,
    pub at: DateTime<Utc>,
    pub source: Option<String>,
    pub check: Option<String>,
    pub stage: Option<String>,
}

/// One journal event as the journal panel shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JournalLine {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub summary: String,
}
