//! Waiving a check for a time: the rule book (`rules::may_waive`) judges it,
//! and only an allowed waiver is journaled. `liftoff waive` and the cockpit's
//! waiver dialog both end here.

use super::rules::{self, WaiveAsk, WaivePlan};
use super::{ActContext, ActError};
use crate::journal::event::Waiver;
use crate::journal::{self, Event, JournalError, Stored};
use crate::release::ReleaseState;
use chrono::{DateTime, Utc};

/// Judges the waiver against `state`, then records it; a refused waiver
/// writes nothing.
pub async fn waive(
    ctx: &ActContext,
    state: &ReleaseState,
    ask: &WaiveAsk<'_>,
    now: DateTime<Utc>,
) -> Result<(WaivePlan, Stored), ActError> {
    let plan = rules::may_waive(&ctx.pb.playbook, state, ask, now)?;
    let stored = record(ctx, &plan).await?;
    Ok((plan, stored))
}

/// Journals a waiver the rule book planned.
pub async fn record(ctx: &ActContext, plan: &WaivePlan) -> Result<Stored, JournalError> {
    let event = Event::CheckWaived(Waiver {
        check: plan.check.clone(),
        role: plan.role.clone(),
        justification: plan.justification.clone(),
        until: plan.until,
        status: None,
    });
    journal::record(&ctx.journal, &ctx.actor, &event).await
}
