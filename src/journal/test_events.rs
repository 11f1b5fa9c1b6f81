//! Events the journal's tests (and the cockpit's journal feed's) append.

use super::event::Ack;
use super::{Actor, Event, NewEvent};

/// An ACK by "ana" as `role`.
pub(crate) fn ack(role: &str) -> NewEvent {
    NewEvent::new(
        &Actor::here(Some("ana")),
        &Event::Ack(Ack {
            role: role.into(),
            comment: None,
            stage: None,
        }),
    )
}
