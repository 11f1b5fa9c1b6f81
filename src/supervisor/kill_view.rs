//! A process's own view of a kill switch it fired, against the journal's: the
//! journal is the shared truth, but a firing must show FIRING at once and the
//! readback's verdict as soon as this process has it (even if the journal
//! write failed). The local view is dropped once the journal has caught up.
//! Pure; used by the supervisor (a guard's kill) and the cockpit (K K).

use crate::release::{KillState, ReleaseState};
use chrono::{DateTime, Utc};

/// Clock differences between the readback's verdict and its journal line.
const SLACK: chrono::Duration = chrono::Duration::seconds(1);

/// When a kill state began (None: ready).
pub fn moment(k: &KillState) -> Option<DateTime<Utc>> {
    match k {
        KillState::Firing { since } => Some(*since),
        KillState::Halted { at, .. } | KillState::Failed { at, .. } => Some(*at),
        KillState::Ready => None,
    }
}

fn settled(k: &KillState) -> bool {
    matches!(k, KillState::Halted { .. } | KillState::Failed { .. })
}

/// True when the local view can go: the journal shows the verdict of this
/// firing (or a later one), or a stage entered after it re-armed the switch.
pub fn caught_up(local: &KillState, release: &ReleaseState) -> bool {
    let Some(local_at) = moment(local) else {
        return true;
    };
    let journal = &release.kill;
    let caught_up = match moment(journal) {
        None => false,
        // Settled here: only a verdict (or a new firing) at least as recent.
        Some(j) if settled(local) => (settled(journal) && j >= local_at - SLACK) || j > local_at,
        // Firing here: the journal has this firing or something newer.
        Some(j) => j >= local_at - SLACK,
    };
    let re_armed = release
        .stage
        .as_ref()
        .is_some_and(|s| s.entered_at > local_at);
    caught_up || re_armed
}
