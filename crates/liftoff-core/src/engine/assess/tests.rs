//! The one assessment: the journal's stage reaches conditions, manual ticks
//! and baselines are overlaid, and the incremental form equals a full one.

use super::*;
use crate::engine::{Decision, Status};
use crate::release::StageState;
use crate::source::ManualState;
use crate::source::{Payload, Sample};
use std::path::Path;

const PLAYBOOK: &str = r#"
[release]
name = "assess"

[source.a]
kind = "scrape"
url = "http://127.0.0.1:1/metrics"

[source.b]
kind = "scrape"
url = "http://127.0.0.1:2/metrics"

[source.plan]
kind = "manual"

[[check]]
id = "a-low"
source = "a"
query = "x"
pass = "value < 10.0"

[[check]]
id = "a-at-stage"
source = "a"
query = "x"
pass = 'stage == "10%" && percent >= 10.0 && value < 100.0'

[[check]]
id = "b-vs-baseline"
source = "b"
query = "y"
pass = "value >= baseline * 0.9"
baseline = "y_shadow"

[[check]]
id = "b-up"
source = "b"
query = "y"
pass = "value > 0.0"
warn = "value == 0.0"

[[check]]
id = "plan"
source = "plan"
pass = "checked"

[[guard]]
id = "a-guard"
source = "a"
query = "x"
trip = "value > 50.0"
on_trip = "alarm"

[ramp]
set = { kind = "command", run = ["true"] }
readback = { source = "a", query = "x", pass = "value >= 0.0" }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10
"#;

fn now() -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse().unwrap()
}

fn pb() -> LoadedPlaybook {
    crate::playbook::load_str(Path::new("/tmp/assess/liftoff.toml"), PLAYBOOK).unwrap()
}

fn obs(source: &str, name: &str, value: f64, at: DateTime<Utc>) -> Observation {
    Observation {
        source: source.into(),
        at,
        took: std::time::Duration::from_millis(1),
        origin: format!("http://{source}/metrics"),
        outcome: Ok(Payload::Scrape {
            samples: vec![Sample {
                labels: [("__name__".to_string(), name.to_string())].into(),
                value,
            }],
        }),
    }
}

fn at_10(state: &mut ReleaseState) {
    state.stage = Some(StageState {
        index: 1,
        name: "10%".into(),
        percent: 10.0,
        entered_at: now() - chrono::Duration::minutes(5),
        decision_points_done: vec![],
    });
}

fn status(a: &Assessment, id: &str) -> Status {
    a.verdicts.iter().find(|v| v.check == id).unwrap().status
}

#[test]
fn the_journals_stage_reaches_conditions_reading_stage_and_percent() {
    let pb = pb();
    let observations: HashMap<String, Observation> =
        [("a".to_string(), obs("a", "x", 5.0, now()))].into();
    let before = assess(&pb, &observations, &ReleaseState::default(), now());
    assert_eq!(status(&before, "a-at-stage"), Status::Unknown);
    let reason = &before.verdicts[1].evidence.reason;
    assert!(reason.contains("only known while a ramp runs"), "{reason}");

    let mut state = ReleaseState::default();
    at_10(&mut state);
    let during = assess(&pb, &observations, &state, now());
    assert_eq!(status(&during, "a-at-stage"), Status::Pass);
    assert_eq!(status(&during, "a-low"), Status::Pass);
}

#[test]
fn manual_ticks_and_baselines_come_from_the_journal() {
    let pb = pb();
    let observations: HashMap<String, Observation> =
        [("b".to_string(), obs("b", "y", 95.0, now()))].into();
    let mut state = ReleaseState::default();
    let a = assess(&pb, &observations, &state, now());
    assert_eq!(status(&a, "plan"), Status::Fail);
    assert_eq!(status(&a, "b-vs-baseline"), Status::Unknown);
    state.manual.insert(
        "plan".into(),
        ManualState {
            checked: true,
            by: Some("ana".into()),
            at: Some(now()),
        },
    );
    state.baselines.insert("y_shadow".into(), 100.0);
    let a = assess(&pb, &observations, &state, now());
    assert_eq!(status(&a, "plan"), Status::Pass);
    assert_eq!(status(&a, "b-vs-baseline"), Status::Pass);
    // Checks on `a` have no data: the gate holds, naming them.
    assert_eq!(a.gate.decision, Decision::NoGo);
    assert!(a.gate.holds.iter().any(|h| h.id == "a-low"));
}

#[test]
fn the_index_names_the_checks_and_guards_of_each_source() {
    let pb = pb();
    let index = SourceIndex::new(&pb);
    assert_eq!(index.checks("a"), &[0, 1]);
    assert_eq!(index.checks("b"), &[2, 3]);
    assert_eq!(index.checks("plan"), &[4]);
    assert_eq!(index.guards("a"), &[0]);
    assert!(index.guards("b").is_empty());
    assert!(index.checks("nothing").is_empty());
}

