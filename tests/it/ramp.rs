//! The ramp: what may move and why not (pure), the countdown as a function of
//! time (pure), and entering / stepping back through the real set + readback,
//! surviving a restart because the state is the journal.

use crate::support;

use chrono::{DateTime, Duration as Cd, Utc};
use liftoff::act::{stage, ActContext};
use liftoff::engine::{self, Evidence, GateDecision, Status, Verdict};
use liftoff::journal::{self, Actor};
use liftoff::playbook::LoadedPlaybook;
use liftoff::ramp::{self, Reason};
use liftoff::release::{self, AckRecord, KillState, ReleaseState, StageEntry, StageState};
use std::sync::Arc;
use std::time::Duration;

const PLAYBOOK: &str = r#"
[release]
name = "ramp"
go_acks = ["captain"]

[[role]]
id = "captain"
[[role]]
id = "oncall"

[source.prom]
kind = "prometheus"
url = "http://127.0.0.1:1"

[source.pct]
kind = "command"
run = ["cat", "pct.txt"]
timeout = "2s"

[[check]]
id = "entropy"
source = "prom"
query = "policy_entropy"
pass = "value >= 0.9"

[[check]]
id = "latency"
source = "prom"
query = "p99"
pass = "value < 0.5"

[ramp]
set = { kind = "command", run = ["sh", "-c", "echo {percent} > pct.txt"] }
readback = { source = "pct", pass = "json == percent", timeout = "2s", every = "100ms" }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10
hold = "2h"
decision_points = ["30m", "60m", "120m"]
acks = ["captain", "oncall"]

[[ramp.stage]]
name = "25%"
percent = 25
acks = ["captain"]
"#;

fn t(min: i64) -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + Cd::minutes(min)
}

fn pb() -> LoadedPlaybook {
    support::playbook::load(std::path::Path::new("/tmp"), PLAYBOOK)
}

fn gate(pb: &LoadedPlaybook, statuses: &[(&str, Status)]) -> GateDecision {
    let verdicts: Vec<Verdict> = statuses
        .iter()
        .map(|(id, status)| Verdict {
            check: id.to_string(),
            status: *status,
            evidence: Evidence {
                value: None,
                observed_at: None,
                source: "prom".into(),
                origin: None,
                query: None,
                condition: "c".into(),
                reason: format!("{} in test", status.word()),
                culprits: Vec::new(),
                stderr: None,
            },
        })
        .collect();
    engine::decide(&pb.checks, &verdicts, &[], true)
}

fn at_stage(index: usize, name: &str, percent: f64) -> ReleaseState {
    ReleaseState {
        stage: Some(StageState {
            index,
            name: name.into(),
            percent,
            entered_at: t(0),
            decision_points_done: vec![],
        }),
        ..Default::default()
    }
}

fn ack(state: &mut ReleaseState, role: &str, by: &str, stage: &str) {
    state.acks.insert(
        0,
        AckRecord {
            role: role.into(),
            by: by.into(),
            at: t(1),
            comment: None,
            stage: Some(stage.into()),
        },
    );
}

fn stage_acks(pb: &LoadedPlaybook, state: &ReleaseState, index: usize) -> Vec<engine::AckStatus> {
    let roles = &pb.playbook.ramp.as_ref().unwrap().stages[index].acks;
    release::entry_ack_status(&pb.playbook, state, roles, t(2))
}

#[test]
fn refuses_on_nogo_and_names_the_checks() {
    let pb = pb();
    let mut state = at_stage(0, "shadow", 0.0);
    ack(&mut state, "captain", "ana", "shadow");
    ack(&mut state, "oncall", "bob", "shadow");
    let g = gate(
        &pb,
        &[("entropy", Status::Fail), ("latency", Status::Unknown)],
    );
    let acks = stage_acks(&pb, &state, 1);
    let refusal = ramp::can_enter(&pb.playbook, 1, &g, &acks, &state).unwrap_err();
    assert_eq!(refusal.checks(), ["entropy", "latency"]);
    assert!(refusal.roles().is_empty());
    let text = refusal.to_string();
    assert!(
        text.starts_with("cannot enter stage 10%: NO-GO, held by entropy (FAIL"),
        "{text}"
    );
    assert!(text.contains("latency (UNKNOWN"), "{text}");
}

