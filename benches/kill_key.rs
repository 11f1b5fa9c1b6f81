//! The kill key in the cockpit (SPEC: key press -> actions dispatched well
//! under 50 ms; -> verified HALTED bounded by the actions themselves, not by
//! polling or rendering). The first `K` arms through `App::dispatch` (the
//! cockpit's loop decides arming); the second goes the input task's way: the
//! instant it is read, `tui::kill_key::KillKeys` decides and the real actuator
//! (`supervisor::actuator::LiveActuator::fire_kill`) fires, timed from that read.
//!
//! Per press:
//! - key -> dispatched: every action on its task (the kill switch's clock,
//!   started when the key was read);
//! - key -> verified: the readback passed (HALTED proven);
//! - key -> in the cockpit: the verdict reached the cockpit's channel (after
//!   the journal lines were written and fsynced).
//!
//! Two kill switches: a `command` action writing a flag file (readback: a
//! `command` source reading it) and an `http` action (POST to a loopback
//! service this bench starts; readback: an `http` source).
//!
//! Prints p50/p99 over 100 presses of each, then criterion's own statistics.
//! Run: `cargo bench --bench kill_key`

#[path = "support/halt_service.rs"]
mod halt_service;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use liftoff::act::ActContext;
use liftoff::journal::{self, Actor};
use liftoff::release::KillState;
use liftoff::supervisor::actuator::LiveActuator;
use liftoff::supervisor::event::SupervisorEvent;
use liftoff::tui::app::App;
use liftoff::tui::keymap::Action;
use liftoff::tui::kill_key::{KillKey, KillKeys};
use liftoff::tui::layout::Layout;
use liftoff::tui::theme::Theme;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

const RUNS: usize = 100;

struct Rig {
    app: App,
    live: LiveActuator,
    keys: KillKeys,
    rx: mpsc::Receiver<SupervisorEvent>,
    reset: Box<dyn Fn()>,
    _dir: tempfile::TempDir,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    dispatched: Duration,
    verified: Duration,
    shown: Duration,
}

fn rig(rt: &Runtime, body: &str, reset: Box<dyn Fn()>) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("liftoff.toml");
    std::fs::write(
        &path,
        format!("[release]\nname = \"kill key bench\"\n\n{body}"),
    )
    .expect("write playbook");
    let pb = liftoff::playbook::load(&path).expect("playbook");
    let theme = Theme::load("dark").expect("theme");
    let layout = Layout::load("commander").expect("layout");
    let app = App::new(pb, theme, layout, Utc::now());
    let journal = journal::open(&app.pb.journal_config()).expect("journal");
    let (tx, rx) = mpsc::channel(256);
    let ctx = ActContext::new(app.pb.clone(), journal, Actor::here(Some("bench")));
    let _inside = rt.enter();
    let live = LiveActuator::new(ctx, tx);
    let app = app.with_actuator(Box::new(live.clone()));
    Rig {
        app,
        live,
        keys: KillKeys::default(),
        rx,
        reset,
        _dir: dir,
    }
}

