use super::*;
use crate::engine::{Evidence, GateDecision, Hold, Verdict};
use crate::release::{ReleaseState, StageState};
use crate::serve::view::{GuardView, SourceView};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

const PLAYBOOK: &str = r#"
[release]
name = "metrics \"test\""

[source.api]
kind = "http"
url = "http://127.0.0.1:1/health"

[[check]]
id = "api-up"
section = "1. \"Quoted\" \\ section"
title = "API up"
source = "api"
pass = "status == 200"

[[check]]
id = "api-fast"
title = "API fast"
source = "api"
pass = "status == 200"
"#;

fn t(s: i64) -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::seconds(s)
}

fn ctx() -> Context {
    let pb = crate::playbook::load_str(std::path::Path::new("metrics.toml"), PLAYBOOK).unwrap();
    Context {
        pb: Arc::new(pb),
        journal: "file audit/journal.jsonl".into(),
    }
}

fn verdict(check: &str, status: Status) -> Verdict {
    Verdict {
        check: check.into(),
        status,
        evidence: Evidence {
            value: None,
            observed_at: None,
            source: "api".into(),
            origin: None,
            query: None,
            condition: "status == 200".into(),
            reason: "test".into(),
            culprits: Vec::new(),
            stderr: None,
        },
    }
}

fn view(decision: Decision) -> View {
    View {
        at: t(0),
        release: ReleaseState::default(),
        kill: KillState::Ready,
        verdicts: vec![
            verdict("api-up", Status::Pass),
            verdict("api-fast", Status::Unknown),
        ],
        gate: GateDecision {
            decision,
            holds: vec![Hold {
                kind: crate::engine::gate::HoldKind::Check,
                id: "api-fast".into(),
                status: Some(Status::Unknown),
                reason: "no data".into(),
            }],
        },
        guards: BTreeMap::new(),
        sources: BTreeMap::from([("api".to_string(), SourceView::default())]),
    }
}

/// The value of the one sample whose line starts with `series` exactly.
fn value(text: &str, series: &str) -> Option<f64> {
    let mut found = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(s, _)| *s == series)
        .map(|(_, v)| v.parse::<f64>().unwrap());
    let v = found.next();
    assert!(found.next().is_none(), "{series} twice in\n{text}");
    v
}

#[test]
fn the_gate_is_1_for_go_and_0_for_no_go() {
    let go = render(&ctx(), &view(Decision::Go));
    assert_eq!(value(&go, "liftoff_gate_go"), Some(1.0));
    let nogo = render(&ctx(), &view(Decision::NoGo));
    assert_eq!(value(&nogo, "liftoff_gate_go"), Some(0.0));
    assert_eq!(value(&nogo, "liftoff_gate_holds"), Some(1.0));
}

