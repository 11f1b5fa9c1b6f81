//! A writer killed with SIGKILL in the middle of its line: `audit verify`
//! names exactly that line, readers (the fold, `liftoff status`) carry on and
//! say so, and the next writer continues the chain past it.

use crate::support;

use liftoff::journal;
use liftoff::release::ReleaseState;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::net::wait_until;

const PLAYBOOK: &str = r#"
[release]
name = "torn"
go_acks = ["captain"]

[[role]]
id = "captain"
[[role]]
id = "oncall"
"#;

fn liftoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .expect("run liftoff")
}

fn ack(pb: &Path, role: &str, name: &str) {
    let out = liftoff(&["ack", pb.to_str().unwrap(), "--role", role, "--as", name]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn a_writer_killed_mid_line_is_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let pb = support::playbook::write(dir.path(), PLAYBOOK);
    let file = dir.path().join("artifacts/audit/journal.jsonl");
    ack(&pb, "captain", "ana");
    ack(&pb, "oncall", "bob");

    // A writer that takes the journal's lock (flock(1): the same flock(2) lock
    // liftoff takes), writes half a line, and is SIGKILLed while holding it.
    let half = r#"{"id":3,"at":"2026-11-21T12:00:00Z","actor":{"name":"eve","#;
    let script = format!(
        "printf '%s' '{half}' >> '{}'; exec sleep 600",
        file.display()
    );
    let mut writer = Command::new("flock")
        .arg(&file)
        .args(["sh", "-c", &script])
        .process_group(0)
        .stdin(Stdio::null())
        .spawn()
        .expect("flock(1) from util-linux");
    let torn_written = || {
        let f = file.clone();
        async move { std::fs::read_to_string(&f).is_ok_and(|t| t.ends_with(r#""name":"eve","#)) }
    };
    wait_until(Duration::from_secs(20), "the half line", torn_written).await;

    // Another writer queues behind the lock while the dying one holds it.
    let pb_text = pb.to_str().unwrap().to_string();
    let queued = std::thread::spawn(move || {
        liftoff(&["ack", &pb_text, "--role", "captain", "--as", "carol"])
    });
    killpg(Pid::from_raw(writer.id() as i32), Signal::SIGKILL).unwrap();
    let _ = writer.wait();
    let queued = queued.join().unwrap();
    assert!(queued.status.success(), "{}", text(&queued));

    // The file: two good lines, the torn one (ended by the next writer), carol's.
    let content = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = content.lines().collect();
    assert_eq!(lines.len(), 4, "{content}");
    assert_eq!(lines[2], half);

    // verify names exactly line 3, and exits 1.
    let verify = liftoff(&["audit", "verify", pb.to_str().unwrap()]);
    let out = text(&verify);
    assert_eq!(verify.status.code(), Some(1), "{out}");
    assert!(out.contains("BROKEN at line 3"), "{out}");
    assert!(
        !out.contains("also line"),
        "only the torn line is bad: {out}"
    );

    // Readers carry on: the fold has the three real ACKs and a warning naming line 3.
    let journal = journal::open(&liftoff::playbook::load(&pb).unwrap()).unwrap();
    let read = journal.read_all().unwrap();
    assert_eq!(read.events.len(), 3);
    assert_eq!(read.events[2].id, 3, "carol's ACK continues the ids");
    assert_eq!(
        read.events[2].prev, read.events[1].hash,
        "and the chain past the torn line"
    );
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, 3);
    let state = ReleaseState::from_read(&read);
    assert_eq!(state.acks.len(), 3);
    assert!(state.warnings[0].contains("journal line 3 skipped"));

    let status = liftoff(&["status", pb.to_str().unwrap()]);
    let out = text(&status);
    assert_eq!(status.status.code(), Some(0), "{out}");
    assert!(out.contains("journal line 3 skipped"), "{out}");
    assert!(out.contains("captain") && out.contains("carol"), "{out}");
}

#[tokio::test]
async fn a_torn_last_line_is_reported_until_the_next_writer_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let pb = support::playbook::write(dir.path(), PLAYBOOK);
    let file = dir.path().join("artifacts/audit/journal.jsonl");
    ack(&pb, "captain", "ana");
    ack(&pb, "oncall", "bob");
    // Cut the last line in half, as a crash between write and fsync could.
    let content = std::fs::read(&file).unwrap();
    let first_end = content.iter().position(|b| *b == b'\n').unwrap() + 1;
    let cut = first_end + (content.len() - first_end) / 2;
    std::fs::write(&file, &content[..cut]).unwrap();

    let verify = liftoff(&["audit", "verify", pb.to_str().unwrap()]);
    let out = text(&verify);
    assert_eq!(verify.status.code(), Some(1), "{out}");
    assert!(
        out.contains("BROKEN at line 2") && out.contains("incomplete"),
        "{out}"
    );

    let status = liftoff(&["status", pb.to_str().unwrap(), "--format", "json"]);
    assert_eq!(status.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["state"]["events"], 1);
    let warnings = json["state"]["warnings"].to_string();
    assert!(warnings.contains("line 2"), "{warnings}");

    ack(&pb, "oncall", "bob");
    let journal = journal::open(&liftoff::playbook::load(&pb).unwrap()).unwrap();
    let read = journal.read_all().unwrap();
    assert_eq!(read.events.len(), 2);
    assert_eq!(read.events[1].id, 2);
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, 2);
}
