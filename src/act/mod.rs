//! Side effects on the world, in one place that the cockpit, the CLI and the
//! guards all call: the kill switch, rollback targets, ramp stages, guard
//! trips and recorded decisions. Every action is dispatched at once on its own
//! task; a readback (a fresh read of a source) proves what happened; the
//! journal records it, off the hot path.
//!
//! Every entry point takes an owned `ActContext` (cheap to clone) and returns a
//! future, so an async event loop can `tokio::spawn` it.

pub mod action;
pub mod decision;
pub mod fire;
pub mod guards;
pub mod kill;
pub mod kubernetes;
pub mod readback;
pub mod rollback;
pub mod rules;
pub mod stage;

use crate::journal::{Actor, SharedJournal};
use crate::playbook::LoadedPlaybook;
use crate::source::PollContext;
use std::sync::Arc;

/// What every action needs: the playbook, a poll context for readbacks, the
/// journal, and who is acting.
#[derive(Clone)]
pub struct ActContext {
    pub pb: Arc<LoadedPlaybook>,
    pub poll: PollContext,
    pub journal: SharedJournal,
    pub actor: Actor,
}

impl ActContext {
    pub fn new(pb: Arc<LoadedPlaybook>, journal: SharedJournal, actor: Actor) -> Self {
        let poll = PollContext::new(pb.base_dir());
        ActContext {
            pb,
            poll,
            journal,
            actor,
        }
    }

    /// The same context acting for someone else (e.g. a guard, a named person).
    pub fn acting_as(&self, actor: Actor) -> Self {
        ActContext {
            actor,
            ..self.clone()
        }
    }
}

impl std::fmt::Debug for ActContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActContext")
            .field("playbook", &self.pb.path)
            .field("journal", &self.journal.describe())
            .field("actor", &self.actor)
            .finish()
    }
}
