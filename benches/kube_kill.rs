//! The seed-001 kill switch through the Kubernetes API, side by side with the
//! seed's own way (`kubectl patch configmap ... --type merge`), against the
//! same local Kubernetes API server (tests/it/support/kube_api/: TLS, bearer
//! token, a real kubeconfig; no real API server can be installed here).
//!
//! - `kubectl_patch`: the seed's command, one process (patch only, no proof);
//! - `kubectl_patch_then_get`: the seed's patch plus its "kill switch read"
//!   (`kubectl get configmap -o jsonpath=...`), i.e. patch and proof;
//! - `liftoff_kill_process`: `liftoff kill` as a whole process (load the
//!   playbook, patch, read back through the API, journal);
//! - `in_process_fire_cold`: `act::kill::fire` with a new context each time
//!   (kubeconfig read, new TLS connection), as a guard or the TUI's first press;
//! - `in_process_fire_warm`: the same context reused (cached client, warm
//!   connection), as the cockpit that has been polling the cluster.
//!
//! Before each iteration the ConfigMap is set back to EXECUTION_HALTED=0.
//! Run: `cargo bench --bench kube_kill`

#[path = "../tests/it/support/kube_api/mod.rs"]
#[allow(dead_code)]
mod kube_api;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kube_api::{KubeApi, ADMIN, NAMESPACE};
use liftoff::act::{kill, ActContext};
use liftoff::journal::{self, Actor};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

const ASSET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/playbooks/agenttrader-v2.toml"
);

fn reset(api: &KubeApi) {
    let mut cm = api
        .get("configmaps", NAMESPACE, "agenttrader-kill-switch")
        .expect("kill-switch ConfigMap");
    cm["data"] = json!({"EXECUTION_HALTED": "0"});
    api.put(cm);
}

fn halted(api: &KubeApi) -> bool {
    api.get("configmaps", NAMESPACE, "agenttrader-kill-switch")
        .is_some_and(|cm| cm["data"]["EXECUTION_HALTED"] == "1")
}

fn kubectl(kc: &Path, cache: &Path, args: &[&str]) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kc)
        .arg("--cache-dir")
        .arg(cache)
        .args(["-n", NAMESPACE])
        .args(args)
        .output()
        .expect("kubectl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn context(playbook: &Path) -> ActContext {
    let pb = liftoff::playbook::load(playbook).expect("playbook");
    let journal = journal::open(&pb).expect("journal");
    ActContext::new(Arc::new(pb), journal, Actor::here(Some("bench")))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let api = rt.block_on(KubeApi::start("broken"));
    let dir = tempfile::tempdir().expect("temp dir");
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let cache = dir.path().join("kubectl-cache");
    // The playbook names the kubeconfig itself, so in-process firing needs no environment.
    let text = std::fs::read_to_string(ASSET)
        .expect("asset")
        .replace(
            "name = \"agenttrader-kill-switch\"\ninterval",
            "name = \"agenttrader-kill-switch\"\nkubeconfig = \"kubeconfig\"\ninterval",
        )
        .replace(
            "name = \"agenttrader-kill-switch\", patch",
            "name = \"agenttrader-kill-switch\", kubeconfig = \"kubeconfig\", patch",
        );
    let playbook: PathBuf = dir.path().join("agenttrader-v2.toml");
    std::fs::write(&playbook, text).expect("write playbook");

    // The seed's way: `kubectl patch` of the ConfigMap flag.
    const PATCH: [&str; 7] = [
        "patch",
        "configmap",
        "agenttrader-kill-switch",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"EXECUTION_HALTED":"1"}}"#,
    ];
    let mut g = c.benchmark_group("kill_switch_via_api");
    g.sample_size(30).measurement_time(Duration::from_secs(15));

    g.bench_function("kubectl_patch", |b| {
        b.iter_batched(
            || reset(&api),
            |_| {
                kubectl(&kc, &cache, &PATCH);
            },
            BatchSize::PerIteration,
        )
    });
    assert!(halted(&api));

    g.bench_function("kubectl_patch_then_get", |b| {
        b.iter_batched(
            || reset(&api),
            |_| {
                kubectl(&kc, &cache, &PATCH);
                kubectl(
                    &kc,
                    &cache,
                    &[
                        "get",
                        "configmap",
                        "agenttrader-kill-switch",
                        "-o",
                        "jsonpath={.data.EXECUTION_HALTED}",
                    ],
                );
            },
            BatchSize::PerIteration,
        )
    });

    g.bench_function("liftoff_kill_process", |b| {
        b.iter_batched(
            || reset(&api),
            |_| {
                let out = Command::new(env!("CARGO_BIN_EXE_liftoff"))
                    .arg("kill")
                    .arg(&playbook)
                    .args(["--as", "bench"])
                    .output()
                    .expect("liftoff kill");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stdout)
                );
            },
            BatchSize::PerIteration,
        )
    });

    g.bench_function("in_process_fire_cold", |b| {
        b.to_async(&rt).iter_batched(
            || {
                reset(&api);
                context(&playbook)
            },
            |ctx| async move {
                let outcome = kill::fire(ctx, None).await;
                assert!(outcome.halted(), "{:?}", outcome.state);
            },
            BatchSize::PerIteration,
        )
    });

    let warm = context(&playbook);
    g.bench_function("in_process_fire_warm", |b| {
        b.to_async(&rt).iter_batched(
            || {
                reset(&api);
                warm.clone()
            },
            |ctx| async move {
                let outcome = kill::fire(ctx, None).await;
                assert!(outcome.halted(), "{:?}", outcome.state);
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
