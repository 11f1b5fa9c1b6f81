//! The journal's speed: folding and replaying 100,000 events (a long release
//! restarted, or a cockpit opened late), and append throughput (flock + tail
//! read + write + fsync per event) from one writer and from four at once.
//!
//! Run: `cargo bench --bench journal`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use liftoff::journal::event::*;
use liftoff::journal::line::{encode, GENESIS};
use liftoff::journal::{FileJournal, Journal, NewEvent, Stored};
use liftoff::release::ReleaseState;
use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;

const EVENTS: usize = 100_000;

/// A release's worth of mixed events: ACKs, stages, decision points, ticks, kills.
fn event(i: usize) -> Event {
    match i % 10 {
        0..=4 => Event::Ack(Ack {
            role: ["captain", "oncall", "lead"][i % 3].into(),
            comment: Some(format!("ack {i}")),
            stage: Some(format!("stage-{}", i / 1000)),
        }),
        5 => Event::StageEntered(StageEntered {
            index: i % 5,
            name: format!("stage-{}", i / 1000),
            percent: (i % 5) as f64 * 25.0,
            verified: true,
            took_ms: 120,
            back: false,
        }),
        6 => Event::DecisionPoint(DecisionPoint {
            stage: format!("stage-{}", i / 1000),
            offset_ms: 1_800_000,
            decision: "GO".into(),
            checks: (0..8)
                .map(|c| CheckSnapshot {
                    id: format!("check-{c}"),
                    status: "PASS".into(),
                    value: Some("0.93".into()),
                    reason: "pass condition holds".into(),
                })
                .collect(),
        }),
        7 => Event::ManualTicked(Manual {
            item: format!("item-{}", i % 7),
            role: None,
        }),
        8 => Event::KillFired(Fired {
            target: None,
            reason: Some("drill".into()),
            actions: 2,
            dispatched_us: 80,
        }),
        _ => Event::KillVerified(Verified {
            target: None,
            took_ms: 350,
        }),
    }
}

fn actor(i: usize) -> Actor {
    Actor {
        name: format!("person-{}", i % 12),
        role: None,
        host: "bench-host".into(),
        pid: 4242,
    }
}

/// 100,000 chained events, and the journal file holding them.
fn journal_of(n: usize) -> (Vec<Stored>, tempfile::TempDir, FileJournal) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let mut prev = GENESIS.to_string();
    let start = chrono::Utc::now();
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let at = start + chrono::Duration::milliseconds(i as i64);
        let (stored, line) = encode(
            i as u64 + 1,
            at,
            &NewEvent::new(&actor(i), &event(i)),
            &prev,
        );
        file.write_all(&line).expect("write");
        prev = stored.hash.clone();
        events.push(stored);
    }
    file.flush().expect("flush");
    drop(file);
    (events, dir, FileJournal::new(path))
}

fn fold_and_replay(c: &mut Criterion) {
    let (events, _dir, journal) = journal_of(EVENTS);
    let mut g = c.benchmark_group("journal");
    g.sample_size(10);
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("fold_100k_events", |b| {
        b.iter(|| black_box(ReleaseState::fold(black_box(&events))))
    });
    g.bench_function("replay_100k_events_read_verify_fold", |b| {
        b.iter(|| {
            let read = journal.read_all().expect("read");
            assert_eq!(read.events.len(), EVENTS);
            black_box(ReleaseState::from_read(&read))
        })
    });
    g.bench_function("audit_verify_100k_events", |b| {
        b.iter(|| {
            let r = journal.verify().expect("verify");
            assert!(r.is_intact());
            black_box(r)
        })
    });
    g.finish();
}

fn append(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Arc::new(FileJournal::new(dir.path().join("journal.jsonl")));
    let ev = NewEvent::new(&actor(1), &event(1));
    let mut g = c.benchmark_group("journal");
    g.sample_size(20);
    g.throughput(Throughput::Elements(1));
    g.bench_function("append_one_writer_fsync", |b| {
        b.iter(|| black_box(journal.append(ev.clone()).expect("append")))
    });
    const THREADS: usize = 4;
    const EACH: usize = 25;
    g.throughput(Throughput::Elements((THREADS * EACH) as u64));
    g.bench_function("append_4_writers_x25_fsync", |b| {
        b.iter_batched(
            || (),
            |_| {
                let handles: Vec<_> = (0..THREADS)
                    .map(|_| {
                        let (j, ev) = (journal.clone(), ev.clone());
                        std::thread::spawn(move || {
                            for _ in 0..EACH {
                                j.append(ev.clone()).expect("append");
                            }
                        })
                    })
                    .collect();
                for h in handles {
                    h.join().expect("writer");
                }
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, fold_and_replay, append);
criterion_main!(benches);
