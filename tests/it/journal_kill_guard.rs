//! The kill switch against a journal that cannot take its records, through
//! the real binary: a process holding the journal's lock, a full disk, a
//! keyed journal without its key. The verdict never waits; the records wait
//! in the spool and are written later.

use crate::support;

use chrono::Utc;
use liftoff::journal::event::{Ack, Actor, Event};
use liftoff::journal::line::{encode, GENESIS};
use liftoff::journal::NewEvent;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::journal_world::*;

struct LockHolder(Child);

impl LockHolder {
    fn hold(path: &Path) -> LockHolder {
        let mut child = Command::new("flock")
            .process_group(0)
            .arg("-x")
            .arg(path)
            .args(["sh", "-c", "echo locked; exec sleep 40"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("flock (util-linux) is needed");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
        LockHolder(child)
    }
}

impl Drop for LockHolder {
    /// The whole group: `sleep` holds the lock too (it inherited the descriptor).
    fn drop(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.0.wait();
    }
}

#[test]
fn kill_with_the_journal_locked_gives_its_verdict_and_spools_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let pb = kill_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let journal = journal_path(dir.path());
    std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
    std::fs::write(&journal, "").unwrap();
    let holder = LockHolder::hold(&journal);

    let bound = READBACK_TIMEOUT + Duration::from_secs(1);
    let (out, took) = liftoff_within(&["kill", pb, "--as", "ana"], bound)
        .expect("liftoff kill waited on the journal's lock");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(took < bound, "took {took:?}: {t}");
    assert!(t.contains("HALTED: verified by the readback"), "{t}");
    // It says where the records went: the spool, not the journal.
    assert!(t.contains("journal.spool.jsonl"), "{t}");
    assert!(t.contains("stayed locked by another process"), "{t}");
    let kept = std::fs::read_to_string(spool_path(dir.path())).unwrap();
    assert_eq!(kept.lines().count(), 2, "{kept}");
    assert!(journal_kinds(dir.path()).is_empty());

    // The lock goes away; the next command writes the records, marked delayed.
    drop(holder);
    let status = liftoff(&["status", pb]);
    let s = text(&status);
    assert!(s.contains("kill:    HALTED"), "{s}");
    assert_eq!(journal_kinds(dir.path()), ["kill_fired", "kill_verified"]);
    let lines = std::fs::read_to_string(&journal).unwrap();
    assert!(
        lines.lines().all(|l| l.contains("\"delayed\":true")),
        "{lines}"
    );
    assert_eq!(std::fs::read_to_string(spool_path(dir.path())).unwrap(), "");
    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
}

#[test]
fn the_next_writer_flushes_the_spool_before_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let pb = kill_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let journal = journal_path(dir.path());
    std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
    std::fs::write(&journal, "").unwrap();
    let holder = LockHolder::hold(&journal);
    let (out, _) = liftoff_within(&["kill", pb], READBACK_TIMEOUT * 2).expect("kill hung");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    drop(holder);
    let ack = liftoff(&["ack", pb, "--role", "captain", "--as", "ana"]);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    assert_eq!(
        journal_kinds(dir.path()),
        ["kill_fired", "kill_verified", "ack"]
    );
}