#[test]
fn an_observation_of_a_leaves_the_verdicts_of_b_untouched() {
    let pb = pb();
    let index = SourceIndex::new(&pb);
    let mut observations: HashMap<String, Observation> = [
        ("a".to_string(), obs("a", "x", 5.0, now())),
        ("b".to_string(), obs("b", "y", 1.0, now())),
    ]
    .into();
    let state = ReleaseState::default();
    let mut a = assess(&pb, &observations, &state, now());
    let b_before: Vec<Verdict> = a.verdicts[2..4].to_vec();
    // Later, `b`'s data has gone stale-looking in the map, but only `a` reports.
    let later = now() + chrono::Duration::seconds(7);
    observations.insert("b".into(), obs("b", "y", 0.0, later));
    observations.insert("a".into(), obs("a", "x", 20.0, later));
    let evaluated = a.observe(&pb, &index, "a", &observations, &state, later);
    assert_eq!(evaluated, 2, "only the two checks on `a`");
    assert_eq!(a.verdicts[2..4], b_before[..], "b's verdicts untouched");
    assert_eq!(status(&a, "a-low"), Status::Fail);
}

/// Every step of a table of observations and release states: the incremental
/// assessment equals a full one over the same inputs at one clock reading
/// (time passing alone, e.g. staleness, is the supervisor's full re-assessment
/// on its clock tick).
#[test]
fn incremental_always_equals_a_full_assessment() {
    let pb = pb();
    let index = SourceIndex::new(&pb);
    let mut state = ReleaseState::default();
    let mut observations: HashMap<String, Observation> = HashMap::new();
    let clock = now() + chrono::Duration::seconds(10);
    let mut inc = assess(&pb, &observations, &state, clock);
    let steps: [(&str, &str, f64, i64); 9] = [
        ("a", "x", 5.0, 1),
        ("b", "y", 0.0, 2),
        ("a", "x", 60.0, 3),
        ("b", "y", 120.0, 4),
        ("stage", "", 0.0, 5),
        ("a", "x", 7.0, 6),
        ("b", "y", 80.0, 7),
        ("baseline", "", 0.0, 8),
        ("b", "y", 95.0, 9),
    ];
    for (source, name, value, s) in steps {
        let at = now() + chrono::Duration::seconds(s);
        let t = clock;
        match source {
            // The journal changed: the caller re-assesses in full.
            "stage" => {
                at_10(&mut state);
                inc = assess(&pb, &observations, &state, t);
            }
            "baseline" => {
                state.baselines.insert("y_shadow".into(), 100.0);
                inc = assess(&pb, &observations, &state, t);
            }
            _ => {
                observations.insert(source.into(), obs(source, name, value, at));
                inc.observe(&pb, &index, source, &observations, &state, t);
            }
        }
        let full = assess(&pb, &observations, &state, t);
        assert_eq!(inc, full, "after step {s} ({source} = {value})");
        // Variables bound once and shared give what binding per check gives.
        let around = surroundings(&state);
        let plain: Vec<Verdict> = (0..pb.checks.len())
            .filter_map(|i| check_verdict(&pb, i, &observations, &state, t, &around, None))
            .collect();
        assert_eq!(inc.verdicts, plain, "after step {s}");
    }
    assert_eq!(status(&inc, "a-at-stage"), Status::Pass);
    assert_eq!(status(&inc, "b-vs-baseline"), Status::Pass);
}

/// A playbook with everything time alone changes: data going stale
/// (`max_age`), a condition reading `now`, files' ages, a manual item, an
/// ACK expiring, a waiver ending; and checks time does not change.
const TICKING: &str = r#"
[release]
name = "ticking"
ack_valid_for = "20s"
go_acks = ["sre"]

[[role]]
id = "sre"
title = "SRE"

[source.a]
kind = "scrape"
url = "http://127.0.0.1:1/metrics"

[source.b]
kind = "scrape"
url = "http://127.0.0.1:2/metrics"

[source.plan]
kind = "manual"

[source.drop]
kind = "artifacts"
dir = "drop"

[[check]]
id = "a-fresh"
source = "a"
query = "x"
pass = "value < 10.0"
warn = "value < 20.0"
max_age = "5s"

[[check]]
id = "a-plain"
source = "a"
query = "x"
pass = "value < 50.0"
waivable_by = ["sre"]

[[check]]
id = "b-fresh"
source = "b"
query = "y"
pass = "value > 0.0"
max_age = "12s"
show = "value"

[[check]]
id = "b-clock"
source = "b"
query = "y"
pass = 'value >= 0.0 && now < timestamp("2026-11-21T12:01:00Z")'

[[check]]
id = "plan"
source = "plan"
pass = "checked"

[[check]]
id = "drop-young"
source = "drop"
pass = 'count > 0 && newest.age < duration("30s")'
"#;