#[test]
fn each_check_has_1_for_its_status_and_0_for_the_others() {
    let text = render(&ctx(), &view(Decision::NoGo));
    let sec = r#"1. \"Quoted\" \\ section"#;
    for (status, want) in [
        ("PASS", 1.0),
        ("WARN", 0.0),
        ("FAIL", 0.0),
        ("UNKNOWN", 0.0),
    ] {
        let s =
            format!(r#"liftoff_check_status{{check="api-up",section="{sec}",status="{status}"}}"#);
        assert_eq!(value(&text, &s), Some(want), "{s} in\n{text}");
    }
    let unknown = r#"liftoff_check_status{check="api-fast",section="Checks",status="UNKNOWN"}"#;
    assert_eq!(value(&text, unknown), Some(1.0));
}

#[test]
fn label_values_are_escaped() {
    assert_eq!(escape_label("a\"b\\c\nd"), r#"a\"b\\c\nd"#);
    let text = render(&ctx(), &view(Decision::Go));
    assert!(
        text.contains(r#"liftoff_release_info{release="metrics \"test\"",journal="file audit/journal.jsonl"} 1"#),
        "{text}"
    );
}

#[test]
fn every_sample_follows_its_help_and_type_and_each_family_is_declared_once() {
    let mut v = view(Decision::Go);
    v.guards.insert(
        "g".into(),
        GuardView {
            tripping: Some(false),
            value: Some(0.5),
            error: None,
        },
    );
    let text = render(&ctx(), &v);
    let mut declared: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap().to_string();
            assert!(!declared.contains(&name), "{name} declared twice");
            declared.push(name.clone());
            current = name;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            assert_eq!(rest, format!("{current} gauge"));
        } else {
            let name = line.split(['{', ' ']).next().unwrap();
            assert_eq!(name, current, "sample outside its family: {line}");
        }
    }
    for name in [
        "liftoff_gate_go",
        "liftoff_check_status",
        "liftoff_stage_percent",
        "liftoff_kill_switch_state",
        "liftoff_guard_value",
        "liftoff_source_up",
        "liftoff_source_last_success_timestamp_seconds",
    ] {
        assert!(declared.iter().any(|d| d == name), "{name} missing");
    }
}

#[test]
fn stage_kill_switch_guards_and_sources() {
    let mut v = view(Decision::Go);
    assert_eq!(
        value(&render(&ctx(), &v), "liftoff_stage_percent"),
        Some(0.0)
    );
    v.release.stage = Some(StageState {
        index: 1,
        name: "10%".into(),
        percent: 10.0,
        entered_at: t(-60),
        decision_points_done: vec![],
    });
    v.kill = KillState::Halted {
        at: t(-5),
        took_ms: 12,
    };
    v.guards.insert(
        "error-rate".into(),
        GuardView {
            tripping: Some(true),
            value: Some(0.07),
            error: None,
        },
    );
    v.guards.insert(
        "pods".into(),
        GuardView {
            tripping: None,
            value: None,
            error: Some("no data".into()),
        },
    );
    v.sources.insert(
        "api".into(),
        SourceView {
            up: Some(true),
            last_success: Some(t(-1)),
            error: None,
        },
    );
    v.sources.insert(
        "db".into(),
        SourceView {
            up: Some(false),
            last_success: None,
            error: Some("refused".into()),
        },
    );
    let text = render(&ctx(), &v);
    assert_eq!(value(&text, "liftoff_stage_percent"), Some(10.0));
    assert_eq!(
        value(&text, r#"liftoff_stage_info{stage="10%"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(&text, r#"liftoff_kill_switch_state{state="HALTED"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(&text, r#"liftoff_kill_switch_state{state="READY"}"#),
        Some(0.0)
    );
    assert_eq!(
        value(&text, r#"liftoff_guard_value{guard="error-rate"}"#),
        Some(0.07)
    );
    assert_eq!(
        value(&text, r#"liftoff_guard_tripping{guard="error-rate"}"#),
        Some(1.0)
    );
    // Not known: absent rather than a made-up 0.
    assert_eq!(value(&text, r#"liftoff_guard_value{guard="pods"}"#), None);
    assert_eq!(
        value(&text, r#"liftoff_guard_tripping{guard="pods"}"#),
        None
    );
    assert_eq!(
        value(&text, r#"liftoff_source_up{source="api"}"#),
        Some(1.0)
    );
    assert_eq!(value(&text, r#"liftoff_source_up{source="db"}"#), Some(0.0));
    assert_eq!(
        value(
            &text,
            r#"liftoff_source_last_success_timestamp_seconds{source="api"}"#
        ),
        Some(t(-1).timestamp() as f64)
    );
    assert_eq!(
        value(
            &text,
            r#"liftoff_source_last_success_timestamp_seconds{source="db"}"#
        ),
        None
    );
}

#[test]
fn numbers_are_written_as_prometheus_reads_them() {
    assert_eq!(number(f64::NAN), "NaN");
    assert_eq!(number(f64::INFINITY), "+Inf");
    assert_eq!(number(f64::NEG_INFINITY), "-Inf");
    assert_eq!(number(0.07), "0.07");
    assert_eq!(number(1.0), "1");
}