#[test]
fn refuses_on_a_missing_ack_and_names_the_role() {
    let pb = pb();
    let mut state = at_stage(0, "shadow", 0.0);
    // bob's ACK opened 10% once; the ramp stepped back to shadow since.
    state.acks.push(AckRecord {
        role: "oncall".into(),
        by: "bob".into(),
        at: t(-5),
        comment: None,
        stage: Some("shadow".into()),
    });
    for (index, name, at, back) in [(1, "10%", -4, false), (0, "shadow", -3, true)] {
        state.entries.push(StageEntry {
            index,
            name: name.into(),
            at: t(at),
            back,
        });
    }
    ack(&mut state, "captain", "ana", "shadow");
    let g = gate(&pb, &[("entropy", Status::Pass), ("latency", Status::Pass)]);
    let acks = stage_acks(&pb, &state, 1);
    let refusal = ramp::can_enter(&pb.playbook, 1, &g, &acks, &state).unwrap_err();
    assert_eq!(refusal.roles(), ["oncall"]);
    assert!(refusal.checks().is_empty());
    assert!(
        refusal.to_string().contains(
            "no valid ACK from oncall (the last ACK (bob) was used to enter stage 10% at 11:56:00 UTC"
        ),
        "{refusal}"
    );
}

#[test]
fn says_everything_that_holds_it_at_once() {
    let pb = pb();
    let state = at_stage(0, "shadow", 0.0);
    let g = gate(&pb, &[("entropy", Status::Fail), ("latency", Status::Pass)]);
    let acks = stage_acks(&pb, &state, 1);
    let refusal = ramp::can_enter(&pb.playbook, 1, &g, &acks, &state).unwrap_err();
    assert_eq!(refusal.checks(), ["entropy"]);
    assert_eq!(refusal.roles(), ["captain", "oncall"]);
}

#[test]
fn enters_on_go_with_every_ack() {
    let pb = pb();
    let mut state = at_stage(0, "shadow", 0.0);
    ack(&mut state, "captain", "ana", "shadow");
    ack(&mut state, "oncall", "bob", "shadow");
    let g = gate(&pb, &[("entropy", Status::Pass), ("latency", Status::Pass)]);
    assert_eq!(ramp::next_stage(&pb.playbook, &state), Some(1));
    ramp::can_enter(&pb.playbook, 1, &g, &stage_acks(&pb, &state, 1), &state).unwrap();
}

#[test]
fn only_the_next_stage_and_never_while_the_kill_switch_fires_or_failed() {
    let pb = pb();
    let g = gate(&pb, &[("entropy", Status::Pass), ("latency", Status::Pass)]);
    let state = at_stage(0, "shadow", 0.0);
    let skip = ramp::can_enter(&pb.playbook, 2, &g, &[], &state).unwrap_err();
    assert!(skip.reasons.contains(&Reason::NotNext {
        asked: "25%".into(),
        next: Some("10%".into())
    }));
    assert_eq!(
        ramp::next_stage(&pb.playbook, &ReleaseState::default()),
        Some(0)
    );
    assert_eq!(
        ramp::next_stage(&pb.playbook, &at_stage(2, "25%", 25.0)),
        None
    );

    let mut firing = at_stage(0, "shadow", 0.0);
    firing.kill = KillState::Firing { since: t(0) };
    let r = ramp::can_enter(&pb.playbook, 1, &g, &[], &firing).unwrap_err();
    assert!(r.reasons.contains(&Reason::KillFiring));
    assert!(ramp::can_step_back(&pb.playbook, &firing).is_err());

    let mut failed = at_stage(1, "10%", 10.0);
    failed.kill = KillState::Failed {
        at: t(0),
        why: "readback timed out".into(),
    };
    let r = ramp::can_enter(&pb.playbook, 2, &g, &[], &failed).unwrap_err();
    assert!(
        r.to_string()
            .contains("kill switch FAILED (readback timed out)"),
        "{r}"
    );
    assert_eq!(
        ramp::can_step_back(&pb.playbook, &failed),
        Ok(0),
        "stepping back stays possible"
    );
}

#[test]
fn stepping_back_needs_a_stage_behind() {
    let pb = pb();
    assert_eq!(
        ramp::can_step_back(&pb.playbook, &at_stage(1, "10%", 10.0)),
        Ok(0)
    );
    let first = ramp::can_step_back(&pb.playbook, &at_stage(0, "shadow", 0.0)).unwrap_err();
    assert_eq!(first.reasons, [Reason::AtFirstStage]);
    let none = ramp::can_step_back(&pb.playbook, &ReleaseState::default()).unwrap_err();
    assert_eq!(none.reasons, [Reason::NotStarted]);
}

