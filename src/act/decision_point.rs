//! A stage's decision point (`T+offset`), journaled once however many
//! cockpits reach it together: the journal reads and appends in one atomic
//! step (`append_unless`).

use super::ActContext;
use crate::journal::{self, Event, JournalError, NewEvent, ReadAll, Stored};
use crate::release::ReleaseState;
use std::time::Duration;

/// Records `event` (the decision point at `offset` into `stage`) unless the
/// journal holds it already. `None`: another process recorded it first.
pub async fn record_once(
    ctx: &ActContext,
    stage: String,
    offset: Duration,
    event: &Event,
) -> Result<Option<Stored>, JournalError> {
    let done = move |read: &ReadAll| {
        ReleaseState::from_read(read)
            .stage
            .as_ref()
            .is_some_and(|st| st.name == stage && st.decision_points_done.contains(&offset))
    };
    let event = NewEvent::new(&ctx.actor, event);
    journal::append_unless_async(&ctx.journal, event, done).await
}
