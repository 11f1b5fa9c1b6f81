//! Guards (rollback triggers), pure: a guard's `trip` condition is judged
//! against its source's observation, and a tracker counts how long it has
//! held. When it trips, the caller acts: `act::guards::on_trip` fires the kill
//! switch (`on_trip = "kill"`) or journals an alarm the commander must answer.

mod judge;
mod tracker;

pub use judge::{judge_trip, stale_after, Reading, Trip};
pub use tracker::{tripped_event, Tracker, Update};
