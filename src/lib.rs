//! liftoff: a terminal release-day cockpit.
//!
//! The flow: sources -> observations -> pure evaluation (verdicts, gate) ->
//! state -> screen. See README.md and docs/ for the whole picture.

pub mod act;
pub mod baseline;
pub mod cli;
pub mod config_file;
pub mod demo;
pub mod io;
pub mod journal;
pub mod poller;
pub mod serve;
pub mod source;
pub mod supervisor;
pub mod tui;
pub mod webhooks;

// The pure floor, at its old paths.
pub use liftoff_core::{engine, expr, guard, playbook, ramp, release, report, story};

/// mimalloc for every binary built on this crate (the product, its tests and
/// benches alike): see Cargo.toml for why.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
