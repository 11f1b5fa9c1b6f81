//! Recording once with many writers on one journal (`Journal::append_unless`),
//! as cockpits do when their 1 s ticks fall together: each round, every
//! racer, released at the same moment, tries to record the same thing;
//! exactly one event goes in per round, while another writer's ordinary
//! appends all land and the chain stays linear and intact. Each writer has
//! its own handle: its own file descriptor and `flock`, its own etcd client.

use crate::support;

use liftoff::journal::{FileJournal, SharedJournal, Stored};
use std::sync::{Arc, Barrier};
use support::journal_cli::{ack_event, assert_linear, comments};

const RACERS: usize = 6;
const ROUNDS: usize = 40;
const PLAIN: usize = 100;

fn once(round: usize) -> String {
    format!("once-{round}")
}

/// What each racer's call came to, per round: the event it wrote, if it did.
type Wrote = Vec<Vec<Option<Stored>>>;

/// The race, each writer on a journal from `open`; returns what the racers
/// wrote, after checking the journal holds each round's event once and
/// every plain append.
fn race(open: impl Fn() -> SharedJournal) -> Wrote {
    let start = Arc::new(Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|i| {
            let (journal, start) = (open(), Arc::clone(&start));
            std::thread::spawn(move || {
                (0..ROUNDS)
                    .map(|round| {
                        start.wait();
                        let mark = once(round);
                        let there = move |read: &liftoff::journal::ReadAll| {
                            read.events
                                .iter()
                                .any(|e| e.payload["comment"].as_str() == Some(mark.as_str()))
                        };
                        journal
                            .append_unless(
                                ack_event(&format!("racer{i}"), &once(round)),
                                Box::new(there),
                            )
                            .expect("append_unless")
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let plain = {
        let journal = open();
        std::thread::spawn(move || {
            for k in 0..PLAIN {
                journal
                    .append(ack_event("plain", &format!("plain-{k}")))
                    .expect("append");
            }
        })
    };
    let wrote: Wrote = racers.into_iter().map(|r| r.join().unwrap()).collect();
    plain.join().unwrap();

    let journal = open();
    let all = journal.read_all().unwrap();
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    assert_linear(&all.events);
    assert!(journal.verify().unwrap().is_intact());
    let count = comments(&all.events);
    for round in 0..ROUNDS {
        assert_eq!(count.get(&once(round)), Some(&1), "round {round}");
        let winners: Vec<&Stored> = wrote.iter().filter_map(|w| w[round].as_ref()).collect();
        assert_eq!(winners.len(), 1, "round {round}: one racer writes");
        // What the winner was told is what the journal holds.
        let id = winners[0].id as usize;
        assert_eq!(&all.events[id - 1], winners[0]);
    }
    for k in 0..PLAIN {
        assert_eq!(count.get(&format!("plain-{k}")), Some(&1), "plain-{k}");
    }
    assert_eq!(all.events.len(), ROUNDS + PLAIN);
    wrote
}

#[test]
fn racing_file_writers_record_each_round_once_and_plain_appends_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit/journal.jsonl");
    race(|| Arc::new(FileJournal::new(&path)) as SharedJournal);
}

#[cfg(feature = "etcd")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_etcd_writers_record_each_round_once_and_plain_appends_all_land() {
    use support::etcd::Etcd;
    use support::journal_cli::{open, playbook};
    let etcd = Etcd::single().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), &etcd.endpoints(), "liftoff/once", "");
    // Every writer its own client (a journal per playbook load).
    tokio::task::spawn_blocking(move || race(|| open(&pb)))
        .await
        .unwrap();
    drop(etcd);
}
