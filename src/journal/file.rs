//! The default journal: one JSON-lines file shared by every process.
//!
//! Many writers at once (several processes, several tasks): each append opens
//! the file for append, takes an exclusive `flock`, reads the tail to continue
//! the hash chain, writes its whole line in one `write`, `fsync`s, and lets go.
//! Readers take a shared lock, so they never see half a line from a live
//! writer; a line torn by a writer that died is skipped and reported.
//!
//! The kill switch never waits on this file (`append_or_keep`): it waits for
//! the lock at most `KILL_LOCK_WAIT`, and what it cannot write (lock held,
//! disk full, a keyed journal without its key) goes to the local spool, to be
//! written, marked delayed, by the next writer or reader that can. A failed
//! write is cut back (`ftruncate`) so no half line stays behind.

use super::chain::next_at;
use super::error::JournalError;
use super::event::{NewEvent, Stored};
use super::follow::{self, Followed};
use super::key::KeySetting;
use super::line::{encode_keyed, GENESIS};
use super::read::{parse_all_with, Cursor, ReadAll};
use super::spool::{self, Spool};
use super::tail::last_valid;
use super::verify::{verify_with, VerifyReport};
use super::{Already, Appended, Journal, JournalWarning};
use chrono::{SubsecRound, Utc};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The file name under the playbook's `audit_dir`.
pub const FILE_NAME: &str = "journal.jsonl";

/// How long the kill switch's records wait for the journal's lock before
/// going to the spool (writers hold it for one line and an fsync).
pub const KILL_LOCK_WAIT: Duration = Duration::from_millis(500);
/// The longest an ordinary append (an ACK, a tick, a decision) waits for the
/// file's lock: past it the act fails, saying so, instead of hanging behind
/// a stuck writer.
pub const APPEND_LOCK_WAIT: Duration = Duration::from_secs(5);
/// The longest a reader waits for the shared lock; past it, it reads anyway
/// and says so (at worst a line being written shows as torn).
pub const READ_LOCK_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct FileJournal {
    path: PathBuf,
    spool: Spool,
    key: KeySetting,
}

