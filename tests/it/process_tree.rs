//! Nothing a `command` source starts outlives it: a `setsid` escapee is
//! killed when the command times out, a background child when it exits
//! normally; both through the library and through the real `liftoff check`.

use liftoff::playbook::load;
use liftoff::source::poll::{poll, PollContext};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Whether `pid` is gone: no such process, or a zombie (dead, waiting only
/// for a reaper that is not liftoff, e.g. init after liftoff exited).
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn absent(pid: i32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

fn read_pid(dir: &Path, name: &str) -> i32 {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    text.trim().parse().unwrap()
}

/// Kills `pid` should the test fail with it still running.
struct Reap(i32);
impl Drop for Reap {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

fn write_playbook(dir: &Path, run: &str, timeout: &str) -> std::path::PathBuf {
    let path = dir.join("liftoff.toml");
    std::fs::write(
        &path,
        format!(
            r#"[release]
name = "process tree"

[source.cmd]
kind = "command"
run = ["sh", "-c", {run:?}]
timeout = "{timeout}"

[[check]]
id = "cmd"
title = "command ran"
source = "cmd"
pass = "exit_code == 0"
"#
        ),
    )
    .unwrap();
    path
}

/// The escapee leaves the command's session and process group; the command
/// then hangs past its timeout.
const ESCAPE_AND_HANG: &str = "setsid sleep 300 >/dev/null 2>&1 & echo $! > escapee.pid; sleep 300";
/// The command exits at once, leaving one background child in its group and
/// one in a session of its own.
const LEAVE_BEHIND: &str = "sleep 300 >/dev/null 2>&1 & echo $! > child.pid; \
     setsid sleep 300 >/dev/null 2>&1 & echo $! > escapee.pid; exit 0";

async fn poll_once(pb: &Path) -> liftoff::source::Observation {
    let pb = load(pb).unwrap();
    let ctx = PollContext::new(pb.base_dir());
    poll(&ctx, "cmd", &pb.sources["cmd"], &[]).await
}

#[tokio::test]
async fn a_setsid_escapee_is_killed_and_reaped_when_the_command_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let pb = write_playbook(dir.path(), ESCAPE_AND_HANG, "1s");
    let obs = poll_once(&pb).await;
    assert!(obs.outcome.is_err(), "{obs:?}");
    let escapee = read_pid(dir.path(), "escapee.pid");
    let _reap = Reap(escapee);
    // The tree is swept before the poll returns, and the escapee, now ours
    // (liftoff is a subreaper), is reaped too: nothing to wait for.
    assert!(absent(escapee), "escapee {escapee} survived the timeout");
}

#[tokio::test]
async fn background_children_are_killed_and_reaped_after_a_normal_exit() {
    let dir = tempfile::tempdir().unwrap();
    let pb = write_playbook(dir.path(), LEAVE_BEHIND, "30s");
    let obs = poll_once(&pb).await;
    assert!(obs.outcome.is_ok(), "{obs:?}");
    let child = read_pid(dir.path(), "child.pid");
    let escapee = read_pid(dir.path(), "escapee.pid");
    let (_a, _b) = (Reap(child), Reap(escapee));
    assert!(absent(child), "background child {child} lingers");
    assert!(absent(escapee), "setsid child {escapee} lingers");
}

/// Runs `liftoff check PB` and waits for it, failing (and killing it) when
/// it hangs.
fn check_bounded(pb: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("check")
        .arg(pb)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run liftoff");
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        drop(Reap(pid));
        panic!("liftoff check still running after 60 s");
    }
}

#[test]
fn liftoff_check_leaves_no_process_behind() {
    for (run, timeout) in [(ESCAPE_AND_HANG, "1s"), (LEAVE_BEHIND, "30s")] {
        let dir = tempfile::tempdir().unwrap();
        let pb = write_playbook(dir.path(), run, timeout);
        check_bounded(&pb);
        let escapee = read_pid(dir.path(), "escapee.pid");
        let _reap = Reap(escapee);
        assert!(gone(escapee), "`{run}`: {escapee} outlived liftoff check");
    }
}
