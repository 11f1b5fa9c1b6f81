//! Sources: real clients of the real world. Each poll yields an `Observation`
//! (a payload, or an error that says what happened), stamped with its time.
//! Nothing here panics on bad data: garbage in is an error out.

pub mod alertmanager;
pub mod artifacts;
pub mod command;
pub mod exposition;
pub mod http;
pub mod kubernetes;
pub mod observation;
pub mod poll;
pub mod prometheus;
pub mod scrape;
pub mod selector;
pub mod sql;
pub mod sql_decode;

pub use observation::*;
pub use poll::{poll, PollContext};
