//! The `command` and `artifacts` sources against real child processes and real
//! files, judged by the real engine.

use chrono::Utc;
use liftoff::engine::{assess, Status, Verdict};
use liftoff::playbook::{load, LoadedPlaybook};
use liftoff::release::ReleaseState;
use liftoff::source::poll::{poll, poll_all, PollContext};
use liftoff::source::{Payload, SourceError};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Writes `liftoff.toml` (a release header plus `body`) into `dir` and loads it.
fn playbook(dir: &Path, body: &str) -> LoadedPlaybook {
    let path = dir.join("liftoff.toml");
    let text = format!("[release]\nname = \"local sources test\"\n\n{body}");
    std::fs::write(&path, text).unwrap();
    load(&path).unwrap_or_else(|e| panic!("playbook refused:\n{e}"))
}

async fn verdicts(pb: &LoadedPlaybook) -> Vec<Verdict> {
    let ctx = PollContext::new(pb.base_dir());
    let observations = poll_all(&ctx, pb).await;
    assess(pb, &observations, &ReleaseState::default(), Utc::now()).verdicts
}

fn verdict<'a>(all: &'a [Verdict], id: &str) -> &'a Verdict {
    all.iter().find(|v| v.check == id).unwrap()
}

async fn payload(pb: &LoadedPlaybook, source: &str) -> Result<Payload, SourceError> {
    let ctx = PollContext::new(pb.base_dir());
    let spec = &pb.sources[source];
    poll(&ctx, source, spec, &[]).await.outcome
}

/// Awaits `pred` with short pauses until it holds or `deadline` passes.
async fn wait_until(deadline: Duration, mut pred: impl FnMut() -> bool) -> bool {
    let end = tokio::time::Instant::now() + deadline;
    while tokio::time::Instant::now() < end {
        if pred() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    pred()
}

/// A process is gone when it no longer exists or is a zombie nobody has
/// reaped yet (dead, holding nothing but its table entry).
fn process_gone(pid: i32) -> bool {
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    if kill(Pid::from_raw(pid), None).is_err() {
        return true;
    }
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            // "pid (comm) S ...": the state follows the last ')'.
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
                .unwrap_or(false)
        })
        .unwrap_or(true)
}

#[tokio::test]
async fn command_exit_code_stdout_and_json_are_seen() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[source.preflight]
kind = "command"
run = ["sh", "-c", "echo '{\"status\": \"ok\", \"gates\": 3}'"]

[source.failing]
kind = "command"
run = ["sh", "-c", "echo 'diff gate: 2 mismatches'; echo boom >&2; exit 3"]

[[check]]
id = "preflight-json"
source = "preflight"
pass = 'exit_code == 0 && json.status == "ok" && json.gates == 3'

[[check]]
id = "failing-exit"
source = "failing"
pass = "exit_code == 0"

[[check]]
id = "failing-not-zero"
source = "failing"
pass = "!(exit_code == 0)"

[[check]]
id = "failing-output"
source = "failing"
pass = 'exit_code == 3 && stdout.contains("2 mismatches") && stderr == "boom\n" && json == null'
"#,
    );
    let all = verdicts(&pb).await;
    let ok = verdict(&all, "preflight-json");
    assert_eq!(ok.status, Status::Pass, "{ok:?}");
    assert_eq!(ok.evidence.value.as_deref(), Some("exit 0"));
    // A non-zero exit is data: FAIL, not UNKNOWN.
    let failing = verdict(&all, "failing-exit");
    assert_eq!(failing.status, Status::Fail, "{failing:?}");
    assert_eq!(failing.evidence.value.as_deref(), Some("exit 3"));
    assert_eq!(verdict(&all, "failing-not-zero").status, Status::Pass);
    let output = verdict(&all, "failing-output");
    assert_eq!(output.status, Status::Pass, "{output:?}");
}

#[tokio::test]
async fn a_hung_command_and_its_children_are_killed_and_the_check_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[source.hang]
kind = "command"
run = ["sh", "-c", "echo $$ > parent.pid; sleep 1000 & echo $! > child.pid; sleep 1000"]
timeout = "1s"

[[check]]
id = "hang"
source = "hang"
pass = "exit_code == 0"
"#,
    );
    let all = verdicts(&pb).await;
    let v = verdict(&all, "hang");
    assert_eq!(v.status, Status::Unknown, "{v:?}");
    assert!(v.evidence.reason.contains("timed out"), "{v:?}");

    let read_pid = |name: &str| -> i32 {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        text.trim().parse().unwrap()
    };
    let (parent, child) = (read_pid("parent.pid"), read_pid("child.pid"));
    let gone = wait_until(Duration::from_secs(10), || {
        process_gone(parent) && process_gone(child)
    })
    .await;
    assert!(
        gone,
        "the command ({parent}) or its child ({child}) survived"
    );
}

#[tokio::test]
async fn huge_output_is_capped_and_marked_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[source.flood]
kind = "command"
run = ["sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x"]
max_bytes = 1000
timeout = "30s"

[[check]]
id = "flood"
source = "flood"
pass = "exit_code == 0 && stdout.size() == 1000"
"#,
    );
    let Ok(Payload::Command(out)) = payload(&pb, "flood").await else {
        panic!("no command output");
    };
    assert!(out.truncated);
    assert_eq!(out.stdout.len(), 1000);
    assert!(out.stdout.chars().all(|c| c == 'x'));
    let all = verdicts(&pb).await;
    assert_eq!(verdict(&all, "flood").status, Status::Pass);
}

#[tokio::test]
async fn a_program_that_cannot_start_is_unknown_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[source.missing]
kind = "command"
run = ["liftoff-no-such-program", "--check"]

