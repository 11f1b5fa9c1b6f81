//! Seed 001 end to end: `liftoff check assets/playbooks/agenttrader-v2.toml`
//! (a temp copy, its /ops/status URLs pointed at this test's endpoints) against
//! the local Kubernetes API server of tests/it/support/kube_api/ serving a
//! healthy agenttrader-v2 cluster (GO, once the two manual items are ticked)
//! and a broken one (NO-GO, every failing check with its evidence). The
//! cluster is found through KUBECONFIG, as users have it. No real API server
//! can be installed on these machines (see tests/kubernetes.rs).

use crate::support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::kube_api::{KubeApi, ADMIN};

const ASSET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/playbooks/agenttrader-v2.toml"
);

/// Serves `body` with `code` at /ops/status on a loopback port; returns the URL.
async fn ops_endpoint(code: u16, body: Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route(
        "/ops/status",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    axum::http::StatusCode::from_u16(code).unwrap(),
                    axum::Json(body),
                )
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://127.0.0.1:{port}/ops/status")
}

struct World {
    _api: KubeApi,
    dir: tempfile::TempDir,
    playbook: PathBuf,
    kubeconfig: PathBuf,
}

/// The seed's world: a cluster, /ops/status endpoints, deploy/ manifests and audit artifacts.
async fn world(healthy: bool) -> World {
    let api = KubeApi::start(if healthy { "healthy" } else { "broken" }).await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = api.kubeconfig(dir.path(), ADMIN);
    let marketdata = if healthy {
        ops_endpoint(
            200,
            json!({"service": "marketdata-mcp-server", "status": "ok", "git_sha": "3f9c2ab41d7e",
                   "marketdata": {"stale": false, "fail_closed": true, "heartbeat_age_seconds": 0.8}}),
        )
        .await
    } else {
        ops_endpoint(
            503,
            json!({"service": "marketdata-mcp-server", "status": "degraded",
                   "marketdata": {"stale": true, "fail_closed": false, "heartbeat_age_seconds": 97.0}}),
        )
        .await
    };
    let strategy = ops_endpoint(
        200,
        json!({"service": "strategy-engine", "status": "ok", "git_sha": "3f9c2ab41d7e"}),
    )
    .await;
    let text = std::fs::read_to_string(ASSET)
        .unwrap()
        .replace("http://127.0.0.1:18081/ops/status", &marketdata)
        .replace("http://127.0.0.1:18082/ops/status", &strategy);
    let playbook = dir.path().join("agenttrader-v2.toml");
    std::fs::write(&playbook, text).unwrap();

    let deploy = dir.path().join("deploy");
    std::fs::create_dir_all(&deploy).unwrap();
    let tag = if healthy { "3f9c2ab41d7e" } else { "latest" };
    std::fs::write(
        deploy.join("strategy-engine.yaml"),
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: strategy-engine\n  namespace: trading-floor\nspec:\n  template:\n    spec:\n      containers:\n        - name: strategy-engine\n          image: us-docker.pkg.dev/agenttrader-prod/v2/strategy-engine:{tag}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        deploy.join("Dockerfile"),
        "FROM python:3.12.7-slim@sha256:0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080706050403020100\n",
    )
    .unwrap();
    let audit = dir.path().join("audit_artifacts");
    std::fs::create_dir_all(&audit).unwrap();
    std::fs::write(
        audit.join("deploy_report.json"),
        json!({"generated_by": "scripts/report_v2_deploy.sh", "git_sha": "3f9c2ab41d7e", "workloads": 3}).to_string(),
    )
    .unwrap();
    if healthy {
        std::fs::write(
            audit.join("lkg.json"),
            json!({"git_sha": "3f9c2ab41d7e", "git_tag": "v2.14.0", "deploy_report": "audit_artifacts/deploy_report.json"}).to_string(),
        )
        .unwrap();
    }
    World {
        _api: api,
        dir,
        playbook,
        kubeconfig,
    }
}

impl World {
    async fn liftoff(&self, args: &[&str]) -> (i32, String, String) {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .args(args)
            .current_dir(self.dir.path())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("NO_COLOR", "1")
            .kill_on_drop(true)
            .output()
            .await
            .expect("run liftoff");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn tick_manual_items(&self) {
        let pb = self.playbook.to_str().unwrap();
        // Each item names a role: dana ticks as its ACKed holder.
        for role in ["oncall", "captain"] {
            let (code, out, err) = self
                .liftoff(&["ack", pb, "--role", role, "--as", "dana"])
                .await;
            assert_eq!(code, 0, "ack {role}: {out}{err}");
        }
        for item in ["logs_correlated", "rollback_plan"] {
            let (code, out, err) = self
                .liftoff(&["tick", pb, "--item", item, "--as", "dana"])
                .await;
            assert_eq!(code, 0, "tick {item}: {out}{err}");
        }
    }

    /// `liftoff check --format json`: exit code and each check's (status, evidence).
    async fn check(&self) -> (i32, Value, BTreeMap<String, (String, Value)>) {
        let (code, out, err) = self
            .liftoff(&["check", self.playbook.to_str().unwrap(), "--format", "json"])
            .await;
        let report: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("check printed no JSON ({e}): {out}{err}"));
        let checks = report["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    (
                        c["status"].as_str().unwrap().to_string(),
                        c["evidence"].clone(),
                    ),
                )
            })
            .collect();
        (code, report, checks)
    }
}