impl FileJournal {
    /// The journal at `path`, its spool beside it (`journal.spool.jsonl` for
    /// `journal.jsonl`), unkeyed.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "journal".into());
        let spool = Spool::new(path.with_file_name(format!("{stem}.spool.jsonl")));
        FileJournal {
            path,
            spool,
            key: KeySetting::None,
        }
    }

    /// Keeps the kill switch's records at `path` when the journal cannot take
    /// them (e.g. under `audit_dir` when the journal lives elsewhere).
    pub fn with_spool(mut self, path: impl Into<PathBuf>) -> Self {
        self.spool = Spool::new(path);
        self
    }

    /// A keyed journal (`[release] journal_hmac_key_*`): lines carry MACs, and
    /// readers count only lines whose MAC the key checks.
    pub fn with_key(mut self, key: KeySetting) -> Self {
        self.key = key;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    /// All bytes of the journal (empty if it does not exist yet), read under
    /// a shared lock taken within `READ_LOCK_WAIT`; the flag says the lock
    /// stayed held by a writer and the bytes were read without it.
    fn read_bytes(&self) -> Result<(Vec<u8>, bool), JournalError> {
        let open = || match File::open(&self.path) {
            Ok(f) => Ok(Some(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(JournalError::io("open", &self.path)(e)),
        };
        let Some(file) = open()? else {
            return Ok((Vec::new(), false));
        };
        let locked = try_lock_within(file, FlockArg::LockSharedNonblock, READ_LOCK_WAIT)
            .map_err(JournalError::io("lock", &self.path))?;
        let mut bytes = Vec::new();
        let unlocked = locked.is_none();
        match locked {
            Some(file) => (&*file).read_to_end(&mut bytes),
            None => match open()? {
                Some(mut file) => file.read_to_end(&mut bytes),
                None => Ok(0),
            },
        }
        .map_err(JournalError::io("read", &self.path))?;
        Ok((bytes, unlocked))
    }
}

/// An exclusive `flock` taken within `wait` (see `try_lock_within`).
pub(crate) fn lock_within(file: File, wait: Duration) -> std::io::Result<Option<Flock<File>>> {
    try_lock_within(file, FlockArg::LockExclusiveNonblock, wait)
}

/// A `flock` (`how`: a non-blocking kind) taken within `wait`: tried again
/// every few milliseconds (a blocked `flock` cannot be given a deadline).
/// None: another process held it the whole time.
fn try_lock_within(
    mut file: File,
    how: FlockArg,
    wait: Duration,
) -> std::io::Result<Option<Flock<File>>> {
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(1);
    loop {
        match Flock::lock(file, how) {
            Ok(locked) => return Ok(Some(locked)),
            Err((f, Errno::EWOULDBLOCK | Errno::EINTR)) => file = f,
            Err((_, errno)) => return Err(std::io::Error::from(errno)),
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

impl FileJournal {
    /// The file opened for append under its exclusive lock: until the lock
    /// is dropped no other writer (thread or process) appends. Waits at
    /// most `wait`; Ok(None) when another process held it all that time.
    fn lock_for_append(&self, wait: Duration) -> Result<Option<Flock<File>>, JournalError> {
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
        lock_within(file, wait).map_err(JournalError::io("lock", path))
    }

    /// The lock for an ordinary append: writes what the spool keeps first.
    fn lock_and_flush(&self) -> Result<Flock<File>, JournalError> {
        if let Some(why) = self.key.cannot_write() {
            return Err(JournalError::Config(why));
        }
        let locked =
            self.lock_for_append(APPEND_LOCK_WAIT)?
                .ok_or_else(|| JournalError::Locked {
                    path: self.path.clone(),
                    waited: APPEND_LOCK_WAIT,
                })?;
        // A failure shows in the append that follows (same file, same disk).
        let _ = self.flush_locked(&locked);
        Ok(locked)
    }

    /// Appends `event` through `locked` (from `lock_for_append`), chained
    /// onto the last valid event. A write or fsync that fails is cut back to
    /// the length before it: no half line stays in the journal.
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
        let at = next_at(Utc::now().trunc_subsecs(6), last.as_ref().map(|l| l.at));
        let (stored, line) = encode_keyed(id, at, event, prev, self.key.key());
        let mut bytes = Vec::with_capacity(line.len() + 1);
        if !ends_with_newline {
            // A writer died mid-line: end its line so ours starts clean.
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&line);
        let written = (&**locked)
            .write_all(&bytes)
            .map_err(JournalError::io("write", path))
            .and_then(|_| locked.sync_data().map_err(JournalError::io("fsync", path)));
        if let Err(e) = written {
            // Disk full (or an I/O error) mid-line: take the piece back out.
            let _ = locked.set_len(len);
            let _ = locked.sync_data();
            return Err(e);
        }
        Ok(stored)
    }

    /// Writes what the spool keeps (oldest first, marked delayed) through
    /// `locked`; stops at the first failure, the rest waits for next time.
    fn flush_locked(&self, locked: &Flock<File>) -> Result<usize, JournalError> {
        if self.spool.pending() == 0 {
            return Ok(0);
        }
        let Some(batch) = self.spool.take()? else {
            return Ok(0);
        };
        let mut written = 0;
        let mut failed = None;
        for kept in batch.events() {
            match self.append_locked(locked, &kept.into_delayed()) {
                Ok(_) => written += 1,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        batch.finish(written)?;
        failed.map_or(Ok(written), Err)
    }

    /// Keeps `event` in the spool because of `why`.
    fn keep(&self, event: &NewEvent, why: String) -> Result<Appended, JournalError> {
        self.spool.keep(event, None, &why)?;
        Ok(Appended::Kept {
            spool: self.spool.path().to_path_buf(),
            why,
        })
    }
}

impl Journal for FileJournal {
    fn append(&self, event: NewEvent) -> Result<Stored, JournalError> {
        let locked = self.lock_and_flush()?;
        self.append_locked(&locked, &event)
    }

    fn append_unless(
        &self,
        event: NewEvent,
        already: Already,
    ) -> Result<Option<Stored>, JournalError> {
        let locked = self.lock_and_flush()?;
        // Read under the writers' lock: what `already` sees is still the
        // whole journal when the line goes in.
        let mut bytes = Vec::new();
        (&*locked)
            .read_to_end(&mut bytes)
            .map_err(JournalError::io("read", &self.path))?;
        if already(&parse_all_with(&bytes, self.key.key(), Utc::now())) {
            return Ok(None);
        }
        self.append_locked(&locked, &event).map(Some)
    }

    /// The kill switch's records: never waits on the journal more than
    /// `KILL_LOCK_WAIT`; what cannot be written now is kept in the spool.
    fn append_or_keep(&self, event: NewEvent) -> Result<Appended, JournalError> {
        if let Some(why) = self.key.cannot_write() {
            return self.keep(&event, why);
        }
        let locked = match self.lock_for_append(KILL_LOCK_WAIT) {
            Ok(Some(l)) => l,
            Ok(None) => {
                let why = format!(
                    "the journal {} stayed locked by another process for {}ms",
                    self.path.display(),
                    KILL_LOCK_WAIT.as_millis()
                );
                return self.keep(&event, why);
            }
            Err(e) => return self.keep(&event, e.to_string()),
        };
        let _ = self.flush_locked(&locked);
        match self.append_locked(&locked, &event) {
            Ok(stored) => Ok(Appended::Stored(stored)),
            Err(e) => self.keep(&event, e.to_string()),
        }
    }

    fn read_all(&self) -> Result<ReadAll, JournalError> {
        if self.spool.pending() > 0 && self.key.cannot_write().is_none() {
            // Records kept while the journal was away come first (a
            // read-only reader cannot write them: it says they wait).
            // A writer holding the lock flushes them itself; never wait here.
            if let Ok(Some(locked)) = self.lock_for_append(KILL_LOCK_WAIT) {
                let _ = self.flush_locked(&locked);
            }
        }
        let (bytes, unlocked) = self.read_bytes()?;
        let mut read = parse_all_with(&bytes, self.key.key(), Utc::now());
        if unlocked {
            read.warnings.push(JournalWarning {
                line: 0,
                why: format!(
                    "the journal stayed locked by another process for {}s: read without the lock (a line being written may show as torn)",
                    READ_LOCK_WAIT.as_secs()
                ),
            });
        }
        if let KeySetting::Missing { from, why } = &self.key {
            read.warnings.push(JournalWarning {
                line: 0,
                why: format!("the journal is keyed but its key from {from} is not available ({why}): MACs not checked, so edited or forged lines would count"),
            });
        }
        let waiting = self.spool.pending();
        if waiting > 0 {
            read.warnings.push(JournalWarning {
                line: 0,
                why: format!(
                    "{waiting} kill switch record(s) wait in {} (not yet in the journal)",
                    self.spool.path().display()
                ),
            });
        }
        Ok(read)
    }

    fn follow(&self, from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError> {
        follow::follow_file(self.path.clone(), from, self.key.key().cloned())
    }

    fn verify(&self) -> Result<VerifyReport, JournalError> {
        Ok(verify_with(
            &self.read_bytes()?.0,
            &self.key,
            None,
            Utc::now(),
        ))
    }

    fn export_bytes(&self) -> Result<Vec<u8>, JournalError> {
        Ok(self.read_bytes()?.0)
    }

    fn describe(&self) -> String {
        let kept = match self.spool.pending() {
            0 => String::new(),
            n => format!(" (+{n} kept in {})", self.spool.path().display()),
        };
        format!("{}{kept}", self.path.display())
    }
}

/// The spool under the playbook's `audit_dir` (`spool::FILE_NAME`).
pub fn spool_in(audit_dir: &Path) -> PathBuf {
    audit_dir.join(spool::FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_events::ack;

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
