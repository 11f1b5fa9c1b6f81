//! The release supervisor: everything that must happen whether or not a
//! terminal is open. It owns the pollers, the one assessment (`engine::assess`, incremental per source),
//! guard judgement and trips (kill or alarm), decision points, the webhooks
//! and the guard's kill, and publishes a `Snapshot` after every change.
//! `liftoff watch` runs it headless; every cockpit runs the same one on its
//! own task and only draws its snapshots.
//!
//! What the cockpit shares with it lives here, so this module never names
//! `tui`: the events both fold (`event`), the requests an `Actuator` carries
//! out (`request`) and the live one (`actuator`), the journal feed, the
//! lasting conditions and how notices are worded (`wording`).

pub mod actuator;
pub mod conditions;
pub mod core;
pub mod event;
pub mod history;
pub(crate) mod journal_feed;
pub mod kill_view;
pub mod request;
mod run;
pub mod snapshot;
pub mod wording;

pub use self::core::{Core, Duty, Publish};
pub use run::{spawn, Supervisor};
pub use snapshot::{Said, Snapshot, SourceHealth};
