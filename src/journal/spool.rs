//! Records that must not be lost while the journal is away (etcd down, the
//! journal file locked by a stuck process or its disk full): the kill switch
//! fires and verifies without it, and what it did is kept in a
//! local JSON-lines file under `audit_dir` until the journal answers again.
//! Flushed oldest first, each marked `"delayed": true` (with when and why it
//! was kept) so the audit trail says it arrived late.
//!
//! Writers take an exclusive `flock` for one line; a flusher takes it without
//! waiting (another process flushing already is as good) and holds it until
//! it has rewritten the file with what it could not write.

use super::error::JournalError;
use super::event::{NewEvent, Stored};
use chrono::{SubsecRound, Utc};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The file name under the playbook's `audit_dir`.
pub const FILE_NAME: &str = "journal.spool.jsonl";

/// How long `keep` waits for the spool's lock (held for one line, or a flush).
const KEEP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

pub use liftoff_core::journal::kept::Kept;

#[derive(Debug, Clone)]
pub struct Spool {
    path: PathBuf,
}

/// The spool taken for flushing: its lock is held until `finish` (or drop).
pub struct Batch {
    file: Flock<File>,
    path: PathBuf,
    /// Each line as read, and the event in it (None: a line that does not parse; kept as is).
    entries: Vec<(String, Option<Kept>)>,
}

impl Spool {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Spool { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds `event` (tried as the append named `token`) at the end of the
    /// spool, on disk (fsync'd) before it returns.
    pub fn keep(
        &self,
        event: &NewEvent,
        token: Option<&str>,
        why: &str,
    ) -> Result<(), JournalError> {
        let path = &self.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(JournalError::io("create the folder of", path))?;
        }
        let kept = Kept {
            actor: event.actor.clone(),
            kind: event.kind.clone(),
            payload: event.payload.clone(),
            kept_at: Utc::now().trunc_subsecs(6),
            why: why.to_string(),
            token: token.map(str::to_string),
        };
        // A struct of strings and JSON values always serializes.
        let mut line = serde_json::to_vec(&kept).unwrap_or_default();
        line.push(b'\n');
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(JournalError::io("open", path))?;
        // Bounded: the kill switch keeps its records here and never waits long.
        let locked = super::file::lock_within(file, KEEP_WAIT)
            .map_err(JournalError::io("lock", path))?
            .ok_or_else(|| {
                JournalError::io("lock", path)(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("held by another process for {}ms", KEEP_WAIT.as_millis()),
                ))
            })?;
        (&*locked)
            .write_all(&line)
            .map_err(JournalError::io("write", path))?;
        locked.sync_data().map_err(JournalError::io("fsync", path))
    }

    /// The events waiting, oldest first, as a reader folds them (without a
    /// place in the chain: id 0, no hashes; marked delayed, dated when kept).
    /// For `status` when they could not be written yet (e.g. a read-only reader).
    pub fn waiting(&self) -> Vec<Stored> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<Kept>(l).ok())
            .map(|k| {
                let at = k.kept_at;
                let e = k.into_delayed();
                Stored {
                    id: 0,
                    at,
                    actor: e.actor,
                    kind: e.kind,
                    payload: e.payload,
                    prev: String::new(),
                    hash: String::new(),
                }
            })
            .collect()
    }

    /// How many events wait (0 when there is no spool).
    pub fn pending(&self) -> usize {
        std::fs::read(&self.path)
            .map(|b| b.split(|c| *c == b'\n').filter(|l| !l.is_empty()).count())
            .unwrap_or(0)
    }

    /// The waiting events, locked for flushing; None when there are none or
    /// another process is flushing them right now.
    pub fn take(&self) -> Result<Option<Batch>, JournalError> {
        let path = &self.path;
        let file = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(JournalError::io("open", path)(e)),
        };
        let locked = match lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(l) => l,
            Err(e) if e.raw_os_error() == Some(Errno::EWOULDBLOCK as i32) => return Ok(None),
            Err(e) => return Err(JournalError::io("lock", path)(e)),
        };
        let mut text = String::new();
        (&*locked)
            .read_to_string(&mut text)
            .map_err(JournalError::io("read", path))?;
        let entries: Vec<(String, Option<Kept>)> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| (l.to_string(), serde_json::from_str(l).ok()))
            .collect();
        if entries.iter().all(|(_, k)| k.is_none()) {
            return Ok(None);
        }
        Ok(Some(Batch {
            file: locked,
            path: path.clone(),
            entries,
        }))
    }
}

impl Batch {
    /// The events to write, oldest first (lines that do not parse are left out, and left in the file).
    pub fn events(&self) -> Vec<Kept> {
        self.entries.iter().filter_map(|(_, k)| k.clone()).collect()
    }

    /// Rewrites the spool without the first `written` events of `events()`.
    pub fn finish(self, written: usize) -> Result<(), JournalError> {
        let mut seen = 0;
        let mut rest = String::new();
        for (line, kept) in &self.entries {
            if kept.is_some() {
                seen += 1;
                if seen <= written {
                    continue;
                }
            }
            rest.push_str(line);
            rest.push('\n');
        }
        let path = &self.path;
        let mut f = &*self.file;
        f.set_len(0).map_err(JournalError::io("truncate", path))?;
        f.rewind().map_err(JournalError::io("rewind", path))?;
        f.write_all(rest.as_bytes())
            .map_err(JournalError::io("write", path))?;
        f.sync_data().map_err(JournalError::io("fsync", path))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, Event, Fired};

    fn fired(reason: &str) -> NewEvent {
        NewEvent::new(
            &Actor::here(Some("ana")),
            &Event::KillFired(Fired {
                target: None,
                reason: Some(reason.into()),
                actions: 1,
                dispatched_us: 50,
            }),
        )
    }

    #[test]
    fn kept_events_come_back_in_order_marked_delayed() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("audit").join(FILE_NAME));
        assert!(spool.take().unwrap().is_none());
        spool.keep(&fired("one"), Some("t1"), "etcd down").unwrap();
        spool.keep(&fired("two"), None, "etcd down").unwrap();
        assert_eq!(spool.pending(), 2);
        let batch = spool.take().unwrap().unwrap();
        let events = batch.events();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].token.as_deref(), Some("t1"));
        assert_eq!(events[1].token, None);
        let first = events[0].clone().into_delayed();
        assert_eq!(first.kind, "kill_fired");
        assert_eq!(first.payload["reason"], "one");
        assert_eq!(first.payload["delayed"], true);
        assert_eq!(first.payload["kept_because"], "etcd down");
        // Still a valid typed event: the fold ignores the extra fields.
        assert!(Event::from_parts(&first.kind, &first.payload).is_some());
        // One written, one left for next time.
        batch.finish(1).unwrap();
        assert_eq!(spool.pending(), 1);
        let batch = spool.take().unwrap().unwrap();
        assert_eq!(batch.events()[0].payload["reason"], "two");
        batch.finish(1).unwrap();
        assert_eq!(spool.pending(), 0);
        assert!(spool.take().unwrap().is_none());
    }

    #[test]
    fn a_flush_in_progress_elsewhere_is_left_alone_and_garbage_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let spool = Spool::new(&path);
        spool.keep(&fired("one"), None, "down").unwrap();
        let held = spool.take().unwrap().unwrap();
        assert!(spool.take().unwrap().is_none(), "taken twice at once");
        drop(held);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"torn\n")
            .unwrap();
        let batch = spool.take().unwrap().unwrap();
        assert_eq!(batch.events().len(), 1);
        batch.finish(1).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"torn\n");
        assert!(spool.take().unwrap().is_none());
    }
}
