//! The cockpit acting for real, in tmux, on a real journal file: two cockpits
//! on one journal see each other's ACK and kill switch; the ramp refuses `]`
//! on NO-GO and says which; a guard alarm is raised by the data and answered.
//! The kill switch is a command action writing a flag file, and its readback
//! a command source reading it.

use crate::support;

use liftoff::journal::event::StageEntered;
use liftoff::journal::{self, Actor, Event, Stored};
use std::path::{Path, PathBuf};
use support::tmux::{wait_until, Pane};

/// Shared with tests/cockpit_etcd.rs.
const PLAYBOOK: &str = include_str!("../fixtures/war_room.toml");

fn world() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), PLAYBOOK);
    (dir, path)
}

fn events(playbook: &Path) -> Vec<Stored> {
    let pb = liftoff::playbook::load(playbook).unwrap();
    journal::open(&pb).unwrap().read_all().unwrap().events
}

/// Waits until the journal holds an event of `kind` and returns it.
fn await_event(playbook: &Path, kind: &str) -> Stored {
    wait_until(|| events(playbook).into_iter().find(|e| e.kind == kind))
        .unwrap_or_else(|| panic!("no {kind} in the journal: {:?}", events(playbook)))
}

#[test]
fn two_cockpits_on_one_journal_see_each_others_ack_and_kill_switch() {
    let (dir, pb) = world();
    let ana = Pane::start("wired-ana", &pb, &[("LIFTOFF_USER", "ana")]);
    let bob = Pane::start("wired-bob", &pb, &[("LIFTOFF_USER", "bob")]);
    // An ACK typed in one: `a`, the first missing gate role is picked, Enter.
    ana.keys(&["a"]);
    ana.wait_for("Enter records");
    ana.keys(&["Enter"]);
    let ack = await_event(&pb, "ack");
    assert_eq!(ack.actor.name, "ana");
    assert_eq!(ack.payload["role"], "captain");
    bob.wait_for("ana at ");
    // `K K` in one shows HALTED (the readback's proof) in both.
    bob.fire_kill_switch();
    for pane in [&bob, &ana] {
        pane.wait_halted();
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("halted.flag")).unwrap(),
        "HALTED\n"
    );
    let kinds: Vec<String> = events(&pb).into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["ack", "kill_fired", "kill_verified"]);
}

#[test]
fn the_ramp_refuses_to_enter_on_no_go_and_says_which() {
    let (dir, pb) = world();
    let pane = Pane::start("wired-ramp", &pb, &[("LIFTOFF_USER", "ana")]);
    pane.keys(&["]"]);
    pane.wait_for("Cannot enter stage shadow 0%");
    pane.wait_for("Checks holding it: level-low, captain, oncall");
    // A frame may be caught half drawn: wait for each part on its own.
    pane.wait_for("Esc closes");
    // Answering yes anyway runs nothing.
    pane.keys(&["y"]);
    pane.wait_for("NO-GO, held by level-low");
    assert!(!dir.path().join("pct.txt").exists(), "the set action ran");
    assert!(events(&pb).is_empty());
}

#[test]
fn an_alarm_guard_raises_the_alarm_and_its_answer_is_journaled() {
    let (dir, pb) = world();
    // The ramp runs at 10% (from the journal, as another process left it)...
    let loaded = liftoff::playbook::load(&pb).unwrap();
    let journal = journal::open(&loaded).unwrap();
    let entered = Event::StageEntered(StageEntered {
        index: 1,
        name: "10%".into(),
        percent: 10.0,
        verified: true,
        took_ms: 5,
        back: false,
    });
    journal
        .append(journal::NewEvent::new(&Actor::here(Some("cara")), &entered))
        .unwrap();
    let pane = Pane::start("wired-alarm", &pb, &[("LIFTOFF_USER", "ana")]);
    pane.wait_for("at 10% since");
    // ...and the data crosses the guard's threshold.
    std::fs::write(dir.path().join("level.txt"), "0.9\n").unwrap();
    let tripped = await_event(&pb, "guard_tripped");
    assert_eq!(tripped.payload["guard"], "level-high");
    assert_eq!(tripped.payload["on_trip"], "alarm");
    pane.wait_for("ALARM (a answers · K K kills) guard level-high tripped");
    pane.keys(&["a"]);
    pane.wait_for("ALARM: answer it");
    pane.type_text("known batch job");
    pane.keys(&["Enter"]);
    let answered = await_event(&pb, "alarm_answered");
    assert_eq!(answered.actor.name, "ana");
    assert_eq!(answered.payload["guard"], "level-high");
    assert_eq!(answered.payload["comment"], "known batch job");
    pane.wait_gone("ALARM (a answers");
    // Still over the threshold: the same episode is not raised again.
    let kinds: Vec<String> = events(&pb).into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["stage_entered", "guard_tripped", "alarm_answered"]);
}
