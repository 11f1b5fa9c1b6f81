//! The audit journal: append-only, one JSON event a line, each
//! line carrying the hash of the line before it. Several processes share one
//! journal; each sees the others' events within a second.
//!
//! The journal sits behind the `Journal` trait: the file under the playbook's
//! `audit_dir` is the default; `[release] journal = "etcd://..."` puts it on
//! etcd, shared by machines (see `etcd`).

// The format (events, lines, the chain, reading and verifying) is the
// core's; the backends, the follower and the spool are here.
pub use liftoff_core::journal::{
    chain, config, error, etcd_url, event, kept, key, line, read, verify,
};
#[cfg(feature = "etcd")]
pub mod etcd;
pub mod file;
pub mod follow;
pub mod health;
pub(crate) mod no_journal;
pub mod spool;
mod tail;
#[cfg(test)]
pub(crate) mod test_events;

pub use chain::Head;
pub use config::JournalConfig;
pub use error::{JournalError, JournalWarning};
#[cfg(feature = "etcd")]
pub use etcd::{EtcdJournal, EtcdSettings};
pub use event::{Actor, Event, NewEvent, Stored};
pub use file::FileJournal;
pub use follow::Followed;
pub use health::Health;
pub use read::{Cursor, ReadAll};
pub use verify::{BadLine, VerifyReport};

use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What `append_or_keep` did with an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Appended {
    /// In the journal.
    Stored(Stored),
    /// The journal could not be reached: kept in a local spool, to be written
    /// (marked delayed) when it answers again.
    Kept { spool: PathBuf, why: String },
}

/// A shared, append-only event log. Methods block (file locks, fsync, network
/// calls): from async code use `append_async`, or `spawn_blocking`.
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// Appends one event; id, time, `prev` and `hash` are set under the lock.
    fn append(&self, event: NewEvent) -> Result<Stored, JournalError>;
    /// Records something once however many processes try: reads the whole
    /// journal and appends `event` only if `already` says no, atomically
    /// (nobody appends between the read and the append). `None`: it was
    /// already there. `already` may be asked more than once (etcd asks again
    /// after losing a race), each time about a newer journal.
    fn append_unless(
        &self,
        event: NewEvent,
        already: Already,
    ) -> Result<Option<Stored>, JournalError>;
    /// Every event so far, with warnings for lines that could not be used.
    fn read_all(&self) -> Result<ReadAll, JournalError>;
    /// Events after `from`, as they arrive (from any process), in order.
    /// Must be called inside a tokio runtime (the file journal's follower runs
    /// on it; etcd's runs on its own); stops when the receiver is dropped.
    fn follow(&self, from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError>;
    /// Checks the hash chain.
    fn verify(&self) -> Result<VerifyReport, JournalError>;
    /// The journal exactly as stored, one JSON line per event: what
    /// `liftoff audit export` writes (the same bytes whatever the backend).
    /// By default its valid events, each encoded as the file journal holds it.
    fn export_bytes(&self) -> Result<Vec<u8>, JournalError> {
        let mut out = Vec::new();
        for e in self.read_all()?.events {
            let event = NewEvent {
                actor: e.actor,
                kind: e.kind,
                payload: e.payload,
            };
            out.extend(line::encode(e.id, e.at, &event, &e.prev).1);
        }
        Ok(out)
    }
    /// Where the journal lives, for messages.
    fn describe(&self) -> String;
    /// Whether the journal can be written right now (for the status line).
    fn health(&self) -> Health {
        Health::Ok
    }
    /// For records that must survive the journal being away (the kill
    /// switch's): appends, or keeps the event locally when the journal cannot
    /// take it: etcd when it is away, the file when its lock stays held or
    /// its disk is full (see each backend).
    fn append_or_keep(&self, event: NewEvent) -> Result<Appended, JournalError> {
        self.append(event).map(Appended::Stored)
    }
}

pub type SharedJournal = Arc<dyn Journal>;

/// `append_unless`'s question: does the journal, as read under the append's
/// guard, hold what the append would record? (Owned: the etcd journal asks
/// it on its own runtime.)
pub type Already = Box<dyn Fn(&ReadAll) -> bool + Send + Sync>;

