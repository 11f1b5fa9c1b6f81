//! One headless look at the release for the commands that act on it (`stage`,
//! `decide`, `waive`): poll every source once, fold the journal, evaluate
//! (checks see the journal's stage), and take waivers into the gate.

use crate::engine::{self, AckStatus, GateDecision, Verdict};
use crate::expr::bind::Extra;
use crate::journal::{ReadAll, SharedJournal};
use crate::playbook::LoadedPlaybook;
use crate::release::{self, ReleaseState};
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

/// Polls, evaluates and decides as the cockpit does, from `read` (the journal as read).
pub(crate) fn assess(pb: &LoadedPlaybook, read: &ReadAll) -> color_eyre::Result<Assessed> {
    let ctx = PollContext::new(pb.base_dir());
    let mut observations = super::runtime()?.block_on(poll_all(&ctx, pb));
    let now = Utc::now();
    let state = ReleaseState::from_read(read);
    release::overlay_manual(pb, &state, &mut observations, now);
    let extra = Extra {
        percent: state.stage.as_ref().map(|s| s.percent),
        stage: state.stage.as_ref().map(|s| s.name.clone()),
        baseline: None,
    };
    let verdicts =
        engine::evaluate_all_with_baselines(pb, &observations, now, &extra, &state.baselines);
    let acks = release::ack_status(&pb.playbook, &state, &pb.playbook.release.go_acks, now);
    let gate = engine::decide(&pb.checks, &verdicts, &acks, pb.playbook.release.allow_warn);
    let gate = release::waivers::apply(&gate, &state, now);
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