#[test]
fn countdown_and_decision_points_are_functions_of_now() {
    let pb = pb();
    let mut state = at_stage(1, "10%", 10.0);
    let c = ramp::countdown(&pb.playbook, &state, t(45)).unwrap();
    assert_eq!(c.hold, Some(Duration::from_secs(7200)));
    assert_eq!(c.hold_left, Some(Duration::from_secs(75 * 60)));
    assert_eq!(c.due, [Duration::from_secs(1800)]);
    assert_eq!(c.next_decision_point.as_ref().unwrap().left, Duration::ZERO);

    // Record T+30m: the next one is T+60m, 15 minutes away.
    let g = gate(&pb, &[("entropy", Status::Pass), ("latency", Status::Warn)]);
    let verdicts = [Verdict {
        check: "latency".into(),
        status: Status::Warn,
        evidence: Evidence {
            value: Some("0.45".into()),
            observed_at: Some(t(44)),
            source: "prom".into(),
            origin: None,
            query: None,
            condition: "value < 0.4".into(),
            reason: "warn holds".into(),
            culprits: Vec::new(),
            stderr: None,
        },
    }];
    let event = ramp::decision_point_event(
        state.stage.as_ref().unwrap(),
        Duration::from_secs(1800),
        &g,
        &verdicts,
    );
    let (kind, payload) = event.to_parts();
    assert_eq!(kind, "decision_point");
    assert_eq!(payload["decision"], "GO", "WARN is allowed by default");
    assert_eq!(payload["offset_ms"], 1_800_000);
    assert_eq!(payload["checks"][0]["status"], "WARN");
    assert_eq!(payload["checks"][0]["value"], "0.45");
    state
        .stage
        .as_mut()
        .unwrap()
        .decision_points_done
        .push(Duration::from_secs(1800));
    let c = ramp::countdown(&pb.playbook, &state, t(45)).unwrap();
    assert!(c.due.is_empty());
    let next = c.next_decision_point.unwrap();
    assert_eq!(
        (next.offset, next.left),
        (Duration::from_secs(3600), Duration::from_secs(900))
    );

    let late = ramp::countdown(&pb.playbook, &state, t(180)).unwrap();
    assert!(late.hold_over());
    assert_eq!(
        ramp::due_decision_points(&pb.playbook, &state, t(180)),
        [Duration::from_secs(3600), Duration::from_secs(7200)]
    );
    assert!(ramp::countdown(&pb.playbook, &ReleaseState::default(), t(0)).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entering_and_stepping_back_are_read_back_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let pb = Arc::new(support::playbook::load(dir.path(), PLAYBOOK));
    let journal = journal::open(&pb).unwrap();
    let ctx = ActContext::new(pb.clone(), journal.clone(), Actor::here(Some("commander")));

    for i in [0, 1] {
        let out = stage::enter(ctx.clone(), i, false).await.unwrap();
        assert!(out.entered, "{out:#?}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pct.txt"))
            .unwrap()
            .trim(),
        "10"
    );

    // A new process: the state is whatever the journal says.
    let restarted = ReleaseState::from_read(&journal.read_all().unwrap());
    let st = restarted.stage.as_ref().unwrap();
    assert_eq!((st.index, st.name.as_str(), st.percent), (1, "10%", 10.0));
    assert!(restarted
        .recent
        .last()
        .unwrap()
        .summary
        .contains("entered stage 10% (10%), read back"));

    // `[` goes back through the same set and readback.
    let back = stage::step_back(ctx.clone(), &restarted).await.unwrap();
    assert!(back.entered);
    let state = ReleaseState::from_read(&journal.read_all().unwrap());
    assert_eq!(state.stage.as_ref().unwrap().name, "shadow");
    assert!(state
        .recent
        .last()
        .unwrap()
        .summary
        .starts_with("stepped back to stage shadow"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pct.txt"))
            .unwrap()
            .trim(),
        "0"
    );

    // `]` with NO-GO is refused before anything runs.
    let g = gate(&pb, &[("entropy", Status::Fail)]);
    let refused = stage::advance(ctx.clone(), &state, &g, &[])
        .await
        .unwrap_err();
    assert_eq!(refused.checks(), ["entropy", "latency"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pct.txt"))
            .unwrap()
            .trim(),
        "0"
    );

    // A set whose readback never proves it: stage_failed, and the stage does not change.
    std::fs::remove_file(dir.path().join("pct.txt")).unwrap();
    std::fs::create_dir(dir.path().join("pct.txt")).unwrap(); // `echo > pct.txt` now fails
    let failed = stage::enter(ctx.clone(), 1, false).await.unwrap();
    assert!(!failed.entered);
    let state = ReleaseState::from_read(&journal.read_all().unwrap());
    assert_eq!(state.stage.as_ref().unwrap().name, "shadow");
    assert!(state
        .recent
        .last()
        .unwrap()
        .summary
        .starts_with("stage 10% NOT entered"));
}
