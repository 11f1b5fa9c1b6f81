//! The audit journal (SPEC "Journal"): append-only, one JSON event a line, each
//! line carrying the hash of the line before it. Several processes share one
//! journal; each sees the others' events within a second.
//!
//! The journal sits behind the `Journal` trait so another backend (etcd) can
//! follow; the file under the playbook's `audit_dir` is the default.

pub mod error;
pub mod event;
pub mod file;
pub mod follow;
pub mod line;
pub mod read;
mod tail;
pub mod verify;

pub use error::{JournalError, JournalWarning};
pub use event::{Actor, Event, NewEvent, Stored};
pub use file::FileJournal;
pub use follow::Followed;
pub use read::{Cursor, ReadAll};
pub use verify::{BadLine, VerifyReport};

use crate::playbook::LoadedPlaybook;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A shared, append-only event log. Methods block (file locks, fsync): from
/// async code use `append_async`, or `spawn_blocking`.
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// Appends one event; id, time, `prev` and `hash` are set under the lock.
    fn append(&self, event: NewEvent) -> Result<Stored, JournalError>;
    /// Every event so far, with warnings for lines that could not be used.
    fn read_all(&self) -> Result<ReadAll, JournalError>;
    /// Events after `from`, as they arrive (from any process), in order.
    /// Must be called inside a tokio runtime; stops when the receiver is dropped.
    fn follow(&self, from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError>;
    /// Checks the hash chain.
    fn verify(&self) -> Result<VerifyReport, JournalError>;
    /// Where the journal lives, for messages.
    fn describe(&self) -> String;
}

pub type SharedJournal = Arc<dyn Journal>;

/// The playbook's journal: `[release] journal` if set, else
/// `<audit_dir>/journal.jsonl` (relative to the playbook's folder).
pub fn open(pb: &LoadedPlaybook) -> Result<SharedJournal, JournalError> {
    match pb.playbook.release.journal.as_deref() {
        None => Ok(Arc::new(FileJournal::new(
            pb.audit_dir().join(file::FILE_NAME),
        ))),
        Some(spec) => match spec.strip_prefix("file://") {
            Some(path) => Ok(Arc::new(FileJournal::new(pb.resolve(path.as_ref())))),
            None if !spec.contains("://") => {
                Ok(Arc::new(FileJournal::new(pb.resolve(spec.as_ref()))))
            }
            None => Err(JournalError::Unsupported(spec.to_string())),
        },
    }
}

/// Appends without blocking the async runtime (the write runs on a blocking thread).
pub async fn append_async(
    journal: &SharedJournal,
    event: NewEvent,
) -> Result<Stored, JournalError> {
    let journal = Arc::clone(journal);
    tokio::task::spawn_blocking(move || journal.append(event))
        .await
        .map_err(|e| JournalError::Task(e.to_string()))?
}

/// `append_async` for a typed event.
pub async fn record(
    journal: &SharedJournal,
    actor: &Actor,
    event: &Event,
) -> Result<Stored, JournalError> {
    append_async(journal, NewEvent::new(actor, event)).await
}
