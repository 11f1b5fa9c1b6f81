//! Three supervisors on one release: `liftoff watch` (a child with no
//! terminal) and two cockpits in tmux, on one journal file, the ramp at 10%.
//! A decision point falls due for all three and is recorded once; the data
//! crosses an alarm guard and the alarm is recorded once.

use crate::support;

use liftoff::journal::event::StageEntered;
use liftoff::journal::{self, Actor, Event, Stored};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use support::tmux::{wait_until, Pane};

/// The war room's playbook with a decision point a few seconds into 10%.
fn playbook() -> String {
    include_str!("../fixtures/war_room.toml").replace(
        "percent = 10\nacks = [\"captain\", \"oncall\"]",
        "percent = 10\nacks = [\"captain\", \"oncall\"]\ndecision_points = [\"8s\"]",
    )
}

fn events(playbook: &Path) -> Vec<Stored> {
    let pb = liftoff::playbook::load(playbook).unwrap();
    journal::open(&pb).unwrap().read_all().unwrap().events
}

fn count(playbook: &Path, kind: &str) -> usize {
    events(playbook).iter().filter(|e| e.kind == kind).count()
}

/// `liftoff watch`, killed when dropped.
struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn log_has(log: &Path, text: &str) -> Option<()> {
    std::fs::read_to_string(log)
        .ok()
        .filter(|l| l.contains(text))
        .map(|_| ())
}

/// The latest gate line `watch` logged names `check`.
fn last_gate_holds(log: &Path, check: &str) -> Option<()> {
    let text = std::fs::read_to_string(log).ok()?;
    let last = text.lines().rev().find(|l| l.contains(" gate "))?;
    (last.contains("stage=Some") && last.contains(check)).then_some(())
}

#[test]
fn watch_and_two_cockpits_record_each_decision_point_and_alarm_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = playbook();
    assert!(text.contains("decision_points"), "the fixture changed");
    let pb = support::playbook::write(dir.path(), &text);
    std::fs::write(dir.path().join("level.txt"), "0.1\n").unwrap();
    // The ramp at 10%, as another process left it.
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

    let log = dir.path().join("watch.log");
    let _watch = Watch(
        Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .arg("watch")
            .arg(&pb)
            .env("LIFTOFF_USER", "watcher")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let ana = Pane::start("sup-ana", &pb, &[("LIFTOFF_USER", "ana")]);
    let bob = Pane::start("sup-bob", &pb, &[("LIFTOFF_USER", "bob")]);
    ana.wait_for("at 10% since");
    bob.wait_for("at 10% since");
    wait_until(|| log_has(&log, "gate ")).unwrap_or_else(|| {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        panic!("watch is not up; its log:\n{text}")
    });

    // The decision point falls due for all three: recorded once.
    wait_until(|| (count(&pb, "decision_point") > 0).then_some(()))
        .unwrap_or_else(|| panic!("no decision point: {:?}", events(&pb)));
    for pane in [&ana, &bob] {
        pane.wait_for("every decision point recorded");
    }
    assert_eq!(count(&pb, "decision_point"), 1, "{:?}", events(&pb));

    // The data crosses the alarm guard: every supervisor judges it, one alarm.
    std::fs::write(dir.path().join("level.txt"), "0.9\n").unwrap();
    for pane in [&ana, &bob] {
        pane.wait_for("ALARM (a answers");
    }
    // watch has judged the new data too (its latest gate holds on it).
    wait_until(|| last_gate_holds(&log, "level-low"))
        .unwrap_or_else(|| panic!("{}", std::fs::read_to_string(&log).unwrap()));
    let tripped: Vec<Stored> = events(&pb)
        .into_iter()
        .filter(|e| e.kind == "guard_tripped")
        .collect();
    assert_eq!(tripped.len(), 1, "{tripped:?}");
    assert_eq!(tripped[0].payload["guard"], "level-high");
    assert_eq!(count(&pb, "decision_point"), 1);
}
