//! `manual` sources: a box a named person ticks. Their observation comes from
//! the journal (who ticked it, when), never from polling the world.

use super::ReleaseState;
use crate::playbook::SourceSpec;
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
    spec: &SourceSpec,
    now: DateTime<Utc>,
) -> Observation {
    Observation {
        source: source_id.to_string(),
        at: now,
        took: std::time::Duration::ZERO,
        origin: format!(
            "manual: {} (journal)",
            spec.title.as_deref().unwrap_or(source_id)
        ),
        outcome: Ok(manual_payload(state, source_id)),
    }
}

/// Replaces the polled placeholder of every manual source with what the
/// journal says (used by `liftoff check` and the cockpit alike).
pub fn overlay_manual(
    pb: &crate::playbook::LoadedPlaybook,
    state: &ReleaseState,
    observations: &mut std::collections::HashMap<String, Observation>,
    now: DateTime<Utc>,
) {
    for (id, spec) in &pb.playbook.sources {
        if spec.kind() == crate::playbook::SourceKind::Manual {
            observations.insert(id.clone(), manual_observation(state, id, spec, now));
        }
    }
}
