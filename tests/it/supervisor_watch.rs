//! `liftoff watch`, the headless supervisor, as a child process with no
//! terminal anywhere: a real exporter scraped by a real Prometheus, a guard on
//! the Prometheus query, a ramp at 10%. The exporter's value crosses the
//! guard; the supervisor trips it, fires the kill switch and verifies it
//! (journal `guard_tripped`, `kill_fired`, `kill_verified`, and the kill
//! action's effect on disk). SIGTERM stops it cleanly; a bad playbook exits 2.

use crate::support;

use liftoff::act::{stage, ActContext};
use liftoff::journal::{self, Actor, Followed};
use liftoff::release::{KillState, ReleaseState};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use support::exporter::Exporter;
use support::prometheus::Prometheus;

const WAIT: Duration = Duration::from_secs(60);

fn playbook(prom: &str) -> String {
    format!(
        r#"
[release]
name = "watched ramp"

[source.prom]
kind = "prometheus"
url = "{prom}"
interval = "1s"
timeout = "2s"

[source.pct]
kind = "command"
run = ["cat", "pct.txt"]
timeout = "2s"

[[check]]
id = "entropy"
source = "prom"
query = "policy_entropy"
pass = "value >= 0.9"

[ramp]
set = {{ kind = "command", run = ["sh", "-c", "echo {{percent}} > pct.txt"] }}
readback = {{ source = "pct", pass = "json == percent", timeout = "10s" }}

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10

[[guard]]
id = "entropy-floor"
source = "prom"
query = "policy_entropy"
trip = "value < 0.8"
on_trip = "kill"

[kill_switch]
actions = [{{ kind = "command", run = ["sh", "-c", "echo 0 > pct.txt"] }}]
verify = {{ source = "pct", pass = "json == 0", timeout = "10s" }}
"#
    )
}

fn watch(playbook: &Path, log: &Path) -> tokio::process::Child {
    let log = std::fs::File::create(log).unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("watch")
        .arg(playbook)
        .env("RUST_LOG", "liftoff=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start liftoff watch")
}

/// The next journal event's kind, folded into `state`.
async fn next_kind(
    rx: &mut tokio::sync::mpsc::Receiver<Followed>,
    state: &mut ReleaseState,
    log: &Path,
) -> String {
    let item = tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "no journal event in {WAIT:?}; watch's log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            )
        })
        .expect("the follower is open");
    state.apply_followed(&item);
    match item {
        Followed::Event(e) => e.kind,
        Followed::Warning(w) => panic!("{w}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guard_trips_and_the_kill_is_verified_with_no_terminal_open() {
    let exporter = Exporter::start(&[("policy_entropy", 0.95)]);
    let prom = Prometheus::start("policy", &exporter.target(), None, "").await;
    prom.wait_value("policy_entropy", 0.95).await;
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), &playbook(&prom.url()));
    let pb = Arc::new(support::playbook::load(dir.path(), &playbook(&prom.url())));

    // The ramp at 10%, entered through the same code as `]` and `liftoff stage`.
    let journal = journal::open(&pb).unwrap();
    let ctx = ActContext::new(pb.clone(), journal.clone(), Actor::here(Some("captain")));
    for index in [0, 1] {
        let entered = stage::enter(ctx.clone(), index, false).await.unwrap();
        assert!(entered.entered, "{entered:#?}");
    }
    let read = journal.read_all().unwrap();
    let mut state = ReleaseState::from_read(&read);
    assert!(state.ramp_running());
    let mut follower = journal.follow(read.cursor).unwrap();

    let log = dir.path().join("watch.log");
    let mut child = watch(&path, &log);
    // The supervisor is up and has seen the healthy value (its gate line).
    support::net::wait_for(WAIT, "watch logs its first gate", || async {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("gate ") {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;

    // The world changes: the exporter's value crosses the guard.
    exporter.set("policy_entropy", 0.5);
    assert_eq!(
        next_kind(&mut follower, &mut state, &log).await,
        "guard_tripped"
    );
    assert_eq!(
        next_kind(&mut follower, &mut state, &log).await,
        "kill_fired"
    );
    assert!(matches!(state.kill, KillState::Firing { .. }));
    assert_eq!(
        next_kind(&mut follower, &mut state, &log).await,
        "kill_verified"
    );
    assert!(
        matches!(state.kill, KillState::Halted { .. }),
        "{:?}",
        state.kill
    );
    let pct = std::fs::read_to_string(dir.path().join("pct.txt")).unwrap();
    assert_eq!(pct.trim(), "0", "the kill action's effect");
    let tripped = state
        .recent
        .iter()
        .filter(|l| l.kind == "guard_tripped")
        .count();
    assert_eq!(tripped, 1);

    // What the readback proved reaches the supervisor's log too.
    support::net::wait_for(WAIT, "watch logs the readback's verdict", || async {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("KILL SWITCH HALTED") {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;

    // SIGTERM: a clean stop, exit 0, and it said so.
    let pid = Pid::from_raw(child.id().expect("running") as i32);
    kill(pid, Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("watch stops on SIGTERM")
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("guard entropy-floor tripped"), "{text}");
    assert!(text.contains("supervisor stopped"), "{text}");
}

#[tokio::test]
async fn a_bad_playbook_exits_2_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), "[release]\nname = \"x\"\npas = 1\n");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("watch")
        .arg(&path)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("liftoff.toml:3"), "{stderr}");
}
