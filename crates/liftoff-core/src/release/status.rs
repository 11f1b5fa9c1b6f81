//! The release as `liftoff status` reports it (stage and countdown, ACKs,
//! kill switch, last decision), built from the folded journal. One builder,
//! so `liftoff status --format json` and the supervisor's `/status` can never
//! say different things.

use super::ReleaseState;
use crate::engine::AckStatus;
use crate::playbook::LoadedPlaybook;
use crate::ramp::{self, Countdown};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport<'a> {
    pub release: &'a str,
    /// Where the journal lives (`JournalBackend::describe`: no secrets).
    pub journal: String,
    pub generated_at: DateTime<Utc>,
    pub go_acks: Vec<AckStatus>,
    /// What conditions see of the release (`stage`, `percent`): the same
    /// values `liftoff check` and the cockpit evaluate with.
    pub sees: Sees,
    pub next_stage: Option<NextStage>,
    pub countdown: Option<Countdown>,
    /// What the world was proven to be in, and the next allowed step.
    pub whereabouts: Option<ramp::Whereabouts>,
    pub state: &'a ReleaseState,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sees {
    pub stage: Option<String>,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NextStage {
    pub index: usize,
    pub name: String,
    pub percent: f64,
    pub acks: Vec<AckStatus>,
}

/// The status of `state` (folded from the journal described by `journal`) at `now`.
pub fn status_report<'a>(
    pb: &'a LoadedPlaybook,
    journal: String,
    state: &'a ReleaseState,
    now: DateTime<Utc>,
) -> StatusReport<'a> {
    let p = &pb.playbook;
    let next_stage = ramp::next_stage(p, state).and_then(|i| {
        let stage = p.ramp.as_ref()?.stages.get(i)?;
        Some(NextStage {
            index: i,
            name: stage.name.clone(),
            percent: stage.percent,
            acks: super::entry_ack_status(p, state, &stage.acks, now),
        })
    });
    let sees = crate::engine::assess::surroundings(state);
    StatusReport {
        release: pb.name(),
        journal,
        generated_at: now,
        go_acks: crate::engine::assess::acks(pb, state, now),
        sees: Sees {
            stage: sees.stage,
            percent: sees.percent,
        },
        next_stage,
        countdown: ramp::countdown(p, state, now),
        whereabouts: ramp::whereabouts(p, state, now),
        state,
    }
}
