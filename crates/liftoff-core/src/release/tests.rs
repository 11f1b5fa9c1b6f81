//! The fold, without I/O: events in, state out.

use super::*;
use crate::journal::event::*;
use crate::journal::line::{encode, GENESIS};
use crate::journal::{Event, JournalWarning, Stored};
use chrono::Duration;

fn t(sec: i64) -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::seconds(sec)
}

fn ev(id: u64, at: i64, who: &str, event: Event) -> Stored {
    let actor = Actor {
        name: who.into(),
        role: None,
        host: "h".into(),
        pid: 1,
    };
    encode(id, t(at), &NewEvent::new(&actor, &event), GENESIS).0
}

fn entered(index: usize, name: &str, percent: f64) -> Event {
    Event::StageEntered(StageEntered {
        index,
        name: name.into(),
        percent,
        verified: true,
        took_ms: 120,
        back: false,
    })
}

#[test]
fn stage_acks_and_decision_points() {
    let events = [
        ev(
            1,
            0,
            "ana",
            Event::Ack(Ack {
                role: "captain".into(),
                comment: Some("go".into()),
                stage: None,
            }),
        ),
        ev(2, 10, "cmd", entered(1, "10%", 10.0)),
        ev(
            3,
            1810,
            "cmd",
            Event::DecisionPoint(DecisionPoint {
                stage: "10%".into(),
                offset_ms: 1_800_000,
                decision: "GO".into(),
                checks: vec![],
            }),
        ),
        ev(
            4,
            1811,
            "cmd",
            Event::DecisionPoint(DecisionPoint {
                stage: "other".into(),
                offset_ms: 60_000,
                decision: "GO".into(),
                checks: vec![],
            }),
        ),
    ];
    let s = ReleaseState::fold(&events);
    let stage = s.stage.as_ref().unwrap();
    assert_eq!(
        (stage.index, stage.name.as_str(), stage.percent),
        (1, "10%", 10.0)
    );
    assert_eq!(stage.entered_at, t(10));
    assert_eq!(
        stage.decision_points_done,
        vec![std::time::Duration::from_secs(1800)]
    );
    assert_eq!(s.acks.len(), 1);
    assert_eq!(s.acks[0].by, "ana");
    assert_eq!(s.acks[0].comment.as_deref(), Some("go"));
    assert_eq!((s.last_id, s.events), (4, 4));
    assert_eq!(s.recent.len(), 4);
    assert!(s.recent[0].summary.contains("ACK captain"));
    assert!(s.ramp_running());
}

#[test]
fn kill_switch_states() {
    let fired = Event::KillFired(Fired {
        target: None,
        reason: Some("pages".into()),
        actions: 2,
        dispatched_us: 40,
    });
    let mut s = ReleaseState::fold(&[
        ev(1, 0, "cmd", entered(1, "10%", 10.0)),
        ev(2, 5, "ana", fired.clone()),
    ]);
    assert_eq!(s.kill, KillState::Firing { since: t(5) });
    assert!(!s.ramp_running());
    s.apply(&ev(
        3,
        6,
        "ana",
        Event::KillVerified(Verified {
            target: None,
            took_ms: 800,
        }),
    ));
    assert_eq!(
        s.kill,
        KillState::Halted {
            at: t(6),
            took_ms: 800
        }
    );
    assert!(
        s.stage.is_none(),
        "a halted world restarts the ramp from its first stage"
    );
    s.apply(&ev(4, 7, "ana", fired));
    s.apply(&ev(
        5,
        8,
        "ana",
        Event::KillFailed(Failed {
            target: None,
            why: "readback timed out".into(),
        }),
    ));
    assert_eq!(
        s.kill,
        KillState::Failed {
            at: t(8),
            why: "readback timed out".into()
        }
    );
    s.apply(&ev(6, 9, "cmd", entered(0, "shadow", 0.0)));
    assert_eq!(s.kill, KillState::Ready);
}

