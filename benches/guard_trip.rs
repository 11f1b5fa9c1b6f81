//! A guard with `on_trip = "kill"`: the data crosses the threshold at t0 ->
//! the kill switch fired -> HALTED proven, against the source's poll interval
//! (SPEC: a trip follows the data within one poll).
//!
//! The product's own path, in process: the real pollers (`poller::spawn`) poll
//! an `http` source on a loopback service this bench starts; their events go
//! through the supervisor's `Core` (which judges guards on every observation)
//! as the supervisor's loop folds them; the trip goes to the real actuator
//! (`supervisor::actuator::LiveActuator`), which fires the real kill switch (`act::kill`):
//! an `http` POST to the same service, proven by an `http` readback.
//!
//! Per run (a fresh journal, cockpit and pollers, a ramp at 10%): once the
//! guard has seen calm data, the value is flipped at a phase spread evenly
//! over one interval after that poll (run i of n: (i + 0.5) / n), then:
//! - t0 -> read: a poll first read the flipped value (the service's clock);
//! - t0 -> tripped: the supervisor judged the observation and handed the kill
//!   to the actuator (taken after `Core::apply` returned);
//! - t0 -> dispatched: every kill action on its task (tripped + the kill
//!   switch's own clock, which starts inside `apply`: an upper bound);
//! - t0 -> POST arrived: the kill action reached the service;
//! - t0 -> verified: the readback proved HALTED (tripped + the kill's clock);
//! - t0 -> in supervisor: the verdict reached the supervisor (after the journal's
//!   fsynced lines).
//!
//! Run: `cargo bench --bench guard_trip`

#[path = "support/flip_service.rs"]
mod flip_service;

use chrono::Utc;
use flip_service::Remote;
use liftoff::act::ActContext;
use liftoff::journal::event::StageEntered;
use liftoff::journal::{self, Actor, Event, NewEvent};
use liftoff::poller::{self, PollEvent};
use liftoff::release::{KillState, ReleaseState};
use liftoff::supervisor::actuator::LiveActuator;
use liftoff::supervisor::event::SupervisorEvent;
use liftoff::supervisor::request::{Actuator, Request};
use liftoff::supervisor::{Core, Duty};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const RUNS: usize = 40;

struct Case {
    interval: &'static str,
    hold: Option<&'static str>,
}

const CASES: [Case; 4] = [
    Case {
        interval: "100ms",
        hold: None,
    },
    Case {
        interval: "250ms",
        hold: None,
    },
    Case {
        interval: "1s",
        hold: None,
    },
    Case {
        interval: "250ms",
        hold: Some("500ms"),
    },
];

#[derive(Debug, Clone, Copy)]
struct Sample {
    read: Duration,
    tripped: Duration,
    dispatched: Duration,
    arrived: Duration,
    verified: Duration,
    shown: Duration,
}

fn playbook(port: u16, case: &Case) -> String {
    let hold = case
        .hold
        .map(|h| format!("for = \"{h}\"\n"))
        .unwrap_or_default();
    format!(
        r#"[release]
name = "guard trip bench"

[source.service]
kind = "http"
url = "http://127.0.0.1:{port}/metrics"
interval = "{interval}"
timeout = "2s"

[source.status]
kind = "http"
url = "http://127.0.0.1:{port}/status"
interval = "1h"
timeout = "2s"

[[guard]]
id = "errors-high"
source = "service"
trip = "json.error_rate > 0.05"
{hold}on_trip = "kill"

[kill_switch]
actions = [{{ kind = "http", method = "POST", url = "http://127.0.0.1:{port}/halt" }}]
verify = {{ source = "status", pass = "json.halted == true", timeout = "10s", every = "5ms" }}
"#,
        interval = case.interval
    )
}

