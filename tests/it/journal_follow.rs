//! Following the journal across processes: a follower started before the file
//! exists sees another process's events as they land, in order, and is told
//! (not stopped) when a line is torn.

use crate::support;

use liftoff::journal::{self, Followed};
use liftoff::release::ReleaseState;
use std::io::Write;
use std::process::Command;
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

const PLAYBOOK: &str = r#"
[release]
name = "follow"
audit_dir = "shared/audit"

[[role]]
id = "captain"

[source.plan]
kind = "manual"
title = "Rollback plan reviewed"
role = "captain"
"#;

fn liftoff(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn next(rx: &mut Receiver<Followed>) -> Followed {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("the follower delivers")
        .expect("the follower is open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sees_other_processes_and_reports_torn_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), PLAYBOOK);
    let pb_arg = path.to_str().unwrap();
    let pb = liftoff::playbook::load(&path).unwrap();
    let journal = journal::open(&pb).unwrap();
    let file = dir.path().join("shared/audit/journal.jsonl");
    assert!(!file.exists());
    let mut rx = journal.follow(Default::default()).unwrap();
    let mut state = ReleaseState::default();

    liftoff(&["ack", pb_arg, "--role", "captain", "--as", "ana"]);
    let first = next(&mut rx).await;
    assert!(
        matches!(&first, Followed::Event(e) if e.kind == "ack" && e.actor.name == "ana"),
        "{first:?}"
    );
    state.apply_followed(&first);

    // A torn line (a writer that died), then a tick from another process.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap()
        .write_all(b"{\"id\":2,\"at\":")
        .unwrap();
    liftoff(&["tick", pb_arg, "--item", "plan", "--as", "ana"]);
    let warning = next(&mut rx).await;
    assert!(
        matches!(&warning, Followed::Warning(w) if w.line == 2),
        "{warning:?}"
    );
    state.apply_followed(&warning);
    let tick = next(&mut rx).await;
    assert!(
        matches!(&tick, Followed::Event(e) if e.kind == "manual_ticked" && e.id == 2),
        "{tick:?}"
    );
    state.apply_followed(&tick);

    assert_eq!(state.events, 2);
    assert_eq!(state.warnings.len(), 1);
    let plan = &state.manual["plan"];
    assert!(plan.checked);
    assert_eq!(plan.by.as_deref(), Some("ana"));
    let liftoff::source::Payload::Manual(m) = liftoff::release::manual_payload(&state, "plan")
    else {
        panic!("a manual payload")
    };
    assert!(m.checked);
}