/// A writer stuck holding the journal's lock (a hung process, a dead network
/// mount) hangs no one else: `status` reads without the lock after a short
/// wait and says so; an ACK gives up after its wait, saying nothing was
/// written, and goes in once the lock is free. Both answer long before the
/// holder (40 s) would let go.
#[test]
fn a_writer_stuck_holding_the_lock_hangs_neither_readers_nor_acts() {
    let dir = tempfile::tempdir().unwrap();
    let pb = kill_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let first = liftoff(&["ack", pb, "--role", "captain", "--as", "ana"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let holder = LockHolder::hold(&journal_path(dir.path()));

    let (status, took) = liftoff_within(&["status", pb], Duration::from_secs(15))
        .expect("status waited on the journal's lock");
    let s = text(&status);
    assert!(took < Duration::from_secs(15), "took {took:?}: {s}");
    assert!(s.contains("read without the lock"), "{s}");
    assert!(
        s.contains("(1 events)"),
        "the ACK before the lock is still read: {s}"
    );

    let ack = ["ack", pb, "--role", "captain", "--as", "ben"];
    let (out, took) =
        liftoff_within(&ack, Duration::from_secs(20)).expect("ack waited on the journal's lock");
    let t = text(&out);
    assert_ne!(out.status.code(), Some(0), "{t}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {t}");
    assert!(t.contains("stayed locked by another process"), "{t}");
    assert!(t.contains("nothing was written"), "{t}");
    assert_eq!(journal_kinds(dir.path()), ["ack"]);

    drop(holder);
    let again = liftoff(&ack);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(journal_kinds(dir.path()), ["ack", "ack"]);
}

// ---- a disk that fills up ----

/// A small tmpfs mounted for one test, unmounted on drop.
struct SmallDisk {
    at: PathBuf,
}

impl SmallDisk {
    /// None (with a message) where mounting is refused (not root, a container without the capability).
    fn mount(at: PathBuf, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(&at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk { at }),
            Ok(o) => {
                println!(
                    "SKIPPED: cannot mount a tmpfs here ({}): the disk-full case is not tested",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                println!("SKIPPED: no `mount` ({e}): the disk-full case is not tested");
                None
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

/// Fills the file system under `path` with one file, to the last byte.
fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    for chunk in [4096usize, 512, 64, 1] {
        let buf = vec![b'x'; chunk];
        while f.write_all(&buf).is_ok() {}
    }
}

#[test]
fn disk_full_the_kill_verdict_stands_the_record_is_spooled_and_no_half_line_stays() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(dir.path().join("small"), "64k") else {
        return;
    };
    let journal = disk.at.join("journal.jsonl");
    let pb = kill_playbook(dir.path(), &format!("journal = \"{}\"", journal.display()));
    let pb = pb.to_str().unwrap();

    // One line ending 96 bytes before a page boundary: the next line starts
    // in that page's room and runs out of disk halfway.
    let bare = |n: usize| {
        let ev = NewEvent::new(
            &Actor::here(Some("ana")),
            &Event::Ack(Ack {
                role: "captain".into(),
                comment: Some("x".repeat(n)),
                stage: None,
            }),
        );
        encode(1, Utc::now(), &ev, GENESIS).1
    };
    let pad = 4000 - bare(0).len();
    let first = bare(pad);
    assert_eq!(first.len(), 4000);
    std::fs::write(&journal, &first).unwrap();
    let filler = disk.at.join("filler");
    fill(&filler);

    let (out, _) =
        liftoff_within(&["kill", pb, "--as", "ana"], READBACK_TIMEOUT * 2).expect("kill hung");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("HALTED: verified by the readback"), "{t}");
    assert!(
        t.contains("journal.spool.jsonl") && t.contains("No space left"),
        "{t}"
    );
    assert_eq!(
        std::fs::metadata(&journal).unwrap().len(),
        4000,
        "a half-written line stayed in the journal"
    );
    let kept = std::fs::read_to_string(spool_path(dir.path())).unwrap();
    assert_eq!(kept.lines().count(), 2, "{kept}");
    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));

    // Space comes back: the next reader writes the records; all is intact.
    std::fs::remove_file(&filler).unwrap();
    let status = liftoff(&["status", pb]);
    assert!(
        text(&status).contains("kill:    HALTED"),
        "{}",
        text(&status)
    );
    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(
        text(&verify).contains("intact: 3 lines"),
        "{}",
        text(&verify)
    );
    drop(disk);
}

#[test]
fn a_kill_by_a_process_without_the_key_is_spooled_counted_by_status_and_written_by_one_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let pb = kill_playbook(dir.path(), &format!("journal_hmac_key_env = \"{KEY_ENV}\""));
    let pb = pb.to_str().unwrap();
    let (out, _) = liftoff_within(&["kill", pb], READBACK_TIMEOUT * 2).expect("kill hung");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("HALTED: verified") && t.contains("journal.spool.jsonl"),
        "{t}"
    );
    assert!(journal_kinds(dir.path()).is_empty());
    // Nobody here can write them: status still counts them.
    let status = liftoff(&["status", pb]);
    assert!(
        text(&status).contains("kill:    HALTED"),
        "{}",
        text(&status)
    );
    // A process with the key writes them (keyed, marked delayed).
    let key = [(KEY_ENV, "correct horse battery staple")];
    let status = liftoff_env(&["status", pb], &key);
    assert!(
        text(&status).contains("kill:    HALTED"),
        "{}",
        text(&status)
    );
    assert_eq!(journal_kinds(dir.path()), ["kill_fired", "kill_verified"]);
    let verify = liftoff_env(&["audit", "verify", pb], &key);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(
        text(&verify).contains("every line's MAC checked"),
        "{}",
        text(&verify)
    );
}
