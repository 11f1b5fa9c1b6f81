//! The journal's tests through the real binary and the library: run
//! `liftoff`, write a playbook whose journal is on etcd, follow it, check the
//! chain.

use liftoff::journal::{self, Followed, SharedJournal, Stored};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use tokio::sync::mpsc;

pub fn liftoff(args: &[&str]) -> Output {
    liftoff_env(args, &[])
}

pub fn liftoff_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run liftoff")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn playbook(dir: &Path, endpoints: &str, prefix: &str, extra: &str) -> PathBuf {
    super::playbook::write(
        dir,
        &format!(
            r#"
[release]
name = "war room across machines"
journal = "etcd://{endpoints}/{prefix}"
go_acks = ["captain"]

[[role]]
id = "captain"
[[role]]
id = "oncall"
{extra}
"#
        ),
    )
}

pub fn open(path: &Path) -> SharedJournal {
    journal::open(&liftoff::playbook::load(path).expect("playbook")).expect("journal")
}

/// Every ACK by `writer`, one `liftoff ack` process each; an ACK refused
/// (e.g. while a member dies) is given again, as a person would. Returns how
/// many were refused first.
pub async fn collect(rx: &mut mpsc::Receiver<Followed>, n: usize, within: Duration) -> Vec<Stored> {
    let mut seen = Vec::new();
    let got = tokio::time::timeout(within, async {
        while seen.len() < n {
            match rx.recv().await {
                Some(Followed::Event(e)) => seen.push(e),
                Some(Followed::Warning(w)) => panic!("follower warned: {w}"),
                None => panic!("the follower stopped"),
            }
        }
    })
    .await;
    assert!(
        got.is_ok(),
        "the follower saw {} of {n} events within {within:?}",
        seen.len()
    );
    seen
}

/// One linear chain: ids 1..=n, each `prev` the hash before it.
pub fn assert_linear(events: &[Stored]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1, "ids are not 1..n");
        if i > 0 {
            assert_eq!(e.prev, events[i - 1].hash, "event {} forks the chain", e.id);
        }
    }
}

pub fn comments(events: &[Stored]) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for e in events {
        if let Some(c) = e.payload["comment"].as_str() {
            *count.entry(c.to_string()).or_default() += 1;
        }
    }
    count
}

pub fn ack_event(name: &str, comment: &str) -> liftoff::journal::NewEvent {
    use liftoff::journal::event::{Ack, Actor, Event};
    let actor = Actor::here(Some(name)).with_role(Some("captain"));
    liftoff::journal::NewEvent::new(
        &actor,
        &Event::Ack(Ack {
            role: "captain".into(),
            comment: Some(comment.into()),
            stage: None,
        }),
    )
}

pub fn ids(events: &[Stored]) -> Vec<u64> {
    events.iter().map(|e| e.id).collect()
}
