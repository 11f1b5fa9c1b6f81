//! Files that a read would hang on (a FIFO named as an artifact, behind a
//! symlink, or as a `token_file`), through the real `liftoff check` and
//! `liftoff kill`: the command ends, the check is UNKNOWN (the action failed)
//! and says why.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Far above any source timeout here: only a hang reaches it.
const HANG: Duration = Duration::from_secs(60);

/// Runs `liftoff args` and returns its output, or fails the test (killing
/// it) when it has not ended within `HANG`.
fn liftoff_bounded(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run liftoff");
    let pid = child.id() as i32;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(HANG) {
        Ok(out) => out.expect("liftoff output"),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("liftoff {args:?} still running after {HANG:?}: it hangs");
        }
    }
}

fn mkfifo(path: &Path) {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
}

fn write_playbook(dir: &Path, body: &str) -> String {
    let path = dir.join("liftoff.toml");
    std::fs::write(
        &path,
        format!("[release]\nname = \"bounded reads\"\n\n{body}"),
    )
    .unwrap();
    path.display().to_string()
}

fn check(pb: &str) -> (Option<i32>, String) {
    let out = liftoff_bounded(&["check", pb]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

const ARTIFACTS: &str = r#"
[source.art]
kind = "artifacts"
dir = "art"
glob = "*.json"
timeout = "1s"

[[check]]
id = "eval"
title = "Evaluation report present"
source = "art"
pass = "size(files) >= 1"
"#;

#[test]
fn a_fifo_behind_a_symlinked_artifact_is_unknown_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("art")).unwrap();
    std::fs::write(dir.path().join("art/ok.json"), "{}").unwrap();
    mkfifo(&dir.path().join("pipe"));
    std::os::unix::fs::symlink("../pipe", dir.path().join("art/eval.json")).unwrap();
    let (code, text) = check(&write_playbook(dir.path(), ARTIFACTS));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(text.contains("eval.json"), "{text}");
    assert!(text.contains("a FIFO"), "{text}");
}

#[test]
fn an_artifact_that_is_a_fifo_is_unknown_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("art")).unwrap();
    mkfifo(&dir.path().join("art/eval.json"));
    let (code, text) = check(&write_playbook(dir.path(), ARTIFACTS));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(text.contains("a FIFO"), "{text}");
}

#[test]
fn a_fifo_token_file_is_unknown_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("token"));
    // Nothing listens on the port: the token is read before any request.
    let pb = write_playbook(
        dir.path(),
        r#"
[source.prom]
kind = "prometheus"
url = "http://127.0.0.1:9"
token_file = "token"
timeout = "1s"

[[check]]
id = "up"
title = "Targets up"
source = "prom"
query = "up"
pass = "value >= 1"
"#,
    );
    let (code, text) = check(&pb);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(text.contains("a FIFO"), "{text}");
}

#[test]
fn a_fifo_token_file_on_a_kill_action_fails_that_action_not_the_command() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("token"));
    let pb = write_playbook(
        dir.path(),
        r#"
[source.halted]
kind = "command"
run = ["true"]

[kill_switch]
actions = [{ kind = "http", method = "POST", url = "http://127.0.0.1:9/halt", token_file = "token" }]
verify = { source = "halted", pass = "exit_code == 0", timeout = "2s" }
"#,
    );
    let out = liftoff_bounded(&["kill", &pb]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The action failed (its token could not be read), so the kill is not verified.
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("a FIFO"), "{text}");
}