#[derive(Debug, Clone)]
enum Step {
    /// A poll of `source` finished `lag` seconds before now: a value, or an error.
    Observe {
        source: usize,
        value: Option<f64>,
        lag: i64,
    },
    /// The clock moves by `secs` (backwards too: wall clocks are set) and ticks.
    Tick { secs: i64 },
    /// The journal changed: an ACK, a manual tick or a waiver (a full re-assessment).
    Journal { what: usize },
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        (0..3usize, proptest::option::of(0.0..60.0f64), 0..8i64)
            .prop_map(|(source, value, lag)| Step::Observe { source, value, lag }),
        (-3..15i64).prop_map(|secs| Step::Tick { secs }),
        (0..3usize).prop_map(|what| Step::Journal { what }),
    ]
}

fn observation(source: usize, value: Option<f64>, at: DateTime<Utc>) -> Observation {
    let (id, name) = [("a", "x"), ("b", "y"), ("drop", "")][source];
    match (id, value) {
        (_, None) => Observation {
            source: id.into(),
            at,
            took: std::time::Duration::ZERO,
            origin: id.into(),
            outcome: Err(crate::source::SourceError::Connect("refused".into())),
        },
        ("drop", Some(v)) => Observation {
            source: id.into(),
            at,
            took: std::time::Duration::ZERO,
            origin: id.into(),
            outcome: Ok(Payload::Files {
                files: vec![crate::source::FileInfo {
                    name: "a.json".into(),
                    path: "drop/a.json".into(),
                    size: 1,
                    modified: at - chrono::Duration::seconds(v as i64),
                    json: None,
                    json_error: None,
                }],
            }),
        },
        (_, Some(v)) => obs(id, name, v, at),
    }
}

fn journal(state: &mut ReleaseState, what: usize, at: DateTime<Utc>) {
    match what {
        0 => state.acks.push(crate::release::AckRecord {
            role: "sre".into(),
            by: "ana".into(),
            at,
            comment: None,
            stage: None,
        }),
        1 => {
            let checked = !state.manual.get("plan").is_some_and(|m| m.checked);
            state.manual.insert(
                "plan".into(),
                ManualState {
                    checked,
                    by: Some("ana".into()),
                    at: Some(at),
                },
            );
        }
        _ => state.waivers.push(crate::release::waivers::WaiverRecord {
            check: "a-plain".into(),
            role: "sre".into(),
            by: "ana".into(),
            at,
            until: at + chrono::Duration::seconds(10),
            justification: "known".into(),
        }),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The supervisor's way, an observation re-evaluating its source's checks
    /// and a clock tick only the checks time can change, equals a full
    /// assessment after every step of any sequence of observations, clock
    /// ticks (forwards and back) and journal changes.
    #[test]
    fn incremental_observe_and_tick_equal_a_full_assessment(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let pb = crate::playbook::load_str(Path::new("/tmp/ticking/liftoff.toml"), TICKING).unwrap();
        let index = SourceIndex::new(&pb);
        let mut state = ReleaseState::default();
        let mut observations: HashMap<String, Observation> = HashMap::new();
        let mut clock = now();
        let mut inc = assess(&pb, &observations, &state, clock);
        for (n, step) in steps.iter().enumerate() {
            match step {
                Step::Observe { source, value, lag } => {
                    let o = observation(*source, *value, clock - chrono::Duration::seconds(*lag));
                    let id = o.source.clone();
                    observations.insert(id.clone(), o);
                    inc.observe(&pb, &index, &id, &observations, &state, clock);
                }
                Step::Tick { secs } => {
                    clock += chrono::Duration::seconds(*secs);
                    inc.tick(&pb, &index, &observations, &state, clock);
                }
                Step::Journal { what } => {
                    journal(&mut state, *what, clock);
                    inc = assess(&pb, &observations, &state, clock);
                }
            }
            let full = assess(&pb, &observations, &state, clock);
            proptest::prop_assert_eq!(&inc, &full, "after step {} ({:?})", n, step);
        }
    }
}

#[test]
fn a_tick_evaluates_only_what_time_can_change() {
    let pb = crate::playbook::load_str(Path::new("/tmp/ticking/liftoff.toml"), TICKING).unwrap();
    let index = SourceIndex::new(&pb);
    let state = ReleaseState::default();
    let observations: HashMap<String, Observation> = [
        ("a".to_string(), obs("a", "x", 5.0, now())),
        ("b".to_string(), obs("b", "y", 5.0, now())),
    ]
    .into();
    let mut a = assess(&pb, &observations, &state, now());
    // Fresh data: the clocked ones only (`now`, manual, files).
    let later = now() + chrono::Duration::seconds(1);
    let ticked = a.tick(&pb, &index, &observations, &state, later);
    assert_eq!(ticked.evaluated, 3, "b-clock, plan, drop-young");
    // `a`'s data is past its max_age of 5 s: it is re-evaluated (and UNKNOWN) from now on.
    let stale = now() + chrono::Duration::seconds(6);
    let ticked = a.tick(&pb, &index, &observations, &state, stale);
    assert_eq!(ticked.evaluated, 4);
    assert!(ticked.changed);
    assert_eq!(status(&a, "a-fresh"), Status::Unknown);
    assert_eq!(a, assess(&pb, &observations, &state, stale));
}