/// One run: a fresh cockpit on a running ramp, the flip at `phase` of an
/// interval after the first calm observation, until the kill's verdict.
async fn run(remote: &Arc<Remote>, port: u16, case: &Case, phase: f64) -> Sample {
    remote.reset();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("liftoff.toml");
    std::fs::write(&path, playbook(port, case)).expect("write playbook");
    let pb = liftoff::playbook::load(&path).expect("playbook");
    let interval = pb.sources["service"].polling.interval.as_std();
    let journal = journal::open(&pb.journal_config()).expect("journal");
    // The ramp runs at 10% (guards watch only then), as another process left it.
    let entered = Event::StageEntered(StageEntered {
        index: 1,
        name: "10%".into(),
        percent: 10.0,
        verified: true,
        took_ms: 1,
        back: false,
    });
    journal
        .append(NewEvent::new(&Actor::here(Some("bench")), &entered))
        .expect("append");
    let state = ReleaseState::from_read(&journal.read_all().expect("read"));

    // The supervisor's core, folding events as its task does; its duties
    // (the trip) go to the real actuator.
    let mut core = Core::new(Arc::new(pb), Utc::now());
    core.apply(SupervisorEvent::ReleaseChanged(Box::new(state)), Utc::now());
    let (tx, mut rx) = mpsc::channel(256);
    let ctx = ActContext::new(core.playbook().clone(), journal, Actor::here(Some("bench")));
    let mut actuator = LiveActuator::new(ctx, tx.clone());
    let cancel = CancellationToken::new();
    let pollers = poller::spawn(core.playbook().clone(), tx, cancel.clone());
    assert!(core.guards_watching(), "the ramp must be running");

    let mut flip: Option<tokio::task::JoinHandle<()>> = None;
    let mut tripped = None;
    let mut batch = Vec::with_capacity(64);
    let (timings, shown) = 'run: loop {
        if rx.recv_many(&mut batch, 64).await == 0 {
            panic!("the channel closed before the kill's verdict");
        }
        let mut acted = false;
        for event in batch.drain(..) {
            let calm_seen = flip.is_none()
                && matches!(&event, SupervisorEvent::Poll(PollEvent::Finished(o))
                    if o.source == "service" && o.outcome.is_ok());
            let done = match &event {
                SupervisorEvent::KillDone { state, timings, .. } => {
                    assert!(matches!(state, KillState::Halted { .. }), "{state:?}");
                    Some(*timings)
                }
                _ => None,
            };
            for duty in core.apply(event, Utc::now()) {
                if let Duty::GuardTripped { .. } = duty {
                    tripped.get_or_insert_with(Instant::now);
                    actuator
                        .carry_out(Request::Duty(duty))
                        .expect("the kill is handed over");
                    acted = true;
                }
            }
            if let Some(t) = done {
                break 'run (t, Instant::now());
            }
            if calm_seen {
                let remote = remote.clone();
                let wait = interval.mul_f64(phase);
                flip = Some(tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    remote.flip();
                }));
            }
        }
        // What the supervisor's loop does after a duty: let it start.
        if acted {
            tokio::task::yield_now().await;
        }
    };
    cancel.cancel();
    pollers.shutdown().await;

    let m = remote.marks();
    let t0 = m.flipped.expect("flipped before the trip");
    let tripped = tripped.expect("the guard handed the kill over");
    let since = |t: Instant| t.saturating_duration_since(t0);
    Sample {
        read: since(m.first_read.expect("a poll read the flipped value")),
        tripped: since(tripped),
        dispatched: since(tripped) + timings.dispatched,
        arrived: since(m.halt_arrived.expect("the kill's POST arrived")),
        verified: since(tripped) + timings.verified.expect("verified by the readback"),
        shown: since(shown),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn report(case: &Case, samples: &[Sample]) {
    let name = match case.hold {
        Some(h) => format!("interval {} for {h}", case.interval),
        None => format!("interval {}", case.interval),
    };
    println!("guard_trip {name} (n={})", samples.len());
    let row = |what: &str, pick: fn(&Sample) -> Duration| {
        let mut v: Vec<Duration> = samples.iter().map(pick).collect();
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  {what:<24} p50 {:>8.1} ms   p99 {:>8.1} ms   max {:>8.1} ms",
            ms(percentile(&v, 0.50)),
            ms(percentile(&v, 0.99)),
            ms(*v.last().expect("samples"))
        );
    };
    row("t0 -> poll read it", |s| s.read);
    row("t0 -> tripped (judged)", |s| s.tripped);
    row("t0 -> kill dispatched", |s| s.dispatched);
    row("t0 -> POST at service", |s| s.arrived);
    row("t0 -> verified HALTED", |s| s.verified);
    row("t0 -> HALTED in cockpit", |s| s.shown);
    let over = |pick: fn(&Sample) -> Duration| {
        samples
            .iter()
            .map(|s| pick(s).saturating_sub(s.read))
            .max()
            .unwrap_or_default()
    };
    println!(
        "  after the poll read it: tripped within {:.1} ms, dispatched within {:.1} ms, verified within {:.1} ms (max)",
        over(|s| s.tripped).as_secs_f64() * 1000.0,
        over(|s| s.dispatched).as_secs_f64() * 1000.0,
        over(|s| s.verified).as_secs_f64() * 1000.0,
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // `cargo test --benches` runs each bench once to see that it works: the
    // full runs are for `cargo bench` (which passes --bench).
    let runs = if std::env::args().any(|a| a == "--bench") {
        RUNS
    } else {
        2
    };
    let remote = Arc::new(Remote::default());
    let port = rt.block_on(flip_service::start(remote.clone()));
    let started = Instant::now();
    for case in &CASES {
        let samples: Vec<Sample> = rt.block_on(async {
            let mut out = Vec::with_capacity(runs);
            for i in 0..runs {
                let phase = (i as f64 + 0.5) / runs as f64;
                out.push(run(&remote, port, case, phase).await);
            }
            out
        });
        report(case, &samples);
    }
    println!("guard_trip took {:.1} s", started.elapsed().as_secs_f64());
}
