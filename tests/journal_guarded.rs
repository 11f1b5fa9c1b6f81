//! The journal against a hostile or broken world, through the real binary:
//! a process that holds the journal's lock, a line off the chain, a keyed
//! chain, a cut tail, a disk that fills up, a clock a year ahead.

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn liftoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .expect("run liftoff")
}

fn liftoff_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run liftoff")
}

/// Runs liftoff, giving up (None) after `within`: a command that hangs fails
/// the test instead of hanging it.
fn liftoff_within(args: &[&str], within: Duration) -> Option<(Output, Duration)> {
    let child = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run liftoff");
    let pid = child.id();
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(within) {
        Ok(out) => Some((out.expect("wait"), started.elapsed())),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            None
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A process holding an exclusive `flock` on `path` until dropped
/// (`flock -x path sh -c 'echo locked; sleep 40'`); returns once it holds it.
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

const READBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A playbook whose kill switch writes `halted.flag` and reads it back.
fn kill_playbook(dir: &Path, release: &str) -> PathBuf {
    let text = format!(
        r#"
[release]
name = "guarded"
{release}

[source.halted]
kind = "command"
run = ["cat", "halted.flag"]
timeout = "2s"

[[role]]
id = "captain"

[kill_switch]
actions = [{{ kind = "command", run = ["sh", "-c", "echo HALTED > halted.flag"] }}]
verify = {{ source = "halted", pass = "exit_code == 0 && stdout.startsWith(\"HALTED\")", timeout = "{}s" }}
"#,
        READBACK_TIMEOUT.as_secs()
    );
    support::playbook::write(dir, &text)
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join("artifacts/audit/journal.jsonl")
}

fn spool_path(dir: &Path) -> PathBuf {
    dir.join("artifacts/audit/journal.spool.jsonl")
}

fn journal_kinds(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(journal_path(dir))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
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

// ---- lines written by hand (an editor, a forger) ----

use chrono::{DateTime, Utc};
use liftoff::journal::event::{Ack, Actor, Event};
use liftoff::journal::line::{encode, GENESIS};
use liftoff::journal::NewEvent;

fn ack_event(role: &str, by: &str) -> NewEvent {
    NewEvent::new(
        &Actor::here(Some(by)),
        &Event::Ack(Ack {
            role: role.into(),
            comment: None,
            stage: None,
        }),
    )
}

/// A line for `event` with its own hash right.
fn line(id: u64, at: DateTime<Utc>, event: &NewEvent, prev: &str) -> (String, Vec<u8>) {
    let (stored, bytes) = encode(id, at, event, prev);
    (stored.hash, bytes)
}

/// A playbook whose Go needs the captain's ACK (valid 1h) and one passing check.
fn gate_playbook(dir: &Path, release: &str) -> PathBuf {
    let text = format!(
        r#"
[release]
name = "gate"
go_acks = ["captain"]
ack_valid_for = "1h"
{release}

[[role]]
id = "captain"
[[role]]
id = "oncall"

[source.ok]
kind = "command"
run = ["true"]

[[check]]
id = "ok"
source = "ok"
pass = "exit_code == 0"
"#
    );
    support::playbook::write(dir, &text)
}

fn write_journal(dir: &Path, lines: &[Vec<u8>]) {
    let path = journal_path(dir);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines.concat()).unwrap();
}

#[test]
fn a_line_off_the_chain_is_not_counted_by_status_or_check() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let now = Utc::now();
    let (h1, l1) = line(1, now, &ack_event("oncall", "olu"), GENESIS);
    // Its own hash is right; its prev is not line 1's.
    let wrong_prev = "ab".repeat(32);
    let (_, l2) = line(2, now, &ack_event("captain", "mallory"), &wrong_prev);
    assert_ne!(h1, wrong_prev);
    write_journal(dir.path(), &[l1, l2]);

    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(
        text(&verify).contains("BROKEN at line 2"),
        "{}",
        text(&verify)
    );

    let check = liftoff(&["check", pb]);
    let t = text(&check);
    assert_eq!(
        check.status.code(),
        Some(1),
        "the forged ACK opened the gate: {t}"
    );
    assert!(t.contains("journal line 2 skipped"), "{t}");
    assert!(t.contains("not counted"), "{t}");

    let status = liftoff(&["status", pb]);
    let s = text(&status);
    assert!(s.contains("journal line 2 skipped"), "{s}");
    assert!(!s.contains("mallory"), "{s}");
}

#[test]
fn an_event_dated_a_year_ahead_does_not_date_the_ones_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let now = Utc::now();
    let (h1, l1) = line(
        1,
        now - chrono::Duration::hours(2),
        &ack_event("oncall", "olu"),
        GENESIS,
    );
    let ahead = now + chrono::Duration::days(365);
    let (_, l2) = line(2, ahead, &ack_event("captain", "cy"), &h1);
    write_journal(dir.path(), &[l1, l2]);

    // The captain's ACK counts as of the event before it (2h ago): expired.
    let check = liftoff(&["check", pb]);
    let t = text(&check);
    assert_eq!(
        check.status.code(),
        Some(1),
        "a year-ahead ACK never expires: {t}"
    );
    assert!(t.contains("journal line 2"), "{t}");
    assert!(t.contains("after this host's clock"), "{t}");

    // A new event is dated now, not a year ahead.
    let ack = liftoff(&["ack", pb, "--role", "oncall", "--as", "olu"]);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    let last = std::fs::read_to_string(journal_path(dir.path())).unwrap();
    let last: serde_json::Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    let at: DateTime<Utc> = last["at"].as_str().unwrap().parse().unwrap();
    assert!(at < Utc::now() + chrono::Duration::minutes(1), "dated {at}");
    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(text(&verify).contains("note: line 2"), "{}", text(&verify));
}

