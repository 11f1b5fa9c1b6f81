//! The demo playbook's conditions mean what they say: each check evaluated by
//! the engine against payloads shaped like what its source kind yields.

use super::*;
use crate::engine::{evaluate, Status};
use crate::expr::bind::Surroundings;
use crate::source::{Alert, CommandOutput, FileInfo, HttpReply, Observation, Payload};
use chrono::{Duration, Utc};

fn playbook() -> crate::playbook::LoadedPlaybook {
    let endpoints = Endpoints {
        prometheus: "http://127.0.0.1:1".into(),
        alertmanager: "http://127.0.0.1:2".into(),
        exporter: "http://127.0.0.1:3".into(),
        ops: "http://127.0.0.1:4".into(),
    };
    let text = render_playbook(TEMPLATE, &endpoints, Path::new("/tmp/demo"), 1.0);
    crate::playbook::load_str(Path::new("/tmp/demo/liftoff-demo.toml"), &text)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn verdict(check: &str, payload: Payload) -> Status {
    let pb = playbook();
    let c = pb.checks.iter().find(|c| c.spec.id == check).expect(check);
    let obs = Observation {
        source: c.spec.source.clone(),
        at: Utc::now(),
        took: std::time::Duration::from_millis(3),
        origin: "test".into(),
        outcome: Ok(payload),
    };
    evaluate(c, Some(&obs), Utc::now(), &Surroundings::default()).status
}

fn file(hours_old: i64, status: &str) -> FileInfo {
    FileInfo {
        name: format!("validation_{hours_old}.json"),
        path: format!("/tmp/demo/validation/validation_{hours_old}.json"),
        size: 200,
        modified: Utc::now() - Duration::hours(hours_old),
        json: Some(serde_json::json!({ "status": status, "window": "48h" })),
        json_error: None,
    }
}

#[test]
fn validation_history_needs_two_recent_passes() {
    let files = |fs: Vec<FileInfo>| Payload::Files { files: fs };
    let opening = vec![file(96, "FAIL"), file(26, "PASS")];
    assert_eq!(
        verdict("validation-history", files(opening.clone())),
        Status::Warn
    );
    let mut later = opening;
    later.push(file(0, "PASS"));
    assert_eq!(verdict("validation-history", files(later)), Status::Pass);
    let mut garbled = vec![file(1, "PASS")];
    garbled.push(FileInfo {
        json: None,
        json_error: Some("eof".into()),
        ..file(2, "PASS")
    });
    assert_eq!(verdict("validation-history", files(garbled)), Status::Warn);
    assert_eq!(verdict("validation-history", files(vec![])), Status::Fail);
}

fn alert(name: &str, state: &str) -> Alert {
    Alert {
        labels: [("alertname".to_string(), name.to_string())].into(),
        annotations: Default::default(),
        starts_at: Some(Utc::now()),
        state: state.into(),
    }
}

#[test]
fn only_an_active_page_blocks() {
    let alerts = |a: Vec<Alert>| Payload::Alerts { alerts: a };
    assert_eq!(
        verdict(
            "no-page-alerts",
            alerts(vec![alert("Backfill", "suppressed")])
        ),
        Status::Pass
    );
    assert_eq!(
        verdict("no-page-alerts", alerts(vec![alert("Latency", "active")])),
        Status::Fail
    );
    assert_eq!(
        verdict("warnings", alerts(vec![alert("Slow", "active")])),
        Status::Warn
    );
}

#[test]
fn command_and_http_checks_read_json() {
    let out = |code: i32, stdout: &str| {
        Payload::Command(CommandOutput {
            exit_code: Some(code),
            stdout: stdout.into(),
            stderr: String::new(),
            json: serde_json::from_str(stdout).ok(),
            truncated: false,
        })
    };
    assert_eq!(
        verdict("preflight", out(0, r#"{"status":"PASS"}"#)),
        Status::Pass
    );
    assert_eq!(
        verdict("preflight", out(0, r#"{"status":"FAIL"}"#)),
        Status::Fail
    );
    assert_eq!(verdict("security-scan", out(1, "")), Status::Fail);
    let reply = |status: u16, body: serde_json::Value| {
        Payload::Http(HttpReply {
            status,
            latency: std::time::Duration::from_millis(4),
            body: body.to_string(),
            json: Some(body),
        })
    };
    let w = World {
        clock: SimClock::start(1.0),
        dirs: DemoDirs::new(Path::new("/nonexistent-liftoff-demo")),
    };
    // The world's own /ops/status body, as the http source would parse it.
    let body = ops::status_body(&w);
    assert_eq!(body["status"], "ok");
    assert_eq!(verdict("ops-status", reply(200, body)), Status::Pass);
    assert_eq!(
        verdict(
            "ops-status",
            reply(200, serde_json::json!({"status": "degraded"}))
        ),
        Status::Warn
    );
    assert_eq!(
        verdict(
            "ops-status",
            reply(503, serde_json::json!({"status": "ok"}))
        ),
        Status::Fail
    );
}
