//! Side effects shared by sources, actions and the journal: bounded HTTP
//! fetches and child processes that die with their whole process group, file
//! reads that cannot hang, secrets read by reference, this machine's name, and
//! which file events are changes. Below everything else: io imports nothing
//! of liftoff's but itself and the core's std-only helpers (`file`, `host`,
//! `secret`, `tail`), re-exported here.

pub mod change;
pub mod fetch;
pub mod process;
pub mod tree;

// Std-only helpers the core needs too.
pub use liftoff_core::io::{file, host, secret, tail};
