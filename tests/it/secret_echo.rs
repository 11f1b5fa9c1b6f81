//! A Prometheus that echoes the bearer token back (in a query's error and in
//! a label value), a real loopback HTTP server: the token appears in no
//! report format, no decision record and no journal line.

use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

const TOKEN: &str = "prom-tok-8f3a9c1e77d2";

/// Answers `up` with a series whose label repeats the token, and refuses any
/// other query with an error that repeats it (as a careless proxy would).
async fn query(
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_start_matches("Bearer ")
        .to_string();
    match q.get("query").map(String::as_str) {
        Some("up") | Some("1") => (
            StatusCode::OK,
            Json(
                json!({"status": "success", "data": {"resultType": "vector", "result": [
                    {"metric": {"__name__": "up", "job": "api", "seen_token": auth}, "value": [1.0, "1"]}
                ]}}),
            ),
        ),
        _ => (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "error", "errorType": "bad_data",
                        "error": format!("query refused for credentials {auth}")})),
        ),
    }
}

fn liftoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .env("PROM_TOKEN", TOKEN)
        .output()
        .expect("run liftoff")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn every_file_under(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_echoed_token_is_in_no_report_record_or_journal_line() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new().route("/api/v1/query", get(query));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let pb = dir.path().join("liftoff.toml");
    std::fs::write(
        &pb,
        format!(
            r#"[release]
name = "echoing prometheus"

[source.prom]
kind = "prometheus"
url = "http://127.0.0.1:{port}"
token_env = "PROM_TOKEN"
timeout = "2s"

[[check]]
id = "refused"
title = "a query the server refuses"
source = "prom"
query = "bad_query"
pass = "value >= 1"

[[check]]
id = "up"
title = "targets up"
source = "prom"
query = "up"
pass = "value >= 1"

[kill_switch]
actions = [{{ kind = "command", run = ["true"] }}]
verify = {{ source = "prom", query = "bad_query", pass = "value == 0", timeout = "1s", every = "100ms" }}
"#
        ),
    )
    .unwrap();
    let pb = pb.to_str().unwrap().to_string();
    let out_dir = dir.path().join("records");
    let out_dir_s = out_dir.to_str().unwrap().to_string();

    let runs = tokio::task::spawn_blocking(move || {
        let mut runs = Vec::new();
        for format in ["text", "json", "md"] {
            runs.push(liftoff(&[
                "check", &pb, "--format", format, "--out", &out_dir_s,
            ]));
        }
        runs.push(liftoff(&["kill", &pb, "--reason", "test"]));
        runs.push(liftoff(&["status", &pb]));
        runs
    })
    .await
    .unwrap();

    // The server did see the token and echo it: the reports show the error
    // and the series, scrubbed.
    let check_text = text(&runs[0]);
    assert!(
        check_text.contains("query refused for credentials"),
        "{check_text}"
    );
    assert!(check_text.contains("<redacted>"), "{check_text}");
    for run in &runs {
        assert!(!text(run).contains(TOKEN), "{}", text(run));
    }
    let files = every_file_under(dir.path());
    assert!(
        files.iter().any(|(p, _)| p.ends_with("_go_nogo.json")),
        "no decision record: {files:?}"
    );
    let journal: Vec<_> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".jsonl"))
        .collect();
    assert!(
        journal.iter().any(|(_, body)| body.contains("kill_fired")),
        "no kill in the journal: {files:?}"
    );
    for (path, body) in &files {
        assert!(!body.contains(TOKEN), "{path} holds the token:\n{body}");
    }
}