#[test]
fn rollbacks_are_tracked_apart_from_the_kill_switch() {
    let s = ReleaseState::fold(&[
        ev(
            1,
            0,
            "a",
            Event::RollbackFired(Fired {
                target: Some("telemetry-only".into()),
                reason: None,
                actions: 1,
                dispatched_us: 1,
            }),
        ),
        ev(
            2,
            1,
            "a",
            Event::RollbackVerified(Verified {
                target: Some("telemetry-only".into()),
                took_ms: 5,
            }),
        ),
    ]);
    assert_eq!(s.kill, KillState::Ready);
    assert_eq!(
        s.rollbacks["telemetry-only"],
        KillState::Halted {
            at: t(1),
            took_ms: 5
        }
    );
}

#[test]
fn alarm_until_answered_and_kill_guards_raise_none() {
    let trip = |on: &str| {
        Event::GuardTripped(GuardTripped {
            guard: "entropy".into(),
            on_trip: on.into(),
            value: Some("0.7".into()),
            reason: "value < 0.8 for 30s".into(),
            since: t(0),
        })
    };
    let mut s = ReleaseState::fold(&[ev(1, 0, "g", trip("kill"))]);
    assert!(s.alarm.is_none());
    s.apply(&ev(2, 1, "g", trip("alarm")));
    assert!(s.alarm.as_deref().unwrap().contains("entropy"));
    assert_eq!(s.alarm_guard.as_deref(), Some("entropy"));
    s.apply(&ev(
        3,
        2,
        "ana",
        Event::AlarmAnswered(AlarmAnswered {
            guard: Some("entropy".into()),
            comment: None,
        }),
    ));
    assert!(s.alarm.is_none());
}

#[test]
fn manual_items_and_baselines() {
    let m = |k: bool| {
        let item = Manual {
            item: "rollback_plan".into(),
            role: Some("captain".into()),
        };
        if k {
            Event::ManualTicked(item)
        } else {
            Event::ManualUnticked(item)
        }
    };
    let mut s = ReleaseState::fold(&[
        ev(1, 0, "ana", m(true)),
        ev(
            2,
            1,
            "x",
            Event::BaselineRecorded(Baseline {
                name: "q".into(),
                value: 1.5,
                ..Default::default()
            }),
        ),
    ]);
    let Payload::Manual(got) = manual_payload(&s, "rollback_plan") else {
        panic!()
    };
    assert!(got.checked);
    assert_eq!(got.by.as_deref(), Some("ana"));
    assert_eq!(got.at, Some(t(0)));
    let Payload::Manual(none) = manual_payload(&s, "other") else {
        panic!()
    };
    assert!(!none.checked);
    s.apply(&ev(3, 2, "bob", m(false)));
    assert!(!s.manual["rollback_plan"].checked);
    assert_eq!(s.baselines["q"], 1.5);
}

use crate::source::Payload;

#[test]
fn recent_and_acks_stay_bounded() {
    let mut s = ReleaseState::default();
    for i in 0..5000u64 {
        let who = format!("p{}", i % 700);
        s.apply(&ev(
            i + 1,
            i as i64,
            &who,
            Event::Ack(Ack {
                role: "captain".into(),
                comment: None,
                stage: None,
            }),
        ));
    }
    assert!(s.recent.len() >= RECENT && s.recent.len() < 2 * RECENT);
    assert_eq!(s.recent.last().unwrap().at, t(4999));
    assert!(s.acks.len() <= MAX_ACKS);
    assert_eq!(s.acks[0].at, t(4999), "newest first");

    // A batch fold shows the same newest lines.
    let events: Vec<Stored> = (0..1000u64)
        .map(|i| {
            ev(
                i + 1,
                i as i64,
                "x",
                Event::Ack(Ack {
                    role: "captain".into(),
                    comment: None,
                    stage: None,
                }),
            )
        })
        .collect();
    let folded = ReleaseState::fold(&events);
    assert_eq!(folded.recent.len(), RECENT);
    assert_eq!(folded.recent.last().unwrap().at, t(999));
    assert_eq!(folded.recent[0].at, t(1000 - RECENT as i64));
    assert_eq!(folded.events, 1000);

    // The batch fold keeps the same ACKs, in the same order, as event-by-event.
    let events: Vec<Stored> = (0..3000u64)
        .map(|i| {
            let ack = Ack {
                role: ["a", "b", "c"][(i % 3) as usize].into(),
                comment: None,
                stage: Some(format!("s{}", i % 4)),
            };
            ev(i + 1, i as i64, &format!("p{}", i % 211), Event::Ack(ack))
        })
        .collect();
    let mut one_by_one = ReleaseState::default();
    for e in &events {
        one_by_one.apply(e);
    }
    let batch = ReleaseState::fold(&events);
    let key = |s: &ReleaseState| {
        s.acks
            .iter()
            .map(|a| (a.role.clone(), a.by.clone(), a.stage.clone(), a.at))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&batch), key(&one_by_one));
    assert_eq!(batch.acks.len(), MAX_ACKS);
}

