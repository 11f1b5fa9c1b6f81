//! What the supervisor folds into its core, and the cockpit's loop into its
//! state besides key presses: pollers, the journal feed, the conditions and
//! the actuator send these into a bounded channel (an `Actuator` keeps a
//! clone of its sender).

use crate::act::fire::Timings;
use crate::poller::PollEvent;
use crate::release::{KillState, ReleaseState};

#[derive(Debug, Clone)]
pub enum SupervisorEvent {
    /// From the supervisor: the release as it now stands (verdicts, gate,
    /// ACKs, journal state, sources, guards). The cockpit only draws it.
    Snapshot(std::sync::Arc<crate::supervisor::Snapshot>),
    /// From a source poller: a poll started or finished.
    Poll(PollEvent),
    /// The journal fold changed: stage, ACKs, kill switch, decisions, journal lines.
    ReleaseChanged(Box<ReleaseState>),
    /// A one-line message for the status line (e.g. how an act went).
    Notice { text: String, bad: bool },
    /// A lasting condition for the status line, by topic ("journal",
    /// "webhooks"); `None` clears it (e.g. etcd answers again).
    Condition {
        topic: &'static str,
        text: Option<String>,
    },
    /// From the actuator: what this cockpit's firing of the kill switch proved
    /// (Halted or Failed), straight from the readback, journal or not, and how
    /// long it took from the key press.
    KillDone {
        state: KillState,
        text: String,
        timings: Timings,
        /// The journal was away: its records wait in the local spool, to be
        /// written when it answers again.
        kept: bool,
    },
}

impl From<PollEvent> for SupervisorEvent {
    fn from(e: PollEvent) -> Self {
        SupervisorEvent::Poll(e)
    }
}

impl From<ReleaseState> for SupervisorEvent {
    fn from(s: ReleaseState) -> Self {
        SupervisorEvent::ReleaseChanged(Box::new(s))
    }
}
