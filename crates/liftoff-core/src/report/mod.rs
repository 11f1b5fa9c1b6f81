//! A Go/No-Go report: what `liftoff check` prints and what a decision record
//! (`<timestamp>_go_nogo.json`) holds. Built from pure engine output.

mod markdown;
pub mod record;
mod text;

use crate::engine::{AckStatus, Decision, GateDecision, Status, Verdict};
use crate::playbook::LoadedPlaybook;
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use markdown::render as markdown;
pub use text::render as text;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub playbook: PlaybookRef,
    pub decision: Decision,
    pub generated_at: DateTime<Utc>,
    pub liftoff_version: &'static str,
    pub host: String,
    /// What holds a NO-GO, blockers first.
    pub holds: Vec<crate::engine::Hold>,
    pub criteria: Vec<Criterion>,
    pub acks: Vec<AckStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaybookRef {
    pub name: String,
    pub path: String,
    pub sha256: String,
}

/// One check as reported: its place in the playbook and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub id: String,
    pub section: String,
    pub title: String,
    pub status: Status,
    pub required: bool,
    pub blocker: bool,
    pub runbook: Option<String>,
    pub evidence: crate::engine::Evidence,
}

impl Report {
    pub fn build(
        pb: &LoadedPlaybook,
        verdicts: &[Verdict],
        gate: &GateDecision,
        acks: &[AckStatus],
        now: DateTime<Utc>,
    ) -> Report {
        let criteria = pb
            .checks
            .iter()
            .filter_map(|c| {
                let v = verdicts.iter().find(|v| v.check == c.spec.id)?;
                Some(Criterion {
                    id: c.spec.id.clone(),
                    section: c.spec.section().to_string(),
                    title: c.spec.title().to_string(),
                    status: v.status,
                    required: c.spec.required,
                    blocker: c.spec.blocker,
                    runbook: c.spec.runbook.clone(),
                    evidence: v.evidence.clone(),
                })
            })
            .collect();
        Report {
            playbook: PlaybookRef {
                name: pb.name().to_string(),
                path: pb.path.display().to_string(),
                sha256: pb.sha256.clone(),
            },
            decision: gate.decision,
            generated_at: now,
            liftoff_version: env!("CARGO_PKG_VERSION"),
            host: crate::io::host::name(),
            holds: gate.holds.clone(),
            criteria,
            acks: acks.to_vec(),
        }
    }

    /// Sections in playbook order, each with its criteria.
    pub fn sections(&self) -> Vec<(&str, Vec<&Criterion>)> {
        let mut out: Vec<(&str, Vec<&Criterion>)> = Vec::new();
        for c in &self.criteria {
            match out.iter_mut().find(|(s, _)| *s == c.section) {
                Some((_, list)) => list.push(c),
                None => out.push((&c.section, vec![c])),
            }
        }
        out
    }

    pub fn counts(&self) -> [(Status, usize); 4] {
        let n = |s| self.criteria.iter().filter(|c| c.status == s).count();
        [
            (Status::Pass, n(Status::Pass)),
            (Status::Warn, n(Status::Warn)),
            (Status::Fail, n(Status::Fail)),
            (Status::Unknown, n(Status::Unknown)),
        ]
    }
}
