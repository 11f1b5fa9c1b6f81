//! One headless look at the release for the commands that act on it (`stage`,
//! `decide`, `waive`): poll every source once, fold the journal, evaluate
//! (checks see the journal's stage, waivers set aside in the gate): the one
//! assessment every face calls.

use crate::engine::{self, AckStatus, GateDecision, Verdict};
use crate::journal::{ReadAll, SharedJournal};
use crate::playbook::LoadedPlaybook;
use crate::release::ReleaseState;
use crate::source::poll::{poll_all, PollContext};
use chrono::{DateTime, Utc};

pub(crate) struct Assessed {
    pub state: ReleaseState,
    pub verdicts: Vec<Verdict>,
    /// The gate's roles (`go_acks`).
    pub acks: Vec<AckStatus>,
    /// The gate, waived checks set aside.
    pub gate: GateDecision,
    pub now: DateTime<Utc>,
}

/// Polls once and calls the one assessment (`engine::assess`, the cockpit's
/// and the supervisor's), from `read` (the journal as read).
pub(crate) fn assess(pb: &LoadedPlaybook, read: &ReadAll) -> color_eyre::Result<Assessed> {
    let ctx = PollContext::new(pb.base_dir());
    let observations = super::runtime()?.block_on(poll_all(&ctx, pb));
    let now = Utc::now();
    let state = ReleaseState::from_read(read);
    let engine::Assessment {
        verdicts,
        acks,
        gate,
    } = engine::assess(pb, &observations, &state, now);
    Ok(Assessed {
        state,
        verdicts,
        acks,
        gate,
        now,
    })
}

/// The journal, or exit 2 having said why.
pub(crate) fn journal(pb: &LoadedPlaybook) -> Result<(SharedJournal, ReadAll), u8> {
    super::status::open_journal(pb)
}
