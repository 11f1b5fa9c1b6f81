//! Where logs go: `--log-file` takes them (the cockpit's only log), `watch`
//! without it writes them to stderr, and a log file that cannot be opened is
//! refused before anything runs.

use crate::support;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::process::Stdio;
use std::time::Duration;

const PLAYBOOK: &str = r#"
[release]
name = "logged"

[source.up]
kind = "command"
run = ["echo", "1"]
interval = "1s"
timeout = "2s"

[[check]]
id = "up"
source = "up"
pass = "json == 1"

[kill_switch]
actions = [{ kind = "command", run = ["true"] }]
verify = { source = "up", pass = "exit_code == 0", timeout = "2s" }
"#;

#[tokio::test]
async fn watch_logs_into_the_log_file_and_not_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let pb = support::playbook::write(dir.path(), PLAYBOOK);
    let log = dir.path().join("watch.log");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(["watch", pb.to_str().unwrap(), "--log-file"])
        .arg(&log)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start liftoff watch");
    support::net::wait_until(Duration::from_secs(30), "the gate in the log file", || {
        let log = log.clone();
        async move { std::fs::read_to_string(&log).is_ok_and(|t| t.contains("gate GO")) }
    })
    .await;
    kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    let out = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("watch stops on SIGTERM")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("gate"),
        "logs went to stderr too: {stderr}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("SIGTERM: stopping"), "{text}");
}

#[test]
fn a_log_file_that_cannot_be_opened_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let pb = support::playbook::write(dir.path(), PLAYBOOK);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(["check", pb.to_str().unwrap(), "--log-file"])
        .arg(dir.path().join("no/such/dir/x.log"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot open the log file"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing ran");
}
