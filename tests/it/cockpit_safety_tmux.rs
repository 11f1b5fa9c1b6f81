//! The cockpit's safety keys, driven in the real binary in tmux on a real
//! journal file: a burst `K K` (key repeat, a paste) does not fire the kill
//! switch while a deliberate `K … K` does; Enter never answers yes to a
//! rollback, a stage or quitting during the ramp.

use crate::support;

use liftoff::journal::event::StageEntered;
use liftoff::journal::{self, Actor, Event};
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::tmux::{wait_until, Pane, KILL_KEY_GAP};

/// The war room's playbook, with a rollback target that appends to a file.
fn world() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n{}",
        include_str!("../fixtures/war_room.toml"),
        r#"
[source.rolled]
kind = "command"
run = ["cat", "rolled.txt"]
interval = "1h"
timeout = "2s"

[[rollback]]
id = "pause"
title = "Pause the batch"
actions = [{ kind = "command", run = ["sh", "-c", "echo rolled >> rolled.txt"] }]
verify = { source = "rolled", pass = "stdout.startsWith('rolled')", timeout = "10s" }
"#
    );
    let path = support::playbook::write(dir.path(), &text);
    (dir, path)
}

fn kinds(playbook: &Path) -> Vec<String> {
    let pb = liftoff::playbook::load(playbook).unwrap();
    let events = journal::open(&pb).unwrap().read_all().unwrap().events;
    events.into_iter().map(|e| e.kind).collect()
}

fn await_kind(playbook: &Path, kind: &str) {
    wait_until(|| kinds(playbook).iter().any(|k| k == kind).then_some(()))
        .unwrap_or_else(|| panic!("no {kind} in the journal: {:?}", kinds(playbook)));
}

#[test]
fn a_burst_k_k_does_not_fire_and_a_deliberate_k_k_does() {
    let (dir, pb) = world();
    let pane = Pane::start("burst", &pb, &[("LIFTOFF_USER", "ana")]);
    // One send-keys with two K: they arrive within a millisecond or two.
    pane.keys(&["K", "K"]);
    pane.wait_for("press K again to HALT");
    // Esc disarms only an armed switch: its notice proves both K were read
    // and the second did not fire.
    pane.keys(&["Escape"]);
    pane.wait_for("kill switch disarmed");
    let screen = pane.screen();
    assert!(
        !screen.contains("FIRING") && !screen.contains("HALTED"),
        "{screen}"
    );
    assert!(
        !dir.path().join("halted.flag").exists(),
        "the kill action ran"
    );
    assert!(!kinds(&pb).contains(&"kill_fired".to_string()));
    // A held key: a stream of K never fires either, and a deliberate K after it does.
    let started = Instant::now();
    pane.keys(&["K", "K", "K", "K", "K", "K"]);
    pane.wait_for("press K again to HALT");
    std::thread::sleep(KILL_KEY_GAP.saturating_sub(started.elapsed()));
    assert!(!kinds(&pb).contains(&"kill_fired".to_string()));
    pane.keys(&["K"]);
    pane.wait_halted();
    assert_eq!(kinds(&pb), ["kill_fired", "kill_verified"]);
}

#[test]
fn enter_does_not_confirm_a_rollback_or_quitting_during_the_ramp() {
    let (dir, pb) = world();
    let pane = Pane::start("enter", &pb, &[("LIFTOFF_USER", "ana")]);
    pane.keys(&["R"]);
    pane.wait_for("Pause the batch");
    pane.keys(&["Enter"]);
    pane.wait_for("Fire rollback Pause the batch?");
    pane.keys(&["Enter"]);
    // Enter says what yes is instead; the question stays.
    pane.wait_for("press y for yes");
    pane.wait_for("Fire rollback Pause the batch?");
    pane.keys(&["y"]);
    await_kind(&pb, "rollback_verified");
    let rolled = std::fs::read_to_string(dir.path().join("rolled.txt")).unwrap();
    assert_eq!(rolled, "rolled\n", "the rollback ran once, on y");

    // The ramp at 10%, from the journal: q asks, Enter does not quit.
    let loaded = liftoff::playbook::load(&pb).unwrap();
    let entered = Event::StageEntered(StageEntered {
        index: 1,
        name: "10%".into(),
        percent: 10.0,
        verified: true,
        took_ms: 5,
        back: false,
    });
    journal::open(&loaded)
        .unwrap()
        .append(journal::NewEvent::new(&Actor::here(Some("cara")), &entered))
        .unwrap();
    pane.wait_for("at 10% since");
    pane.keys(&["q"]);
    pane.wait_for("Quit while the ramp runs?");
    pane.keys(&["Enter"]);
    pane.wait_for("press y for yes");
    // `[` behind it would step back if Enter had closed the question: the
    // question is still up, so nothing runs.
    pane.keys(&["Escape"]);
    pane.wait_gone("Quit while the ramp runs?");
    pane.keys(&["["]);
    pane.wait_for("Step back to stage shadow 0%?");
    pane.keys(&["Enter"]);
    pane.wait_for("press y for yes");
    pane.keys(&["n"]);
    pane.wait_gone("Step back to stage shadow");
    assert!(!dir.path().join("pct.txt").exists(), "a stage was set");
    pane.keys(&["q"]);
    pane.wait_for("Quit while the ramp runs?");
    pane.keys(&["y"]);
    pane.assert_clean_exit();
}
