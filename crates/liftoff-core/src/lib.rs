//! liftoff's pure floor: what the cockpit knows without touching the world.
//!
//! The playbook model and its validation, observations (what a poll brings
//! back), conditions (`expr`), the assessment (`engine`), the ramp, guards,
//! the release fold, the story and report text, and the journal's events,
//! line format and hash chain. No async runtime, no network client, no
//! terminal: the `liftoff` crate holds every source, action, the supervisor,
//! the CLI and the cockpit, and re-exports these modules at their old paths.
//! The compiler holds the line: this crate cannot name those.

pub mod engine;
pub mod expr;
pub mod guard;
pub mod io;
pub mod journal;
pub mod playbook;
pub mod ramp;
pub mod release;
pub mod report;
pub mod source;
pub mod story;
