//! The default journal: one JSON-lines file shared by every process.
//!
//! Many writers at once (several processes, several tasks): each append opens
//! the file for append, takes an exclusive `flock`, reads the tail to continue
//! the hash chain, writes its whole line in one `write`, `fsync`s, and lets go.
//! Readers take a shared lock, so they never see half a line from a live
//! writer; a line torn by a writer that died is skipped and reported.

use super::error::JournalError;
use super::event::{NewEvent, Stored};
use super::follow::{self, Followed};
use super::line::{encode, GENESIS};
use super::read::{parse_all, Cursor, ReadAll};
use super::tail::last_valid;
use super::verify::{verify_bytes, VerifyReport};
use super::{Already, Journal};
use chrono::{SubsecRound, Utc};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// The file name under the playbook's `audit_dir`.
pub const FILE_NAME: &str = "journal.jsonl";

#[derive(Debug, Clone)]
pub struct FileJournal {
    path: PathBuf,
}

impl FileJournal {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileJournal { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All bytes of the journal, read under a shared lock (empty if it does not exist yet).
    fn read_bytes(&self) -> Result<Vec<u8>, JournalError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(JournalError::io("open", &self.path)(e)),
        };
        let locked =
            lock(file, FlockArg::LockShared).map_err(JournalError::io("lock", &self.path))?;
        let mut bytes = Vec::new();
        (&*locked)
            .read_to_end(&mut bytes)
            .map_err(JournalError::io("read", &self.path))?;
        Ok(bytes)
    }
}

/// `flock`, retried when a signal interrupts the wait.
fn lock(mut file: File, how: FlockArg) -> std::io::Result<Flock<File>> {
    loop {
        match Flock::lock(file, how) {
            Ok(locked) => return Ok(locked),
            Err((f, Errno::EINTR)) => file = f,
            Err((_, errno)) => return Err(std::io::Error::from(errno)),
        }
    }
}

impl FileJournal {
    /// The file opened for append under its exclusive lock: until the lock
    /// is dropped no other writer (thread or process) appends.
    fn lock_for_append(&self) -> Result<Flock<File>, JournalError> {
        let path = &self.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(JournalError::io("create the folder of", path))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(JournalError::io("open", path))?;
        lock(file, FlockArg::LockExclusive).map_err(JournalError::io("lock", path))
    }

    /// Appends `event` through `locked` (from `lock_for_append`), chained
    /// onto the last valid event.
    fn append_locked(
        &self,
        locked: &Flock<File>,
        event: &NewEvent,
    ) -> Result<Stored, JournalError> {
        let path = &self.path;
        let len = locked
            .metadata()
            .map_err(JournalError::io("stat", path))?
            .len();
        let (last, ends_with_newline) =
            last_valid(locked, len).map_err(JournalError::io("read the tail of", path))?;
        let id = last.as_ref().map_or(1, |l| l.id + 1);
        let prev = last.as_ref().map_or(GENESIS, |l| l.hash.as_str());
        // Time never runs backwards along the chain, even across hosts' clocks.
        let now = Utc::now().trunc_subsecs(6);
        let at = last.as_ref().map_or(now, |l| now.max(l.at));
        let (stored, line) = encode(id, at, event, prev);
        let mut bytes = Vec::with_capacity(line.len() + 1);
        if !ends_with_newline {
            // A writer died mid-line: end its line so ours starts clean.
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&line);
        (&**locked)
            .write_all(&bytes)
            .map_err(JournalError::io("write", path))?;
        locked
            .sync_data()
            .map_err(JournalError::io("fsync", path))?;
        Ok(stored)
    }
}

impl Journal for FileJournal {
    fn append(&self, event: NewEvent) -> Result<Stored, JournalError> {
        let locked = self.lock_for_append()?;
        self.append_locked(&locked, &event)
    }

    fn append_unless(
        &self,
        event: NewEvent,
        already: Already,
    ) -> Result<Option<Stored>, JournalError> {
        let locked = self.lock_for_append()?;
        // Read under the writers' lock: what `already` sees is still the
        // whole journal when the line goes in.
        let mut bytes = Vec::new();
        (&*locked)
            .read_to_end(&mut bytes)
            .map_err(JournalError::io("read", &self.path))?;
        if already(&parse_all(&bytes)) {
            return Ok(None);
        }
        self.append_locked(&locked, &event).map(Some)
    }

    fn read_all(&self) -> Result<ReadAll, JournalError> {
        Ok(parse_all(&self.read_bytes()?))
    }

    fn follow(&self, from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError> {
        follow::follow_file(self.path.clone(), from)
    }

    fn verify(&self) -> Result<VerifyReport, JournalError> {
        Ok(verify_bytes(&self.read_bytes()?))
    }

    fn export_bytes(&self) -> Result<Vec<u8>, JournalError> {
        self.read_bytes()
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Ack, Actor, Event};

    fn ack(role: &str) -> NewEvent {
        NewEvent::new(
            &Actor::here(Some("ana")),
            &Event::Ack(Ack {
                role: role.into(),
                comment: None,
                stage: None,
            }),
        )
    }

    #[test]
    fn appends_chain_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let j = FileJournal::new(dir.path().join("audit/journal.jsonl"));
        assert!(j.read_all().unwrap().events.is_empty());
        let a = j.append(ack("captain")).unwrap();
        let b = j.append(ack("oncall")).unwrap();
        assert_eq!((a.id, b.id), (1, 2));
        assert_eq!(a.prev, GENESIS);
        assert_eq!(b.prev, a.hash);
        assert!(b.at >= a.at);
        let all = j.read_all().unwrap();
        assert_eq!(all.events, vec![a, b]);
        assert!(all.warnings.is_empty());
        assert!(j.verify().unwrap().is_intact());
    }

    #[test]
    fn a_torn_tail_is_ended_and_skipped_by_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let j = FileJournal::new(&path);
        let a = j.append(ack("captain")).unwrap();
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"id\":2,\"at\":\"20")
            .unwrap();
        let c = j.append(ack("oncall")).unwrap();
        assert_eq!(c.id, 2);
        assert_eq!(c.prev, a.hash);
        let all = j.read_all().unwrap();
        assert_eq!(all.events, vec![a, c]);
        assert_eq!(all.warnings.len(), 1);
        assert_eq!(all.warnings[0].line, 2);
        let report = j.verify().unwrap();
        assert_eq!(report.first_bad().map(|b| b.line), Some(2));
        assert_eq!(report.bad.len(), 1);
    }
}