/// The journal `config` names: `[release] journal` if set (a file path,
/// `file://path`, `etcd://host:port[,...]/prefix` or `etcds://...`), else
/// `<audit_dir>/journal.jsonl` (relative to the playbook's folder). Opening
/// never dials etcd: the first call does.
pub fn open(config: &JournalConfig) -> Result<SharedJournal, JournalError> {
    // The file journal's spool lives under audit_dir, wherever the journal
    // is (another disk may have room when the journal's is full).
    let file_journal = |path: PathBuf| -> SharedJournal {
        Arc::new(
            FileJournal::new(path)
                .with_spool(file::spool_in(&config.audit_dir))
                .with_key(key::load(config)),
        )
    };
    match config.location.as_deref() {
        None => Ok(file_journal(config.audit_dir.join(file::FILE_NAME))),
        #[cfg(feature = "etcd")]
        Some(spec) if etcd_url::is_etcd(spec) => Ok(Arc::new(EtcdJournal::new(
            EtcdSettings::from_config(config, spec)?,
        ))),
        #[cfg(not(feature = "etcd"))]
        Some(spec) if etcd_url::is_etcd(spec) => Err(JournalError::EtcdNotBuilt(spec.to_string())),
        Some(spec) => match spec.strip_prefix("file://") {
            Some(path) => Ok(file_journal(config.resolve(path.as_ref()))),
            None if !spec.contains("://") => Ok(file_journal(config.resolve(spec.as_ref()))),
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

/// `append_or_keep` without blocking the async runtime.
pub async fn append_or_keep_async(
    journal: &SharedJournal,
    event: NewEvent,
) -> Result<Appended, JournalError> {
    let journal = Arc::clone(journal);
    tokio::task::spawn_blocking(move || journal.append_or_keep(event))
        .await
        .map_err(|e| JournalError::Task(e.to_string()))?
}

/// `append_unless` without blocking the async runtime.
pub async fn append_unless_async(
    journal: &SharedJournal,
    event: NewEvent,
    already: impl Fn(&ReadAll) -> bool + Send + Sync + 'static,
) -> Result<Option<Stored>, JournalError> {
    let journal = Arc::clone(journal);
    tokio::task::spawn_blocking(move || journal.append_unless(event, Box::new(already)))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A backend that only has the required methods (the file underneath).
    #[derive(Debug)]
    struct Minimal(FileJournal);

    impl Journal for Minimal {
        fn append(&self, event: NewEvent) -> Result<Stored, JournalError> {
            self.0.append(event)
        }
        fn append_unless(
            &self,
            event: NewEvent,
            already: Already,
        ) -> Result<Option<Stored>, JournalError> {
            self.0.append_unless(event, already)
        }
        fn read_all(&self) -> Result<ReadAll, JournalError> {
            self.0.read_all()
        }
        fn follow(&self, from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError> {
            self.0.follow(from)
        }
        fn verify(&self) -> Result<VerifyReport, JournalError> {
            self.0.verify()
        }
        fn describe(&self) -> String {
            self.0.describe()
        }
    }

    #[test]
    fn the_default_export_is_the_file_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileJournal::new(dir.path().join("journal.jsonl"));
        let actor = Actor::here(Some("ana"));
        for role in ["captain", "oncall"] {
            let ack = event::Ack {
                role: role.into(),
                comment: Some("ünïcode \"quoted\"".into()),
                stage: None,
            };
            file.append(NewEvent::new(&actor, &Event::Ack(ack)))
                .unwrap();
        }
        let minimal = Minimal(file.clone());
        assert_eq!(
            minimal.export_bytes().unwrap(),
            file.export_bytes().unwrap()
        );
        assert_eq!(minimal.health(), Health::Ok);
        // Without a spool, "append or keep" is an append.
        let ack = Event::Ack(event::Ack {
            role: "lead".into(),
            comment: None,
            stage: None,
        });
        let appended = minimal.append_or_keep(NewEvent::new(&actor, &ack)).unwrap();
        assert!(matches!(appended, Appended::Stored(s) if s.id == 3));
    }
}
