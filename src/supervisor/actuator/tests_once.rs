//! Two cockpits on one journal file (each its own handle, so its own `flock`)
//! asking for the same record on the same tick: a decision point, an alarm.
//! One event goes in; the other cockpit is told it was already there.

use super::tests::{entered_ten_percent, no_go, world, World};
use super::*;
use crate::journal::{file, FileJournal, SharedJournal};
use std::sync::Arc;

/// A second cockpit on `w`'s journal file, with its own handle on it.
fn second(w: &World) -> (LiveActuator, mpsc::Receiver<SupervisorEvent>) {
    let path = w.pb.audit_dir().join(file::FILE_NAME);
    let journal: SharedJournal = Arc::new(FileJournal::new(path));
    let (tx, rx) = mpsc::channel(8);
    let ctx = ActContext::new(w.pb.clone(), journal, Actor::here(Some("bo")));
    (LiveActuator::new(ctx, tx), rx)
}

async fn notice(rx: &mut mpsc::Receiver<SupervisorEvent>) -> String {
    match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
        Ok(Some(SupervisorEvent::Notice { text, .. })) => text,
        other => panic!("expected a notice, got {other:?}"),
    }
}

/// Both cockpits' notices for one act each; sorted, so "already" comes first.
async fn both(w: &mut World, rx: &mut mpsc::Receiver<SupervisorEvent>) -> [String; 2] {
    let mut texts = [w.notice().await.0, notice(rx).await];
    texts.sort_by_key(|t| !t.contains("already"));
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cockpits_record_each_decision_point_once() {
    let mut w = world();
    let (mut other, mut rx) = second(&w);
    let st = entered_ten_percent(&w).await;
    const POINTS: u64 = 10;
    for minute in 30..30 + POINTS {
        let offset = Duration::from_secs(minute * 60);
        let event = crate::ramp::decision_point_event(&st, offset, &no_go(), &[]);
        let point = || {
            Request::Duty(Duty::DecisionPoint {
                stage: "10%".into(),
                offset,
                event: Box::new(event.clone()),
            })
        };
        // The same tick in both cockpits: both tasks run at once.
        w.actuator.carry_out(point()).unwrap();
        other.carry_out(point()).unwrap();
        let [late, first] = both(&mut w, &mut rx).await;
        assert_eq!(first, format!("decision point T+{minute}m at 10% recorded"));
        assert!(late.contains("already recorded"), "{late}");
    }
    let kinds = w.kinds();
    assert_eq!(kinds.len() as u64, 1 + POINTS, "{kinds:?}");
    assert!(
        kinds[1..].iter().all(|k| k == "decision_point"),
        "{kinds:?}"
    );
    let done = ReleaseState::from_read(&w.journal.read_all().unwrap())
        .stage
        .unwrap()
        .decision_points_done;
    assert_eq!(done.len() as u64, POINTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cockpits_raise_an_alarm_once_per_episode() {
    let mut w = world();
    let (mut other, mut rx) = second(&w);
    let guard = w.pb.playbook.guards[0].clone();
    let trip = || {
        Request::Duty(Duty::GuardTripped {
            guard: Box::new(guard.clone()),
            since: Utc::now(),
            value: Some("10".into()),
        })
    };
    const EPISODES: usize = 5;
    for _ in 0..EPISODES {
        w.actuator.carry_out(trip()).unwrap();
        other.carry_out(trip()).unwrap();
        let [late, first] = both(&mut w, &mut rx).await;
        assert!(
            first.starts_with("ALARM: guard pct-high tripped"),
            "{first}"
        );
        assert!(late.contains("already raised"), "{late}");
        // Answered: the next trip is a new episode.
        w.actuator
            .carry_out(Request::AnswerAlarm {
                guard: Some("pct-high".into()),
                comment: None,
            })
            .unwrap();
        assert!(w.notice().await.0.starts_with("alarm answered"));
    }
    let kinds = w.kinds();
    let episode = ["guard_tripped", "alarm_answered"];
    assert_eq!(kinds, episode.repeat(EPISODES), "one alarm per episode");
}
