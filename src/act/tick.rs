//! Ticking (or unticking) a manual item: the rule book (`rules::may_tick`)
//! judges it, and only an allowed tick is journaled. `liftoff tick` and the
//! cockpit's Space both end here.

use super::rules::{self, TickPlan};
use super::{ActContext, ActError};
use crate::journal::event::Manual;
use crate::journal::{self, Event, JournalError, Stored};
use crate::release::ReleaseState;
use chrono::{DateTime, Utc};

/// Judges `ctx.actor`'s tick of `item` against `state`, then records it
/// (`checked`: false unticks); a refused tick writes nothing.
pub async fn tick(
    ctx: &ActContext,
    state: &ReleaseState,
    item: &str,
    checked: bool,
    now: DateTime<Utc>,
) -> Result<(TickPlan, Stored), ActError> {
    let plan = rules::may_tick(&ctx.pb, state, item, &ctx.actor.name, now)?;
    let stored = record(ctx, &plan.item, plan.role.clone(), checked).await?;
    Ok((plan, stored))
}

/// Journals a tick the rule book allowed (the cockpit asked it on its own
/// picture of the release); `role`: the plan's role.
pub async fn record(
    ctx: &ActContext,
    item: &str,
    role: Option<String>,
    checked: bool,
) -> Result<Stored, JournalError> {
    let manual = Manual {
        item: item.to_string(),
        role,
    };
    let event = if checked {
        Event::ManualTicked(manual)
    } else {
        Event::ManualUnticked(manual)
    };
    journal::record(&ctx.journal, &ctx.actor, &event).await
}
