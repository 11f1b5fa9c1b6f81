//! The audit journal's format: its events, the line each is written as, the
//! hash chain over the lines, reading and verifying a journal's bytes. The
//! backends that store them (file, etcd) and the follower live in the
//! `liftoff` crate's `journal`.

pub mod chain;
pub mod config;
pub mod error;
/// Pure, and built without the `etcd` feature too: validation reads it.
pub mod etcd_url;
pub mod event;
pub mod kept;
pub mod key;
pub mod line;
pub mod read;
pub mod verify;

pub use chain::Head;
pub use config::JournalConfig;
pub use error::{JournalError, JournalWarning};
pub use event::{Actor, Event, NewEvent, Stored};
pub use read::{Cursor, ReadAll};
pub use verify::{BadLine, VerifyReport};

/// What a follower delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Followed {
    Event(Stored),
    /// A line that could not be used (torn, edited), or a file that shrank.
    Warning(JournalWarning),
}
