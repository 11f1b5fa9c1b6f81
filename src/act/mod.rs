//! Side effects on the world, and every act the journal records, in one
//! place that the cockpit, the CLI and the guards all call: the kill switch,
//! rollback targets, ramp stages, guard trips, decisions, ACKs, ticks,
//! waivers and baselines. A person's act is judged by the rule book
//! (`rules`) before anything is written, so the CLI and the cockpit refuse
//! alike. Every action is dispatched at once on its own task; a readback (a
//! fresh read of a source) proves what happened; the journal records it, off
//! the hot path.
//!
//! Entry points take an `ActContext` (cheap to clone) and return a future, so
//! an async event loop can `tokio::spawn` them.

pub mod ack;
pub mod action;
pub mod baseline;
pub mod decision;
pub mod decision_point;
pub mod fire;
pub mod guards;
pub mod kill;
pub mod readback;
pub mod rollback;
pub mod rules;
pub mod stage;
pub mod tick;
pub mod waive;

use crate::journal::{Actor, JournalError, SharedJournal};
use crate::playbook::LoadedPlaybook;
use crate::source::PollContext;
use std::sync::Arc;

/// Why a person's act (an ACK, a tick, a waiver) was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    /// The rule book said no: nothing was written.
    #[error(transparent)]
    Refused(#[from] rules::Refused),
    /// Allowed, but the journal did not take it.
    #[error(transparent)]
    NotRecorded(#[from] JournalError),
}

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

#[cfg(test)]
mod person_tests;
#[cfg(test)]
mod test_playbook;
