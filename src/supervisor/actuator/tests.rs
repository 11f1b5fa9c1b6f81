//! The real actuator on a real journal file, with real child processes for
//! the kill switch, the ramp's set action and a rollback target: each act is
//! routed to the right `act::*` call and reported back on the channel.

use super::*;
use crate::engine::gate::HoldKind;
use crate::engine::{Decision, GateDecision, Hold};
use crate::journal::event::StageEntered;
use crate::journal::{self, Stored};
use crate::playbook::{LoadedPlaybook, OnTrip};
use crate::report::Report;
use std::path::Path;
use std::sync::Arc;

const PLAYBOOK: &str = r#"
[release]
name = "actuator"
go_acks = ["captain"]

[[role]]
id = "captain"

[source.flag]
kind = "command"
run = ["cat", "halted.flag"]
timeout = "2s"

[source.pct]
kind = "command"
run = ["cat", "pct.txt"]
timeout = "2s"

[source.plan]
kind = "manual"
title = "Rollback plan reviewed"

[[check]]
id = "flag"
source = "flag"
pass = "exit_code == 0"

[ramp]
set = { kind = "command", run = ["sh", "-c", "echo {percent} > pct.txt"] }
readback = { source = "pct", pass = "json == percent", timeout = "10s" }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10
hold = "1h"
decision_points = ["30m"]
acks = ["captain"]

[[guard]]
id = "pct-high"
source = "pct"
trip = "json > 5"
on_trip = "alarm"

[kill_switch]
actions = [{ kind = "command", run = ["sh", "-c", "echo HALTED > halted.flag"] }]
verify = { source = "flag", pass = "stdout.startsWith('HALTED')", timeout = "10s" }

[[rollback]]
id = "soft"
actions = [{ kind = "command", run = ["sh", "-c", "echo 0 > pct.txt"] }]
verify = { source = "pct", pass = "json == 0", timeout = "10s" }
"#;

pub(super) struct World {
    _dir: tempfile::TempDir,
    pub(super) pb: Arc<LoadedPlaybook>,
    pub(super) journal: crate::journal::SharedJournal,
    pub(super) actuator: LiveActuator,
    rx: mpsc::Receiver<SupervisorEvent>,
}

pub(super) fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liftoff.toml");
    std::fs::write(&path, PLAYBOOK).unwrap();
    let pb = Arc::new(crate::playbook::load(&path).unwrap());
    let journal = journal::open(&pb.journal_config()).unwrap();
    let (tx, rx) = mpsc::channel(64);
    let ctx = ActContext::new(pb.clone(), journal.clone(), Actor::here(Some("ana")));
    World {
        _dir: dir,
        pb,
        journal,
        actuator: LiveActuator::new(ctx, tx),
        rx,
    }
}

impl World {
    async fn next(&mut self) -> SupervisorEvent {
        tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("a report within 20 s")
            .expect("channel open")
    }

    pub(super) async fn notice(&mut self) -> (String, bool) {
        match self.next().await {
            SupervisorEvent::Notice { text, bad } => (text, bad),
            other => panic!("expected a notice, got {other:?}"),
        }
    }

    fn events(&self) -> Vec<Stored> {
        self.journal.read_all().unwrap().events
    }

    pub(super) fn kinds(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.kind).collect()
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.pb.base_dir().join(name)).unwrap_or_default()
    }
}

pub(super) fn no_go() -> GateDecision {
    GateDecision {
        decision: Decision::NoGo,
        holds: vec![Hold {
            kind: HoldKind::Check,
            id: "flag".into(),
            status: Some(crate::engine::Status::Fail),
            reason: "exit_code == 0 is false".into(),
        }],
    }
}

