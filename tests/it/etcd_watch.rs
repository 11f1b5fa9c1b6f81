//! Following the journal on a real etcd: a follower resumes from its last
//! revision when etcd comes back, and catches up by event id when etcd has
//! compacted that revision away. Nothing missed, nothing repeated.
#![cfg(feature = "etcd")]

use crate::support;

use liftoff::journal::Health;
use std::time::Duration;
use support::etcd::Etcd;
use support::journal_cli::*;
use support::net::wait_for;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_resumes_from_its_last_revision_after_etcd_restarts() {
    let mut etcd = Etcd::single().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), &etcd.endpoints(), "liftoff/resume", "");
    let pbs = pb.to_str().unwrap();
    let writer = open(&pb);
    for i in 0..3 {
        writer
            .append(ack_event("ana", &format!("before-{i}")))
            .unwrap();
    }
    let cockpit = open(&pb);
    let from = cockpit.read_all().unwrap().cursor;
    assert_eq!(from.lines, 3);
    let mut follower = cockpit.follow(from).unwrap();
    let ack = liftoff(&["ack", pbs, "--role", "captain", "--as", "ana"]);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    assert_eq!(
        ids(&collect(&mut follower, 1, Duration::from_secs(20)).await),
        [4]
    );

    etcd.kill(0);
    wait_for(Duration::from_secs(20), "health says unreachable", || {
        let h = cockpit.health();
        async move {
            match h {
                Health::Unreachable { .. } => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }
    })
    .await;
    etcd.restart(0).await;
    // Written while the follower is still away (it waits before reconnecting).
    for _ in 0..3 {
        let ack = liftoff(&["ack", pbs, "--role", "oncall", "--as", "bob"]);
        assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    }
    let seen = collect(&mut follower, 3, Duration::from_secs(30)).await;
    assert_eq!(
        ids(&seen),
        [5, 6, 7],
        "missed or repeated across the restart"
    );
    // Nothing more arrives: no event is delivered twice.
    let extra = tokio::time::timeout(Duration::from_millis(500), follower.recv()).await;
    assert!(extra.is_err(), "an extra item arrived: {extra:?}");
    assert!(cockpit.health().is_ok(), "{:?}", cockpit.health());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_behind_a_compaction_catches_up_by_id() {
    let etcd = Etcd::single().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), &etcd.endpoints(), "liftoff/compacted", "");
    let journal = open(&pb);
    for i in 0..3 {
        journal.append(ack_event("ana", &format!("a{i}"))).unwrap();
    }
    let from = journal.read_all().unwrap().cursor;
    for i in 0..3 {
        journal.append(ack_event("bob", &format!("b{i}"))).unwrap();
    }
    // The history the cursor points into is gone.
    etcd.compact(journal.read_all().unwrap().cursor.revision);
    let mut follower = journal.follow(from).unwrap();
    let seen = collect(&mut follower, 3, Duration::from_secs(20)).await;
    assert_eq!(ids(&seen), [4, 5, 6]);
    journal.append(ack_event("cy", "live")).unwrap();
    let live = collect(&mut follower, 1, Duration::from_secs(20)).await;
    assert_eq!(ids(&live), [7]);
    assert_eq!(live[0].payload["comment"], "live");
}
