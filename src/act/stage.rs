//! Entering a ramp stage: run its `set` with `{percent}` filled in, wait for
//! the ramp's readback to prove the share, and only then journal
//! `stage_entered` (the hold counts from there). Stepping back (`[`) is the same.
//! Whether the ramp *may* move is `ramp::can_enter` / `ramp::can_step_back` (pure).

use super::action::Fill;
use super::fire::{fire, Fired, Verification};
use super::readback::ReadbackResult;
use super::ActContext;
use crate::engine::{AckStatus, GateDecision};
use crate::expr::bind::Extra;
use crate::journal::event::{StageEntered, StageFailed};
use crate::journal::{self, Event, Stored};
use crate::ramp::{self, Refusal};
use crate::release::ReleaseState;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct StageOutcome {
    pub index: usize,
    pub name: String,
    pub percent: f64,
    /// The set ran and the readback proved it (or no readback is configured).
    pub entered: bool,
    pub fired: Fired,
    /// The journal event written (`stage_entered` or `stage_failed`), or why not.
    pub journaled: Result<u64, String>,
    /// The stage's `record_baselines`, recorded after it was entered going forward.
    pub baselines: Vec<crate::baseline::StageBaseline>,
}

/// Sets stage `index` and proves it. `back`: stepping back rather than forward.
pub async fn enter(ctx: ActContext, index: usize, back: bool) -> Result<StageOutcome, Refusal> {
    let pb = ctx.pb.clone();
    let refuse = |reason| Refusal {
        stage: None,
        reasons: vec![reason],
    };
    let ramp = pb
        .playbook
        .ramp
        .as_ref()
        .ok_or_else(|| refuse(ramp::Reason::NoRamp))?;
    let stage = ramp
        .stages
        .get(index)
        .ok_or_else(|| refuse(ramp::Reason::NoSuchStage { index }))?;
    let fill = Fill {
        percent: Some(stage.percent),
        stage: Some(stage.name.clone()),
    };
    let extra = Extra {
        percent: Some(stage.percent),
        stage: Some(stage.name.clone()),
        baseline: None,
    };
    let set = ramp::set_action(ramp, stage);
    let fired = fire(
        &ctx,
        std::slice::from_ref(set),
        pb.ramp_readback.as_ref(),
        &fill,
        &extra,
    )
    .await;
    let (entered, event) = match &fired.result {
        Verification::Verified { took } => (
            true,
            Event::StageEntered(StageEntered {
                index,
                name: stage.name.clone(),
                percent: stage.percent,
                verified: !matches!(fired.readback, ReadbackResult::NotConfigured),
                took_ms: took.as_millis() as u64,
                back,
            }),
        ),
        Verification::Failed { why } => (
            false,
            Event::StageFailed(StageFailed {
                index,
                name: stage.name.clone(),
                percent: stage.percent,
                why: why.clone(),
            }),
        ),
    };
    let journaled = journal::record(&ctx.journal, &ctx.actor, &event)
        .await
        .map(|s: Stored| s.id)
        .map_err(|e| e.to_string());
    // Stepping back never re-records: a regressed value must not become the baseline.
    let baselines = if entered && !back {
        crate::baseline::record_for_stage(&ctx, stage).await
    } else {
        Vec::new()
    };
    Ok(StageOutcome {
        index,
        name: stage.name.clone(),
        percent: stage.percent,
        entered,
        fired,
        journaled,
        baselines,
    })
}

/// `]`: checks (pure) that the next stage may be entered, then enters it.
/// `gate`: the current Go/No-Go; `acks`: `release::entry_ack_status` for the stage's roles.
pub async fn advance(
    ctx: ActContext,
    state: &ReleaseState,
    gate: &GateDecision,
    acks: &[AckStatus],
) -> Result<StageOutcome, Refusal> {
    let next = ramp::next_stage(&ctx.pb.playbook, state).ok_or_else(|| Refusal {
        stage: None,
        reasons: vec![ramp::Reason::NotNext {
            asked: "the next stage".into(),
            next: None,
        }],
    })?;
    ramp::can_enter(&ctx.pb.playbook, next, gate, acks, state)?;
    enter(ctx, next, false).await
}

/// `[`: steps back to the previous stage (no GO or ACK needed: it is the safe direction).
pub async fn step_back(ctx: ActContext, state: &ReleaseState) -> Result<StageOutcome, Refusal> {
    let prev = ramp::can_step_back(&ctx.pb.playbook, state)?;
    enter(ctx, prev, true).await
}
