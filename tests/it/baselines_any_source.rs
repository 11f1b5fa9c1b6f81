//! `liftoff baseline` takes a number from any source: a command that prints
//! one, a `query` expression over files or objects; `validate` refuses a
//! baseline it could not take, pointing at it.

use crate::support;

use std::process::Output;

fn liftoff(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run liftoff")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const PLAYBOOK: &str = r#"[release]
name = "baselines from any source"

[source.candidates]
kind = "command"
run = ["echo", "240"]

[source.report]
kind = "command"
run = ["echo", '{"candidates": 12, "rejected": 3}']

[source.runs]
kind = "artifacts"
dir = "runs"
glob = "*.json"

[[check]]
id = "candidate-count"
source = "candidates"
pass = "json >= baseline * 0.9"
baseline = "candidates_at_start"

[[check]]
id = "report-candidates"
source = "report"
query = "json.candidates - json.rejected"
pass = "json.candidates - json.rejected >= baseline"
baseline = "accepted_at_start"

[[check]]
id = "runs"
source = "runs"
query = "newest.json.score"
pass = "newest.json.score >= baseline"
baseline = "score_at_start"
"#;

#[test]
fn baselines_come_from_commands_and_query_expressions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("runs")).unwrap();
    std::fs::write(dir.path().join("runs/a.json"), r#"{"score": 0.75}"#).unwrap();
    std::fs::write(dir.path().join("runs/b.json"), r#"{"score": 0.5}"#).unwrap();
    let pb = support::playbook::write(dir.path(), PLAYBOOK);
    let pb = pb.to_str().unwrap();
    let ok = liftoff(&["validate", pb]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));

    let out = liftoff(&["baseline", pb, "--check", "candidate-count"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("baseline candidates_at_start = 240 recorded"),
        "{}",
        text(&out)
    );

    let out = liftoff(&["baseline", pb, "--check", "report-candidates"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("baseline accepted_at_start = 9 recorded"),
        "{}",
        text(&out)
    );

    let out = liftoff(&["baseline", pb, "--check", "runs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("= 0.5 recorded") || text(&out).contains("= 0.75 recorded"),
        "{}",
        text(&out)
    );

    // --query on an artifacts source is an expression, never ignored.
    let out = liftoff(&[
        "baseline", pb, "--source", "runs", "--query", "count", "--name", "n",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("baseline n = 2 recorded"),
        "{}",
        text(&out)
    );
    let out = liftoff(&["baseline", pb, "--source", "runs", "--name", "n"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("gives many values"), "{}", text(&out));
    let out = liftoff(&[
        "baseline", pb, "--source", "runs", "--query", "files", "--name", "n",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not a number"), "{}", text(&out));

    // The recorded baselines are what the checks compare with.
    let out = liftoff(&["check", pb]);
    let t = text(&out);
    assert!(!t.contains("has not been recorded"), "{t}");
}

#[test]
fn validate_refuses_a_baseline_it_cannot_take() {
    let dir = tempfile::tempdir().unwrap();
    let text_pb = PLAYBOOK.replace("query = \"newest.json.score\"\n", "");
    let pb = support::playbook::write(dir.path(), &text_pb);
    let out = liftoff(&["validate", pb.to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("a source of kind artifacts gives many values"),
        "{t}"
    );
    let line = text_pb
        .lines()
        .position(|l| l == "baseline = \"score_at_start\"")
        .unwrap()
        + 1;
    assert!(
        t.contains(&format!("liftoff.toml:{line}:")),
        "located at its line: {t}"
    );
    assert!(
        t.contains("query = \"newest.json.score\""),
        "with advice: {t}"
    );

    let bad = PLAYBOOK.replace(
        "query = \"newest.json.score\"",
        "query = \"newest.json.score >=\"",
    );
    let pb = support::playbook::write(dir.path(), &bad);
    let out = liftoff(&["validate", pb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("query expression does not compile"),
        "{}",
        text(&out)
    );
}