[[check]]
id = "missing"
source = "missing"
pass = "exit_code == 0"
"#,
    );
    let all = verdicts(&pb).await;
    let v = verdict(&all, "missing");
    assert_eq!(v.status, Status::Unknown, "{v:?}");
    assert!(
        v.evidence.reason.contains("liftoff-no-such-program"),
        "{v:?}"
    );
}

/// Writes `name` with `content`, last modified `hours_ago`.
fn artifact(dir: &Path, name: &str, content: &str, hours_ago: u64) {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    let when = SystemTime::now() - Duration::from_secs(hours_ago * 3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

const VALIDATIONS: &str = r#"
[source.validation]
kind = "artifacts"
dir = "artifacts/validation"
glob = "*.json"

[[check]]
id = "two-recent-passes"
source = "validation"
pass = 'files.filter(f, f.json.status == "PASS" && f.age < duration("48h")).size() >= 2'
"#;

#[tokio::test]
async fn artifacts_give_age_and_parsed_json() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("artifacts/validation");
    std::fs::create_dir_all(&folder).unwrap();
    artifact(&folder, "run-1.json", r#"{"status": "PASS"}"#, 3);
    artifact(&folder, "run-2.json", r#"{"status": "FAIL"}"#, 1);
    artifact(&folder, "run-3.json", r#"{"status": "PASS"}"#, 72);
    artifact(&folder, "notes.txt", "not matched by the glob", 1);
    let pb = playbook(dir.path(), VALIDATIONS);

    let Ok(Payload::Files { files }) = payload(&pb, "validation").await else {
        panic!("no files");
    };
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    // Newest first: files[0] is the latest, files[1] the one before.
    assert_eq!(names, ["run-2.json", "run-1.json", "run-3.json"]);
    let run1 = &files[1];
    assert_eq!(run1.json, Some(serde_json::json!({"status": "PASS"})));
    assert_eq!(run1.size, 18);
    let age = Utc::now() - run1.modified;
    assert!(age > chrono::Duration::minutes(170) && age < chrono::Duration::minutes(190));

    // Only one PASS younger than 48h: FAIL.
    let all = verdicts(&pb).await;
    assert_eq!(verdict(&all, "two-recent-passes").status, Status::Fail);

    // A second recent PASS lands: PASS.
    artifact(&folder, "run-4.json", r#"{"status": "PASS"}"#, 0);
    let all = verdicts(&pb).await;
    let v = verdict(&all, "two-recent-passes");
    assert_eq!(v.status, Status::Pass, "{v:?}");
}

#[tokio::test]
async fn a_json_artifact_that_is_not_json_is_null_with_a_reason_and_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("artifacts/validation");
    std::fs::create_dir_all(&folder).unwrap();
    artifact(&folder, "run-1.json", r#"{"status": "PASS"}"#, 1);
    artifact(&folder, "run-2.json", r#"{"status": "PASS"}"#, 2);
    artifact(&folder, "run-3.json", r#"{"status": "PA"#, 0);
    let pb = playbook(dir.path(), VALIDATIONS);

    let Ok(Payload::Files { files }) = payload(&pb, "validation").await else {
        panic!("no files");
    };
    let broken = files
        .iter()
        .find(|f| f.name == "run-3.json")
        .expect("run-3.json listed");
    assert_eq!(broken.json, None);
    let why = broken.json_error.as_deref().unwrap();
    assert!(why.starts_with("not JSON:"), "{why}");

    // Two PASS files would satisfy the check, but one file cannot be read:
    // the answer is not known, so it is UNKNOWN, never PASS.
    let all = verdicts(&pb).await;
    let v = verdict(&all, "two-recent-passes");
    assert_eq!(v.status, Status::Unknown, "{v:?}");
    assert!(v.evidence.reason.contains("read from null"), "{v:?}");
}

#[tokio::test]
async fn a_missing_folder_is_unknown_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), VALIDATIONS);
    let all = verdicts(&pb).await;
    let v = verdict(&all, "two-recent-passes");
    assert_eq!(v.status, Status::Unknown, "{v:?}");
    let folder = dir.path().join("artifacts/validation");
    let expected = format!("folder {} does not exist", folder.display());
    assert!(v.evidence.reason.contains(&expected), "{v:?}");
}

#[tokio::test]
async fn a_failed_command_keeps_its_stderr_tail_in_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[source.migrate]
kind = "command"
run = ["sh", "-c", "for i in $(seq 1 14); do echo \"step $i\" >&2; done; echo 'cannot reach postgres://app:hunter2@db:5432/x' >&2; exit 2"]

[source.fine]
kind = "command"
run = ["sh", "-c", "echo 'a warning' >&2; exit 0"]

[[check]]
id = "migrate"
source = "migrate"
pass = "exit_code == 0"

[[check]]
id = "fine"
source = "fine"
pass = "exit_code == 0"
"#,
    );
    let all = verdicts(&pb).await;
    let v = verdict(&all, "migrate");
    assert_eq!(v.status, Status::Fail, "{v:?}");
    let tail = v.evidence.stderr.as_deref().expect("a stderr tail");
    let lines: Vec<&str> = tail.lines().collect();
    assert_eq!(
        lines.len(),
        11,
        "the elision mark and the last 10 lines: {tail}"
    );
    assert_eq!(lines[1], "step 6");
    assert!(
        lines[10].starts_with("cannot reach postgres://app:"),
        "{tail}"
    );
    assert!(!tail.contains("hunter2"), "a password leaked: {tail}");
    // A command that exited 0 has no stderr in its evidence.
    assert_eq!(verdict(&all, "fine").evidence.stderr, None);
}