fn summary(checks: &BTreeMap<String, (String, Value)>) -> String {
    checks
        .iter()
        .map(|(id, (s, e))| format!("{id}: {s} {} / {}", e["value"], e["reason"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthy_cluster_is_go() {
    let w = world(true).await;
    w.tick_manual_items().await;
    let (code, _report, checks) = w.check().await;
    assert_eq!(checks.len(), 23, "every check of sections A-E");
    let not_pass: Vec<&String> = checks
        .iter()
        .filter(|(_, (s, _))| s != "PASS")
        .map(|(id, _)| id)
        .collect();
    assert!(not_pass.is_empty(), "{}", summary(&checks));
    assert_eq!(code, 0, "GO exits 0\n{}", summary(&checks));
    let (text_code, text, _) = w.liftoff(&["check", w.playbook.to_str().unwrap()]).await;
    assert_eq!(text_code, 0);
    assert!(text.contains("GO"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_manual_ticks_the_healthy_cluster_is_no_go() {
    let w = world(true).await;
    let (code, _report, checks) = w.check().await;
    assert_eq!(code, 1);
    assert_eq!(checks["structured-logs"].0, "FAIL", "{}", summary(&checks));
    assert_eq!(checks["rollback-documented"].0, "FAIL");
    assert_eq!(checks["kill-switch-on"].0, "PASS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_broken_cluster_is_no_go_with_evidence_per_check() {
    let w = world(false).await;
    w.tick_manual_items().await;
    let (code, report, checks) = w.check().await;
    assert_eq!(code, 1, "NO-GO exits 1\n{}", summary(&checks));
    assert_ne!(report["decision"], "GO");
    let expect_fail: &[(&str, &str)] = &[
        ("no-latest-running", "marketdata-mcp-server-5b7c8d9e4-h8j3k"),
        ("no-latest-manifests", "strategy-engine:latest"),
        ("build-fingerprints", "marketdata-mcp-server"),
        ("images-resolved", "marketdata-mcp-server-5b7c8d9e4-h8j3k"),
        (
            "agent-mode-off-workloads",
            "execution-engine, strategy-engine",
        ),
        ("agent-mode-off-pods", "execution-engine-58f6d7c4b9-r4t6y"),
        ("kill-switch-on", "EXECUTION_HALTED=0"),
        (
            "kill-switch-referenced",
            "execution-engine, strategy-engine",
        ),
        ("marketdata-gating-on", "strategy-engine"),
        ("marketdata-fresh", "stale=true fail_closed=false"),
        ("execution-agents-zero", "execution-engine"),
        ("ops-status-marketdata", "503 degraded"),
        ("probes", "strategy-engine-7c5d9f8b6-q7m2n"),
        ("nodes-headroom", "gke-trading-pool-1-a1b2"),
        ("requests-limits", "strategy-engine"),
        (
            "no-backoff",
            "marketdata-mcp-server-5b7c8d9e4-h8j3k, strategy-engine-7c5d9f8b6-q7m2n",
        ),
        ("services-clusterip", "strategy-engine"),
        ("services-resolve", "marketdata-mcp-server, strategy-engine"),
        ("lkg-recorded", "no LKG"),
    ];
    for (id, named) in expect_fail {
        let (status, evidence) = &checks[*id];
        assert_eq!(status, "FAIL", "{id}\n{}", summary(&checks));
        let value = evidence["value"].as_str().unwrap_or("");
        assert!(
            value.contains(named),
            "{id}: evidence {value:?} should name {named:?}"
        );
        assert!(evidence["observed_at"].is_string(), "{id}: {evidence}");
    }
    // What still holds: the strategy endpoint answers, the report exists, people ticked.
    for id in [
        "ops-status-strategy",
        "deploy-report",
        "structured-logs",
        "rollback-documented",
    ] {
        assert_eq!(checks[id].0, "PASS", "{id}\n{}", summary(&checks));
    }
    let (_, text, _) = w.liftoff(&["check", w.playbook.to_str().unwrap()]).await;
    assert!(text.contains("NO-GO"), "{text}");
    assert!(
        text.contains("kubectl -n trading-floor logs --previous POD"),
        "the runbook line of a failing check is printed: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_makes_every_cluster_check_unknown() {
    let w = world(true).await;
    w.tick_manual_items().await;
    let server = format!("https://127.0.0.1:{}", support::net::free_port());
    support::kube_api::write_kubeconfig(w.dir.path(), &server, "", ADMIN);
    let (code, _report, checks) = w.check().await;
    assert_eq!(code, 1);
    for (id, (status, evidence)) in &checks {
        let reason = evidence["reason"].as_str().unwrap_or("");
        if evidence["origin"]
            .as_str()
            .is_some_and(|o| o.starts_with("kubernetes"))
        {
            assert_eq!(status, "UNKNOWN", "{id}: {reason}");
            assert!(reason.contains("cannot connect"), "{id}: {reason}");
        }
    }
    assert_eq!(checks["no-latest-manifests"].0, "PASS");
}
