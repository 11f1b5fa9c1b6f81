//! The journal tests' world: the built binary (with a bound), playbooks
//! with a kill switch or a Go gate, journal lines written by hand.

use chrono::{DateTime, Utc};
use liftoff::journal::event::{Ack, Actor, Event};
use liftoff::journal::line::encode;
use liftoff::journal::NewEvent;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const KEY_ENV: &str = "LIFTOFF_TEST_JOURNAL_KEY";

pub fn liftoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .expect("run liftoff")
}

pub fn liftoff_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run liftoff")
}

/// Runs liftoff, giving up (None) after `within`: a command that hangs fails
/// the test instead of hanging it.
pub fn liftoff_within(args: &[&str], within: Duration) -> Option<(Output, Duration)> {
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

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A process holding an exclusive `flock` on `path` until dropped
/// (`flock -x path sh -c 'echo locked; sleep 40'`); returns once it holds it.
pub const READBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A playbook whose kill switch writes `halted.flag` and reads it back.
pub fn kill_playbook(dir: &Path, release: &str) -> PathBuf {
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
    super::playbook::write(dir, &text)
}

pub fn journal_path(dir: &Path) -> PathBuf {
    dir.join("artifacts/audit/journal.jsonl")
}

pub fn spool_path(dir: &Path) -> PathBuf {
    dir.join("artifacts/audit/journal.spool.jsonl")
}

pub fn journal_kinds(dir: &Path) -> Vec<String> {
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

pub fn ack_event(role: &str, by: &str) -> NewEvent {
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
pub fn line(id: u64, at: DateTime<Utc>, event: &NewEvent, prev: &str) -> (String, Vec<u8>) {
    let (stored, bytes) = encode(id, at, event, prev);
    (stored.hash, bytes)
}

/// A playbook whose Go needs the captain's ACK (valid 1h) and one passing check.
pub fn gate_playbook(dir: &Path, release: &str) -> PathBuf {
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
    super::playbook::write(dir, &text)
}

pub fn write_journal(dir: &Path, lines: &[Vec<u8>]) {
    let path = journal_path(dir);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines.concat()).unwrap();
}