/// `K` (arm), then the timed second `K` (fire), awaiting the verdict. The
/// first press is dated a second back: a deliberate second press, not a
/// burst (src/tui/kill_keys.rs); the latency counts from the second.
async fn press(rig: &mut Rig) -> Sample {
    (rig.reset)();
    // As the cockpit sees a fired kill switch: disarmed everywhere.
    rig.app
        .kill_fired_from_input(Err(String::new()), Utc::now());
    let k = KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT);
    // The first K, read by the input task (handed to the loop, which arms)
    // and dispatched a second before the timed one: a deliberate second
    // press, not a burst (src/tui/kill_keys.rs).
    let first_read = Instant::now()
        .checked_sub(Duration::from_secs(1))
        .unwrap_or_else(Instant::now);
    assert_eq!(
        rig.keys.on_key(&k, first_read, &rig.app.kill_arm),
        KillKey::Pass
    );
    rig.app
        .dispatch(Action::Kill, Utc::now() - chrono::Duration::seconds(1));
    let pressed = Instant::now();
    // What the input task does with the key it has just read.
    assert_eq!(
        rig.keys.on_key(&k, pressed, &rig.app.kill_arm),
        KillKey::Fire
    );
    rig.live.fire_kill(pressed).expect("the kill switch fires");
    tokio::task::yield_now().await;
    loop {
        match rig.rx.recv().await.expect("the actuator reports") {
            SupervisorEvent::KillDone { state, timings, .. } => {
                let shown = pressed.elapsed();
                assert!(matches!(state, KillState::Halted { .. }), "{state:?}");
                return Sample {
                    dispatched: timings.dispatched,
                    verified: timings.verified.expect("verified by the readback"),
                    shown,
                };
            }
            _ => continue,
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn report(name: &str, samples: &[Sample]) {
    let row = |what: &str, pick: fn(&Sample) -> Duration| {
        let mut v: Vec<Duration> = samples.iter().map(pick).collect();
        v.sort();
        println!(
            "kill_key {name:<8} {what:<24} p50 {:>9.3} ms   p99 {:>9.3} ms   (n={})",
            percentile(&v, 0.50).as_secs_f64() * 1000.0,
            percentile(&v, 0.99).as_secs_f64() * 1000.0,
            v.len()
        );
    };
    row("key -> dispatched", |s| s.dispatched);
    row("key -> verified HALTED", |s| s.verified);
    row("key -> HALTED in cockpit", |s| s.shown);
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let command_dir = tempfile::tempdir().expect("tempdir");
    let flag = command_dir.path().join("halted.flag");
    let command_body = format!(
        "[source.flag]\nkind = \"command\"\nrun = [\"cat\", \"{flag}\"]\ntimeout = \"2s\"\n\n[kill_switch]\nactions = [{{ kind = \"command\", run = [\"sh\", \"-c\", \"echo HALTED > {flag}\"] }}]\nverify = {{ source = \"flag\", pass = \"stdout.startsWith('HALTED')\", timeout = \"10s\", every = \"5ms\" }}\n",
        flag = flag.display()
    );
    let reset_flag = flag.clone();
    let command = rig(
        &rt,
        &command_body,
        Box::new(move || {
            let _ = std::fs::remove_file(&reset_flag);
        }),
    );

    let halted = Arc::new(AtomicBool::new(false));
    let port = rt.block_on(halt_service::start(halted.clone()));
    let http_body = format!(
        "[source.service]\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/status\"\ntimeout = \"2s\"\n\n[kill_switch]\nactions = [{{ kind = \"http\", method = \"POST\", url = \"http://127.0.0.1:{port}/halt\" }}]\nverify = {{ source = \"service\", pass = \"json.halted == true\", timeout = \"10s\", every = \"5ms\" }}\n"
    );
    let reset_halted = halted.clone();
    let http = rig(
        &rt,
        &http_body,
        Box::new(move || reset_halted.store(false, Ordering::SeqCst)),
    );

    let mut rigs = [("command", command), ("http", http)];
    // `cargo test --benches` runs each bench once to see that it works: the
    // 100 presses are for `cargo bench` (criterion passes --bench).
    let runs = if std::env::args().any(|a| a == "--bench") {
        RUNS
    } else {
        2
    };
    for (name, rig) in rigs.iter_mut() {
        let samples: Vec<Sample> = rt.block_on(async {
            let mut out = Vec::with_capacity(runs);
            for _ in 0..runs {
                out.push(press(rig).await);
            }
            out
        });
        report(name, &samples);
    }

    let mut g = c.benchmark_group("kill_key");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, rig) in rigs.iter_mut() {
        type Pick = fn(&Sample) -> Duration;
        let picks: [(&str, Pick); 3] = [
            ("key_to_dispatched", |s| s.dispatched),
            ("key_to_verified", |s| s.verified),
            ("key_to_halted_in_cockpit", |s| s.shown),
        ];
        for (what, pick) in picks {
            g.bench_function(format!("{name}/{what}"), |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total += pick(&press(rig).await);
                        }
                        total
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
