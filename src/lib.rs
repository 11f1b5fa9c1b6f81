//! liftoff: a terminal release-day cockpit.
//!
//! The flow: sources -> observations -> pure evaluation (verdicts, gate) ->
//! state -> screen. See README.md and docs/ for the whole picture.

pub mod act;
pub mod baseline;
pub mod cli;
pub mod config_file;
pub mod demo;
pub mod engine;
pub mod expr;
pub mod guard;
pub mod io;
pub mod journal;
pub mod playbook;
pub mod poller;
pub mod ramp;
pub mod release;
pub mod report;
pub mod serve;
pub mod source;
pub mod story;
pub mod supervisor;
pub mod tui;
pub mod webhooks;

/// mimalloc for every binary built on this crate (the product, its tests and
/// benches alike): see Cargo.toml for why.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