#[test]
fn unknown_kinds_and_warnings_are_carried() {
    let mut odd = ev(
        1,
        0,
        "x",
        Event::BaselineRecorded(Baseline {
            name: "q".into(),
            value: 1.0,
            ..Default::default()
        }),
    );
    odd.kind = "teleport".into();
    let mut s = ReleaseState::fold(&[odd]);
    assert_eq!(s.events, 1);
    assert!(s.recent[0].summary.contains("teleport"));
    s.warn(&JournalWarning {
        line: 7,
        why: "torn".into(),
    });
    assert_eq!(s.warnings, vec!["journal line 7 skipped: torn".to_string()]);
}

/// A record the kill switch kept in the spool at `kept` while the journal was
/// away, written (marked delayed) at `at`.
fn late(id: u64, at: i64, kept: i64, event: Event) -> Stored {
    let actor = Actor::here(Some("ana"));
    let (kind, payload) = event.to_parts();
    let kept = crate::journal::kept::Kept {
        actor,
        kind: kind.into(),
        payload,
        kept_at: t(kept),
        why: "etcd unreachable".into(),
        token: None,
    };
    encode(id, t(at), &kept.into_delayed(), GENESIS).0
}

#[test]
fn a_kill_record_written_late_counts_from_when_it_was_kept() {
    let fired = |target: Option<&str>| Fired {
        target: target.map(str::to_string),
        reason: None,
        actions: 1,
        dispatched_us: 40,
    };
    let verified = |target: Option<&str>| Verified {
        target: target.map(str::to_string),
        took_ms: 300,
    };
    // Kept at 100 and 101, written when etcd came back at 400.
    let mut s = ReleaseState::fold(&[
        ev(1, 0, "cmd", entered(1, "10%", 10.0)),
        late(2, 400, 100, Event::KillFired(fired(None))),
    ]);
    assert_eq!(s.kill, KillState::Firing { since: t(100) });
    s.apply(&late(3, 400, 101, Event::KillVerified(verified(None))));
    assert_eq!(
        s.kill,
        KillState::Halted {
            at: t(101),
            took_ms: 300
        }
    );
    assert!(s.stage.is_none());
    // The journal panel still says when each line was written.
    assert_eq!(s.recent.last().unwrap().at, t(400));
    // Rollback targets too; a kept time after the write is not believed.
    s.apply(&late(
        4,
        500,
        450,
        Event::RollbackVerified(verified(Some("db"))),
    ));
    s.apply(&late(
        5,
        600,
        900,
        Event::RollbackFailed(Failed {
            target: Some("web".into()),
            why: "readback".into(),
        }),
    ));
    assert_eq!(
        s.rollbacks["db"],
        KillState::Halted {
            at: t(450),
            took_ms: 300
        }
    );
    assert!(matches!(s.rollbacks["web"], KillState::Failed { at, .. } if at == t(600)));
}

#[test]
fn a_late_kill_record_older_than_the_stage_entered_since_leaves_it_armed() {
    // While ana's laptop could not reach etcd she fired the kill switch (100);
    // bob, who could, entered a stage after that (200): its set action ran
    // after the kill. Ana's records arrive at 300.
    let s = ReleaseState::fold(&[
        ev(1, 200, "bob", entered(1, "10%", 10.0)),
        late(
            2,
            300,
            100,
            Event::KillFired(Fired {
                target: None,
                reason: None,
                actions: 1,
                dispatched_us: 40,
            }),
        ),
        late(
            3,
            300,
            101,
            Event::KillVerified(Verified {
                target: None,
                took_ms: 300,
            }),
        ),
    ]);
    assert_eq!(s.kill, KillState::Ready);
    assert_eq!(s.stage.as_ref().map(|st| st.entered_at), Some(t(200)));
    assert!(s.ramp_running());
    // Both lines are still on the journal panel.
    assert_eq!(s.recent.len(), 3);
}
