//! An ACK: the rule book (`rules::may_ack`) judges it against the release as
//! folded from the journal, and only an allowed ACK is journaled. `liftoff ack`
//! and the cockpit's ACK dialog both end here.

use super::rules::{self, AckPlan};
use super::{ActContext, ActError};
use crate::journal::event::Ack;
use crate::journal::{self, Event, JournalError, Stored};
use crate::release::ReleaseState;
use chrono::{DateTime, Utc};

/// Judges `ctx.actor`'s ACK for `role` against `state`, then records it; a
/// refused ACK writes nothing.
pub async fn ack(
    ctx: &ActContext,
    state: &ReleaseState,
    role: &str,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> Result<(AckPlan, Stored), ActError> {
    let plan = rules::may_ack(&ctx.pb.playbook, state, role, &ctx.actor.name, now)?;
    let stored = record(ctx, &plan.role, plan.stage.clone(), comment).await?;
    Ok((plan, stored))
}

/// Journals an ACK the rule book allowed (the cockpit's dialog asked it on
/// the cockpit's picture of the release); `stage`: the plan's stage.
pub async fn record(
    ctx: &ActContext,
    role: &str,
    stage: Option<String>,
    comment: Option<String>,
) -> Result<Stored, JournalError> {
    let event = Event::Ack(Ack {
        role: role.to_string(),
        comment,
        stage,
    });
    journal::record(&ctx.journal, &ctx.actor, &event).await
}
