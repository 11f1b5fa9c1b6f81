//! The core alone, the clock injected: guards trip after their `for` and only
//! while the ramp runs, a kill guard shows FIRING at once, decision points
//! are handed out once, and an observation evaluates only its source's checks.

use super::*;
use crate::release::StageState;
use crate::source::{Payload, Sample};

fn now() -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse().unwrap()
}

fn t(s: i64) -> DateTime<Utc> {
    now() + chrono::Duration::seconds(s)
}

fn pb() -> Arc<LoadedPlaybook> {
    Arc::new(crate::playbook::load(std::path::Path::new("tests/fixtures/cockpit.toml")).unwrap())
}

fn entropy(value: f64, at: DateTime<Utc>) -> Observation {
    let sample = |name: &str, v: f64| Sample {
        labels: [("__name__".to_string(), name.to_string())].into(),
        value: v,
    };
    Observation {
        source: "policy".into(),
        at,
        took: Duration::from_millis(2),
        origin: "http://127.0.0.1:9108/metrics".into(),
        outcome: Ok(Payload::Scrape {
            samples: vec![
                sample("policy_entropy", value),
                sample("policy_collapse_risk", 0.0),
            ],
        }),
    }
}

fn at_10(entered: DateTime<Utc>) -> ReleaseState {
    ReleaseState {
        stage: Some(StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: entered,
            decision_points_done: vec![],
        }),
        ..Default::default()
    }
}

fn trips(duties: &[Duty]) -> Vec<(String, DateTime<Utc>, Option<String>)> {
    duties
        .iter()
        .filter_map(|d| match d {
            Duty::GuardTripped {
                guard,
                since,
                value,
            } => Some((guard.id.clone(), *since, value.clone())),
            Duty::DecisionPoint { .. } => None,
        })
        .collect()
}

#[test]
fn a_guard_trips_after_holding_for_its_for_and_only_while_the_ramp_runs() {
    let mut idle = Core::new(pb(), now());
    for s in [0, 40] {
        assert!(idle.observe(entropy(0.7, t(s)), t(s)).is_empty());
    }

    let mut core = Core::new(pb(), now());
    core.release_changed(at_10(t(-60)), now());
    let mut all = Vec::new();
    for (v, s) in [(0.7, 0), (0.95, 20), (0.7, 25), (0.7, 50)] {
        all.extend(core.observe(entropy(v, t(s)), t(s)));
    }
    assert!(
        all.is_empty(),
        "recovered at 20 s: the count restarted at 25 s"
    );
    let tripped = core.observe(entropy(0.7, t(55)), t(55));
    assert_eq!(
        trips(&tripped),
        [("entropy-floor".to_string(), t(25), Some("0.7".to_string()))]
    );
    assert!(
        matches!(core.kill(), KillState::Firing { .. }),
        "a kill guard shows FIRING at once"
    );
    assert!(!core.snapshot(t(55)).guards_watching);
    assert!(
        core.observe(entropy(0.7, t(60)), t(60)).is_empty(),
        "one trip per episode"
    );
    core.kill_done(KillState::Halted {
        at: t(61),
        took_ms: 12,
    });
    assert!(matches!(
        core.snapshot(t(61)).kill,
        KillState::Halted { .. }
    ));
}

#[test]
fn a_guard_compares_with_its_recorded_baseline() {
    let mut pb = (*pb()).clone();
    let guard = pb
        .guards
        .iter_mut()
        .find(|g| g.spec.id == "entropy-floor")
        .unwrap();
    guard.spec.baseline = Some("before-ramp".into());
    guard.spec.for_ = None;
    guard.trip = crate::expr::compile("value < baseline * 0.9").unwrap();
    let mut core = Core::new(Arc::new(pb), now());
    let mut state = at_10(t(-60));
    core.release_changed(state.clone(), now());
    assert!(
        core.observe(entropy(0.5, t(0)), t(0)).is_empty(),
        "no baseline recorded: the guard cannot judge (UNKNOWN), it never trips"
    );
    state.baselines.insert("before-ramp".into(), 1.0);
    core.release_changed(state, t(1));
    assert!(
        core.observe(entropy(0.95, t(1)), t(1)).is_empty(),
        "0.95 is within 10% of the baseline 1.0"
    );
    assert_eq!(trips(&core.observe(entropy(0.85, t(2)), t(2))).len(), 1);
}

#[test]
fn a_due_decision_point_is_handed_out_once() {
    let mut core = Core::new(pb(), now());
    core.release_changed(at_10(now() - chrono::Duration::minutes(31)), now());
    let mut duties = core.tick(now());
    duties.extend(core.tick(now() + chrono::Duration::seconds(1)));
    match &duties[..] {
        [Duty::DecisionPoint {
            stage,
            offset,
            event,
        }] => {
            assert_eq!(stage, "10%");
            assert_eq!(*offset, Duration::from_secs(1800));
            assert!(matches!(**event, Event::DecisionPoint(_)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_observation_evaluates_only_the_checks_of_its_source() {
    let pb = pb();
    let on_policy = pb
        .checks
        .iter()
        .filter(|c| c.spec.source == "policy")
        .count() as u64;
    let mut core = Core::new(pb.clone(), now());
    let before = core.evaluated();
    let others: Vec<_> = core
        .assessment()
        .verdicts
        .iter()
        .filter(|v| v.evidence.source != "policy")
        .cloned()
        .collect();
    core.observe(entropy(0.93, t(1)), now());
    assert_eq!(core.evaluated() - before, on_policy);
    let after: Vec<_> = core
        .assessment()
        .verdicts
        .iter()
        .filter(|v| v.evidence.source != "policy")
        .cloned()
        .collect();
    assert_eq!(after, others, "other sources' verdicts untouched");
    // And it equals a full assessment at that clock reading.
    let full = crate::engine::assess(&pb, &core.observations, core.release(), now());
    assert_eq!(core.assessment(), &full);
}
