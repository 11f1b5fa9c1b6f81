//! Many writers on one journal, as on release day: 8 processes x 200 real
//! `liftoff ack` runs at once. None lost, none torn, the chain intact, and a
//! follower in another process sees every one of them, in order.

use crate::support;

use liftoff::journal::{self, Followed};
use liftoff::release::ReleaseState;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const WRITERS: usize = 8;
const EACH: usize = 200;

const PLAYBOOK: &str = r#"
[release]
name = "many writers"
go_acks = ["captain"]

[[role]]
id = "captain"
[[role]]
id = "oncall"
"#;

fn liftoff(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .expect("run liftoff")
}

fn ack_many(playbook: &Path, writer: usize) {
    let pb = playbook.to_str().unwrap();
    for i in 0..EACH {
        let role = if i % 2 == 0 { "captain" } else { "oncall" };
        let name = format!("writer{writer}");
        let comment = format!("w{writer}-{i}");
        let out = liftoff(&[
            "ack",
            pb,
            "--role",
            role,
            "--as",
            &name,
            "--comment",
            &comment,
        ]);
        assert!(
            out.status.success(),
            "ack {comment} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_times_two_hundred_acks_none_lost_or_torn() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), PLAYBOOK);
    let pb = liftoff::playbook::load(&path).unwrap();
    let journal = journal::open(&pb).unwrap();

    // A follower in this process, started before any writer.
    let mut follower = journal.follow(Default::default()).unwrap();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || ack_many(&path, w))
        })
        .collect();

    // Every event arrives at the follower, in journal order.
    let total = WRITERS * EACH;
    let mut seen = Vec::with_capacity(total);
    let collect = async {
        while seen.len() < total {
            match follower.recv().await {
                Some(Followed::Event(e)) => seen.push(e),
                Some(Followed::Warning(w)) => panic!("follower warned: {w}"),
                None => panic!("follower stopped"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(600), collect)
        .await
        .unwrap_or_else(|_| panic!("the follower saw only {} of {total} events", seen.len()));
    for w in writers {
        w.join().expect("a writer thread panicked");
    }
    let ids: Vec<u64> = seen.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=total as u64).collect::<Vec<_>>());

    // On disk: exactly one line per ACK, each parses and chains.
    let text = std::fs::read_to_string(dir.path().join("artifacts/audit/journal.jsonl")).unwrap();
    assert_eq!(text.lines().count(), total);
    assert!(text.ends_with('\n'));
    let read = journal.read_all().unwrap();
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.events, seen);
    let comments: HashSet<String> = read
        .events
        .iter()
        .filter_map(|e| e.payload["comment"].as_str().map(str::to_string))
        .collect();
    assert_eq!(comments.len(), total, "every ACK is there exactly once");
    for pair in read.events.windows(2) {
        assert_eq!(pair[1].prev, pair[0].hash);
        assert!(pair[1].at >= pair[0].at);
    }

    let verify = liftoff(&["audit", "verify", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("intact: {total} lines")),
        "{stdout}"
    );

    let state = ReleaseState::from_read(&read);
    assert_eq!(state.events, total as u64);
    assert!(state.warnings.is_empty());
}