#[test]
fn the_head_in_a_decision_record_shows_a_cut_tail() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    for role in ["oncall", "captain"] {
        let ack = liftoff(&["ack", pb, "--role", role, "--as", "ana"]);
        assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    }
    let out = dir.path().join("records");
    let check = liftoff(&["check", pb, "--out", out.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let record = std::fs::read_dir(&out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record).unwrap()).unwrap();
    let head = format!(
        "{}@{}",
        record["journal_head"]["hash"].as_str().unwrap(),
        record["journal_head"]["line"]
    );
    assert!(head.ends_with("@2"), "{head}");
    let ok = liftoff(&["audit", "verify", pb, "--expect-head", &head]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));

    // Cut the last line (the captain's ACK): the chain alone is still intact.
    let path = journal_path(dir.path());
    let all = std::fs::read_to_string(&path).unwrap();
    let first = all.lines().next().unwrap();
    std::fs::write(&path, format!("{first}\n")).unwrap();
    let plain = liftoff(&["audit", "verify", pb]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));
    let cut = liftoff(&["audit", "verify", pb, "--expect-head", &head]);
    let t = text(&cut);
    assert_eq!(cut.status.code(), Some(1), "{t}");
    assert!(t.contains("CUT") && t.contains(&head), "{t}");
    let bad = liftoff(&["audit", "verify", pb, "--expect-head", "nothex@1"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

const KEY_ENV: &str = "LIFTOFF_TEST_JOURNAL_KEY";

#[test]
fn a_keyed_chain_detects_forged_appends_and_re_chaining() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), &format!("journal_hmac_key_env = \"{KEY_ENV}\""));
    let pb = pb.to_str().unwrap();
    let key = [(KEY_ENV, "correct horse battery staple")];
    let ack = liftoff_env(&["ack", pb, "--role", "oncall", "--as", "olu"], &key);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    let verify = liftoff_env(&["audit", "verify", pb], &key);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(
        text(&verify).contains("every line's MAC checked"),
        "{}",
        text(&verify)
    );

    // Without the key nothing is written, and verify says what it could not check.
    let refused = liftoff(&["ack", pb, "--role", "captain", "--as", "olu"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains(KEY_ENV), "{}", text(&refused));
    let blind = liftoff(&["audit", "verify", pb]);
    assert!(
        text(&blind).contains("MACs NOT CHECKED"),
        "{}",
        text(&blind)
    );

    // A forger who can write the file appends a perfectly chained ACK.
    let path = journal_path(dir.path());
    let first = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(first.trim_end()).unwrap();
    let (_, forged) = line(
        2,
        Utc::now(),
        &ack_event("captain", "mallory"),
        v["hash"].as_str().unwrap(),
    );
    std::fs::write(&path, [first.as_bytes(), &forged].concat()).unwrap();
    let caught = liftoff_env(&["audit", "verify", pb], &key);
    let t = text(&caught);
    assert_eq!(caught.status.code(), Some(1), "{t}");
    assert!(t.contains("BROKEN at line 2") && t.contains("MAC"), "{t}");
    let check = liftoff_env(&["check", pb], &key);
    assert_eq!(
        check.status.code(),
        Some(1),
        "the forged ACK counted: {}",
        text(&check)
    );
    // Unkeyed, the same file verifies: that is all an unkeyed chain proves.
    let unkeyed = gate_playbook(dir.path(), "");
    let plain = liftoff(&["audit", "verify", unkeyed.to_str().unwrap()]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));

    // Re-chained from scratch (line 1 rewritten with its hashes recomputed).
    let pb = gate_playbook(dir.path(), &format!("journal_hmac_key_env = \"{KEY_ENV}\""));
    let (_, rewritten) = line(1, Utc::now(), &ack_event("captain", "mallory"), GENESIS);
    std::fs::write(&path, rewritten).unwrap();
    let caught = liftoff_env(&["audit", "verify", pb.to_str().unwrap()], &key);
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
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
