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
