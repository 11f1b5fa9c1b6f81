//! The kill switch's speed (SPEC: press -> dispatched well under 50 ms; ->
//! verified HALTED bounded by the actions themselves, not by polling).
//! Measured from `act::kill::fire`'s own timings: press -> every action on its
//! task, and press -> the readback passing. Two kill switches: a `command`
//! action (writes a flag file; the readback is a `command` source reading it)
//! and an `http` action (POST to a loopback service this bench starts; the
//! readback is an `http` source reading its status).
//!
//! Run: `cargo bench --bench kill`

use criterion::{criterion_group, criterion_main, Criterion};
use liftoff::act::{kill, ActContext};
use liftoff::journal::{self, Actor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[path = "support/halt_service.rs"]
mod halt_service;

fn context(dir: &std::path::Path, kill_switch: &str) -> ActContext {
    let text = format!(
        "[release]\nname = \"kill bench\"\n\n[source.flag]\nkind = \"command\"\nrun = [\"cat\", \"halted.flag\"]\ntimeout = \"2s\"\n\n{kill_switch}\n"
    );
    let path = dir.join("liftoff.toml");
    std::fs::write(&path, text).expect("write playbook");
    let pb = Arc::new(liftoff::playbook::load(&path).expect("playbook"));
    let journal = journal::open(&pb.journal_config()).expect("journal");
    ActContext::new(pb, journal, Actor::here(Some("bench")))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = dir.path().join("halted.flag");

    let command = context(
        dir.path(),
        "[kill_switch]\nactions = [{ kind = \"command\", run = [\"sh\", \"-c\", \"echo HALTED > halted.flag\"] }]\nverify = { source = \"flag\", pass = \"stdout.startsWith('HALTED')\", timeout = \"10s\", every = \"5ms\" }\n",
    );
    let halted = Arc::new(AtomicBool::new(false));
    let port = rt.block_on(halt_service::start(halted.clone()));
    let http_dir = tempfile::tempdir().expect("tempdir");
    let http = context(
        http_dir.path(),
        &format!(
            "[source.service]\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/status\"\ntimeout = \"2s\"\n\n[kill_switch]\nactions = [{{ kind = \"http\", method = \"POST\", url = \"http://127.0.0.1:{port}/halt\" }}]\nverify = {{ source = \"service\", pass = \"json.halted == true\", timeout = \"10s\", every = \"5ms\" }}\n"
        ),
    );

    let mut g = c.benchmark_group("kill");
    g.sample_size(30);
    for (name, ctx) in [("command", &command), ("http", &http)] {
        for (what, verified) in [("press_to_dispatched", false), ("press_to_verified", true)] {
            g.bench_function(format!("{name}/{what}"), |b| {
                b.to_async(&rt).iter_custom(|iters| {
                    let (ctx, flag, halted) = (ctx.clone(), flag.clone(), halted.clone());
                    async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let _ = std::fs::remove_file(&flag);
                            halted.store(false, Ordering::SeqCst);
                            let outcome = kill::fire(ctx.clone(), None).await;
                            assert!(outcome.halted(), "{:?}", outcome.state);
                            let t = outcome.timings();
                            total += if verified {
                                t.verified.expect("verified")
                            } else {
                                t.dispatched
                            };
                        }
                        total
                    }
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