#[tokio::test]
async fn the_kill_switch_reports_what_the_readback_proved_and_journals_it() {
    let mut w = world();
    let started = w.actuator.carry_out(Request::FireKill).unwrap();
    assert!(started.contains("KILL SWITCH fired"), "{started}");
    match w.next().await {
        SupervisorEvent::KillDone {
            state,
            text,
            timings,
            kept,
        } => {
            assert!(!kept, "a file journal keeps nothing aside: {text}");
            assert!(
                matches!(state, KillState::Halted { .. }),
                "{state:?}: {text}"
            );
            assert!(timings.verified.is_some() && timings.dispatched <= timings.finished);
            assert!(text.contains("HALTED: verified in"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.file("halted.flag"), "HALTED\n");
    assert_eq!(w.kinds(), ["kill_fired", "kill_verified"]);
    assert_eq!(w.events()[0].actor.name, "ana");
}

/// The cockpit's loop is busy after the trip is judged (this single-threaded
/// runtime cannot run the kill's task until the test yields): the kill's
/// clock, and the `dispatched_us` it journals, still start at the trip.
#[tokio::test]
async fn a_guard_kill_is_timed_from_the_trip_not_from_when_its_task_runs() {
    let mut w = world();
    let mut guard = w.pb.playbook.guards[0].clone();
    guard.on_trip = OnTrip::Kill;
    w.actuator
        .carry_out(Request::Duty(Duty::GuardTripped {
            guard: Box::new(guard),
            since: Utc::now(),
            value: Some("10".into()),
        }))
        .unwrap();
    let busy = Duration::from_millis(30);
    let held = Instant::now();
    while held.elapsed() < busy {
        std::hint::spin_loop();
    }
    assert!(w.notice().await.0.starts_with("guard pct-high tripped"));
    let SupervisorEvent::KillDone { state, timings, .. } = w.next().await else {
        panic!("the kill's verdict follows")
    };
    assert!(matches!(state, KillState::Halted { .. }), "{state:?}");
    assert!(
        timings.dispatched >= busy,
        "timed from the task, not the trip: {timings:?}"
    );
    assert_eq!(w.kinds(), ["guard_tripped", "kill_fired", "kill_verified"]);
    let fired = &w.events()[1].payload;
    assert!(fired["dispatched_us"].as_u64() >= Some(busy.as_micros() as u64));
}

#[tokio::test]
async fn an_ack_is_journaled_as_the_named_person_in_the_role() {
    let mut w = world();
    let ack = Request::Ack {
        role: "captain".into(),
        name: "bob".into(),
        comment: Some("ready".into()),
        stage: None,
    };
    w.actuator.carry_out(ack).unwrap();
    let (text, bad) = w.notice().await;
    assert!(
        !bad && text.starts_with("ACK recorded: captain by bob"),
        "{text}"
    );
    let e = &w.events()[0];
    assert_eq!((e.kind.as_str(), e.actor.name.as_str()), ("ack", "bob"));
    assert_eq!(e.actor.role.as_deref(), Some("captain"));
    assert_eq!(e.payload["comment"], "ready");
    let unknown = Request::Ack {
        role: "janitor".into(),
        name: "bob".into(),
        comment: None,
        stage: None,
    };
    assert!(w
        .actuator
        .carry_out(unknown)
        .unwrap_err()
        .contains("no role `janitor`"));
}

#[tokio::test]
async fn a_decision_writes_its_record_and_a_journal_event() {
    let mut w = world();
    let now = Utc::now();
    let report = Report::build(&w.pb, &[], &no_go(), &[], now);
    let d = Decide {
        report,
        maker: "carol".into(),
        justification: "flag missing".into(),
        next_review: Some("2030-01-01T00:00:00Z".into()),
        plan: crate::act::rules::may_decide(&no_go(), "no-go", "flag missing").unwrap(),
        stage: None,
    };
    w.actuator.carry_out(Request::Decide(Box::new(d))).unwrap();
    let (text, bad) = w.notice().await;
    assert!(
        !bad && text.starts_with("NO-GO decision recorded by carol"),
        "{text}"
    );
    let e = &w.events()[0];
    assert_eq!(e.kind, "decision_outcome");
    assert_eq!(e.payload["next_review"], "2030-01-01T00:00:00Z");
    let record = e.payload["record"].as_str().unwrap().to_string();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    assert_eq!(json["decision_maker"], "carol");
    assert_eq!(json["justification"], "flag missing");
}

#[tokio::test]
async fn the_ramp_refuses_on_no_go_and_enters_on_go_with_its_readback() {
    let mut w = world();
    let seen = |gate| {
        Box::new(ConfirmedStanding {
            state: ReleaseState::default(),
            gate,
            acks: Vec::new(),
            verdicts: Vec::new(),
            override_hold: None,
        })
    };
    let refused = Request::EnterStage {
        index: 0,
        seen: seen(no_go()),
    };
    w.actuator.carry_out(refused).unwrap();
    let (text, bad) = w.notice().await;
    assert!(bad && text.contains("NO-GO, held by flag"), "{text}");
    assert!(w.kinds().is_empty(), "a refusal runs and journals nothing");
    let go = GateDecision {
        decision: Decision::Go,
        holds: Vec::new(),
    };
    w.actuator
        .carry_out(Request::EnterStage {
            index: 0,
            seen: seen(go),
        })
        .unwrap();
    let (text, bad) = w.notice().await;
    assert!(
        !bad && text.starts_with("stage shadow 0% entered: read back"),
        "{text}"
    );
    assert_eq!(w.file("pct.txt"), "0\n");
    assert_eq!(w.kinds(), ["stage_entered"]);
}

#[tokio::test]
async fn rollback_tick_alarm_and_answer_are_journaled() {
    let mut w = world();
    w.actuator
        .carry_out(Request::Rollback {
            target: "soft".into(),
        })
        .unwrap();
    let (text, bad) = w.notice().await;
    assert!(!bad && text.starts_with("rollback soft verified"), "{text}");
    let tick = Request::Tick {
        item: "plan".into(),
        role: None,
        checked: true,
    };
    w.actuator.carry_out(tick).unwrap();
    assert!(w.notice().await.0.starts_with("plan ticked by ana"));
    let guard = w.pb.playbook.guards[0].clone();
    let trip = || {
        Request::Duty(Duty::GuardTripped {
            guard: Box::new(guard.clone()),
            since: Utc::now(),
            value: Some("10".into()),
        })
    };
    w.actuator.carry_out(trip()).unwrap();
    assert!(w
        .notice()
        .await
        .0
        .starts_with("ALARM: guard pct-high tripped"));
    w.actuator.carry_out(trip()).unwrap();
    assert!(
        w.notice().await.0.contains("already raised"),
        "not raised twice"
    );
    w.actuator
        .carry_out(Request::AnswerAlarm {
            guard: Some("pct-high".into()),
            comment: Some("expected".into()),
        })
        .unwrap();
    assert!(w.notice().await.0.starts_with("alarm answered"));
    assert_eq!(
        w.kinds(),
        [
            "rollback_fired",
            "rollback_verified",
            "manual_ticked",
            "guard_tripped",
            "alarm_answered"
        ]
    );
    assert!(w
        .actuator
        .carry_out(Request::Rollback {
            target: "nope".into()
        })
        .is_err());
}

/// Another process entered 10% (in `w`'s journal); the stage as folded from it.
pub(super) async fn entered_ten_percent(w: &World) -> crate::release::StageState {
    let stage = Event::StageEntered(StageEntered {
        index: 1,
        name: "10%".into(),
        percent: 10.0,
        verified: true,
        took_ms: 3,
        back: false,
    });
    journal::record(&w.journal, &Actor::here(Some("x")), &stage)
        .await
        .unwrap();
    ReleaseState::from_read(&w.journal.read_all().unwrap())
        .stage
        .unwrap()
}

#[tokio::test]
async fn a_decision_point_is_journaled_once_across_processes() {
    let mut w = world();
    let st = entered_ten_percent(&w).await;
    let offset = Duration::from_secs(1800);
    let event = crate::ramp::decision_point_event(&st, offset, &no_go(), &[]);
    let point = || {
        Request::Duty(Duty::DecisionPoint {
            stage: "10%".into(),
            offset,
            event: Box::new(event.clone()),
        })
    };
    w.actuator.carry_out(point()).unwrap();
    assert_eq!(w.notice().await.0, "decision point T+30m at 10% recorded");
    // Another cockpit (same journal) asks for the same point.
    w.actuator.carry_out(point()).unwrap();
    assert!(w.notice().await.0.contains("already recorded"));
    assert_eq!(w.kinds(), ["stage_entered", "decision_point"]);
    assert!(Path::new(&w.journal.describe()).exists());
}

#[tokio::test]
async fn without_a_journal_the_kill_switch_still_fires_and_says_what_was_not_journaled() {
    let w = world();
    let no_journal: crate::journal::SharedJournal =
        Arc::new(crate::journal::no_journal::NoJournal {
            spec: "etcd://10.0.0.1:2379/liftoff".into(),
        });
    let (tx, mut rx) = mpsc::channel(8);
    let ctx = ActContext::new(w.pb.clone(), no_journal, Actor::here(Some("ana")));
    let mut actuator = LiveActuator::new(ctx, tx);
    actuator.carry_out(Request::FireKill).unwrap();
    let done = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .unwrap()
        .unwrap();
    match done {
        SupervisorEvent::KillDone { state, text, .. } => {
            assert!(matches!(state, KillState::Halted { .. }), "{text}");
            assert!(text.contains("NOT journaled"), "{text}");
            assert!(
                text.contains("journal `etcd://10.0.0.1:2379/liftoff` is not supported yet"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.file("halted.flag"), "HALTED\n");
}

#[cfg(feature = "etcd")]
#[tokio::test]
async fn with_etcd_away_the_kill_switch_says_its_records_are_kept_locally() {
    let w = world();
    // A port nothing listens on: the journal's etcd is away.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = format!("etcd://127.0.0.1:{port}/liftoff/away");
    let settings =
        crate::journal::EtcdSettings::from_config(&w.pb.journal_config(), &spec).unwrap();
    let etcd: crate::journal::SharedJournal = Arc::new(crate::journal::EtcdJournal::new(settings));
    let (tx, mut rx) = mpsc::channel(8);
    let ctx = ActContext::new(w.pb.clone(), etcd, Actor::here(Some("ana")));
    let mut actuator = LiveActuator::new(ctx, tx);
    actuator.carry_out(Request::FireKill).unwrap();
    let done = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .unwrap()
        .unwrap();
    match done {
        SupervisorEvent::KillDone {
            state, text, kept, ..
        } => {
            assert!(matches!(state, KillState::Halted { .. }), "{text}");
            assert!(kept, "{text}");
            assert!(text.contains(KEPT), "{text}");
            assert!(text.contains("kill_fired kept in"), "{text}");
            assert!(!text.contains("NOT journaled"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    let spool = w.pb.audit_dir().join(crate::journal::spool::FILE_NAME);
    let kept = std::fs::read_to_string(&spool).unwrap();
    let kinds: Vec<&str> = kept
        .lines()
        .map(|l| {
            if l.contains("\"kind\":\"kill_fired\"") {
                "kill_fired"
            } else if l.contains("\"kind\":\"kill_verified\"") {
                "kill_verified"
            } else {
                l
            }
        })
        .collect();
    assert_eq!(kinds, ["kill_fired", "kill_verified"]);
}
