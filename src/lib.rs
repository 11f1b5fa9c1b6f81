//! liftoff: a terminal release-day cockpit.
//!
//! The flow: sources -> observations -> pure evaluation (verdicts, gate) ->
//! state -> screen. See README.md and docs/ for the whole picture.

pub mod cli;
pub mod engine;
pub mod expr;
pub mod io;
pub mod playbook;
pub mod poller;
pub mod release;
pub mod report;
pub mod source;
pub mod tui;
