//! Entering a ramp stage: run its `set` with `{percent}` filled in, wait for
//! the ramp's readback to prove the share, and only then journal
//! `stage_entered` (the hold counts from there). Stepping back (`[`) is the same.
//! Whether the ramp *may* move is `ramp::can_enter` / `ramp::can_step_back` (pure).

use super::action::Fill;
use super::fire::{fire, Fired, Verification};
use super::readback::ReadbackResult;
use super::ActContext;
use crate::engine::{AckStatus, GateDecision};
use crate::expr::bind::Surroundings;
use crate::journal::event::HoldOverridden;
use crate::journal::event::{StageEntered, StageFailed};
use crate::journal::{self, Event, Stored};
use crate::playbook::CompiledReadback;
use crate::ramp::{self, Refusal, Standing};
use crate::release::ReleaseState;
use chrono::{DateTime, Utc};
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
    pub baselines: Vec<super::baseline::StageBaseline>,
}

/// Sets stage `index` and proves it (`back`: stepping back from the stage
/// after it). See `enter_from`.
pub async fn enter(ctx: ActContext, index: usize, back: bool) -> Result<StageOutcome, Refusal> {
    enter_from(ctx, index, back, back.then_some(index + 1)).await
}

/// Sets stage `index` and proves it. `from`: the stage being left when
/// stepping back (its `undo` runs, else the `set` of stage `index`); None
/// going forward (stage `index`'s own `set`, else the ramp's).
pub async fn enter_from(
    ctx: ActContext,
    index: usize,
    back: bool,
    from: Option<usize>,
) -> Result<StageOutcome, Refusal> {
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
    let around = Surroundings {
        percent: Some(stage.percent),
        stage: Some(stage.name.clone()),
        baseline: None,
    };
    let action = if back {
        let leaving = from.and_then(|i| ramp.stages.get(i));
        ramp::undo_action(ramp, leaving, stage)
    } else {
        ramp::set_action(ramp, stage)
    };
    // The stage's own readback (validated at load), else the ramp's.
    let own = match &stage.readback {
        Some(rb) => Some(CompiledReadback::compile(rb).map_err(|e| {
            refuse(ramp::Reason::KillFailed {
                why: format!("stage {} readback does not compile: {e}", stage.name),
            })
        })?),
        None => None,
    };
    let readback = own.as_ref().or(pb.ramp_readback.as_ref());
    let fired = fire(&ctx, &[action], readback, &fill, &around).await;
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
        super::baseline::record_for_stage(&ctx, stage).await
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

/// `]`: checks (pure, `ramp::can_enter_at`: order, gate, ACKs, `requires`,
/// hold and decision points) that the next stage may be entered, then enters
/// it. `override_hold`: a justification that sets the hold aside; the
/// override is journaled (`hold_overridden`) before the stage's set runs.
pub async fn advance_at(
    ctx: ActContext,
    state: &ReleaseState,
    standing: Standing<'_>,
    now: DateTime<Utc>,
    override_hold: Option<String>,
) -> Result<StageOutcome, Refusal> {
    let next = ramp::next_stage(&ctx.pb.playbook, state).ok_or_else(|| Refusal {
        stage: None,
        reasons: vec![ramp::Reason::NotNext {
            asked: "the next stage".into(),
            next: None,
        }],
    })?;
    let set_aside = ramp::can_enter_at(
        &ctx.pb.playbook,
        next,
        &standing,
        state,
        now,
        override_hold.is_some(),
    )?;
    if let (Some(justification), false) = (override_hold, set_aside.is_empty()) {
        record_override(&ctx, state, next, &set_aside, justification).await?;
    }
    enter_from(ctx, next, false, None).await
}

/// `advance_at` now, without an override and without verdicts (a stage that
/// `requires` checks is then refused: not evaluated is UNKNOWN).
pub async fn advance(
    ctx: ActContext,
    state: &ReleaseState,
    gate: &GateDecision,
    acks: &[AckStatus],
) -> Result<StageOutcome, Refusal> {
    let standing = Standing {
        gate,
        acks,
        verdicts: &[],
    };
    advance_at(ctx, state, standing, Utc::now(), None).await
}

/// Journals a hold override; a journal that will not take it refuses the entry
/// (an override nobody can read later must not happen).
async fn record_override(
    ctx: &ActContext,
    state: &ReleaseState,
    next: usize,
    set_aside: &[ramp::Reason],
    justification: String,
) -> Result<(), Refusal> {
    let to = ctx
        .pb
        .playbook
        .ramp
        .as_ref()
        .and_then(|r| r.stages.get(next))
        .map_or_else(|| format!("#{next}"), |s| s.name.clone());
    let left_ms = set_aside
        .iter()
        .find_map(|r| match r {
            ramp::Reason::HoldNotOver { left, .. } => Some(left.as_millis() as u64),
            _ => None,
        })
        .unwrap_or(0);
    let event = Event::HoldOverridden(HoldOverridden {
        from: state.stage.as_ref().map(|s| s.name.clone()),
        to: to.clone(),
        left_ms,
        overridden: set_aside.iter().map(ramp::Reason::as_overridden).collect(),
        justification,
    });
    journal::record(&ctx.journal, &ctx.actor, &event)
        .await
        .map(|_| ())
        .map_err(|e| Refusal {
            stage: Some(to),
            reasons: vec![ramp::Reason::KillFailed {
                why: format!("the override could not be journaled: {e}"),
            }],
        })
}

/// `[`: steps back to the previous stage (no GO or ACK needed: it is the safe
/// direction), running the current stage's `undo` (else the previous stage's `set`).
pub async fn step_back(ctx: ActContext, state: &ReleaseState) -> Result<StageOutcome, Refusal> {
    let prev = ramp::can_step_back(&ctx.pb.playbook, state)?;
    let from = state.stage.as_ref().map(|s| s.index);
    enter_from(ctx, prev, true, from).await
}
