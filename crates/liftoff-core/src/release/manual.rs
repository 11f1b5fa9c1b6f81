//! `manual` sources: a box a named person ticks. Their observation comes from
//! the journal (who ticked it, when), never from polling the world.

use super::ReleaseState;
use crate::playbook::ManualSource;
use crate::source::{Observation, Payload};
use chrono::{DateTime, Utc};

/// What a check on manual source `source_id` sees: `checked`, `by`, `at`.
pub fn manual_payload(state: &ReleaseState, source_id: &str) -> Payload {
    Payload::Manual(state.manual.get(source_id).cloned().unwrap_or_default())
}

/// The manual source as an observation, fresh at `now` (the journal is the
/// source of truth, so it is never stale).
pub fn manual_observation(
    state: &ReleaseState,
    source_id: &str,
    item: &ManualSource,
    now: DateTime<Utc>,
) -> Observation {
    Observation {
        source: source_id.to_string(),
        at: now,
        took: std::time::Duration::ZERO,
        origin: format!(
            "manual: {} (journal)",
            item.title.as_deref().unwrap_or(source_id)
        ),
        outcome: Ok(manual_payload(state, source_id)),
    }
}
