//! The kubernetes source and action against a local server that speaks the
//! Kubernetes REST API (tests/it/support/kube_api/), through a real kubeconfig
//! file and the same kube-rs code users run.
//!
//! Why not a real API server: none can be installed on these machines (Debian,
//! PyPI and npm carry no kube-apiserver, and there is no container engine for
//! kind/k3d). So the remote side is played by a server that serves real object
//! JSON (tests/fixtures/kube/*.json), and a test shows that the real `kubectl`
//! reads the very same objects from it: the wire format and the kubeconfig
//! are standard.

use crate::support;

use liftoff::engine::Status;
use liftoff::source::{poll, Payload, PollContext, SourceError};
use serde_json::{json, Value};
use std::path::Path;
use support::kube_api::{KubeApi, ADMIN, NAMESPACE, NOBODY};
use support::playbook::{evaluate, load};

/// A playbook with the given sources and checks, every kubernetes source on `kubeconfig`.
fn playbook(kubeconfig: &Path, body: &str) -> String {
    format!(
        "[release]\nname = \"kube test\"\n\n{}",
        body.replace("KUBECONFIG_PATH", &kubeconfig.display().to_string())
    )
}

const PODS_AND_CHECKS: &str = r#"
[source.pods]
kind = "kubernetes"
kubeconfig = "KUBECONFIG_PATH"
resource = "pods"
selector = "app.kubernetes.io/part-of=agent-trader-v2,version=v2"
timeout = "3s"

[[check]]
id = "no-backoff"
source = "pods"
pass = '!items.exists(p, waiting_reasons(p).exists(r, r in ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"]))'
show = 'names(items.filter(p, waiting_reasons(p).exists(r, r in ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"])))'

[[check]]
id = "no-latest"
source = "pods"
pass = 'count > 0 && items.all(p, containers(p).all(c, image_tag(c.image) != "latest"))'
show = 'names(items.filter(p, containers(p).exists(c, image_tag(c.image) == "latest")))'
"#;

fn pod_items(obs: &liftoff::source::Observation) -> Vec<Value> {
    match obs.payload() {
        Some(Payload::Objects { items }) => items.clone(),
        other => panic!("expected objects, got {other:?} / {:?}", obs.outcome),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reads_the_same_objects_as_liftoff() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let out = tokio::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kc)
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        .args(["get", "pods", "-n", NAMESPACE, "-o", "json"])
        .output()
        .await
        .expect("kubectl is on the machine image");
    assert!(
        out.status.success(),
        "kubectl failed: {}\nrequests: {:#?}",
        String::from_utf8_lossy(&out.stderr),
        api.log()
    );
    let by_kubectl: Value = serde_json::from_slice(&out.stdout).expect("kubectl printed JSON");
    let by_kubectl = by_kubectl["items"].as_array().unwrap().clone();

    let pb = load(dir.path(), &playbook(&kc, PODS_AND_CHECKS));
    let ctx = PollContext::new(dir.path());
    let obs = poll(&ctx, "pods", &pb.sources["pods"], &[]).await;
    let by_liftoff = pod_items(&obs);
    assert_eq!(by_liftoff.len(), 2, "the healthy cluster has 2 v2 pods");
    assert_eq!(
        by_liftoff, by_kubectl,
        "liftoff and kubectl see the same objects, field for field"
    );
    assert_eq!(by_liftoff[0]["kind"], "Pod");
}

#[tokio::test]
async fn a_crash_looping_pod_fails_the_check_naming_it() {
    let api = KubeApi::start("healthy").await;
    let mut pod = api
        .get("pods", NAMESPACE, "strategy-engine-7c5d9f8b6-q7m2n")
        .unwrap();
    pod["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}});
    pod["status"]["containerStatuses"][0]["restartCount"] = json!(14);
    api.put(pod);
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let ev = evaluate(&load(dir.path(), &playbook(&kc, PODS_AND_CHECKS))).await;
    assert_eq!(ev.status("no-backoff"), Status::Fail, "{}", ev.summary());
    assert_eq!(
        ev.verdict("no-backoff").evidence.value.as_deref(),
        Some("strategy-engine-7c5d9f8b6-q7m2n")
    );
    assert_eq!(ev.status("no-latest"), Status::Pass, "{}", ev.summary());
}

#[tokio::test]
async fn a_latest_image_fails_the_check_naming_the_pod() {
    let api = KubeApi::start("healthy").await;
    let mut pod = api
        .get("pods", NAMESPACE, "marketdata-mcp-server-6d8f7c9b5-x2k4p")
        .unwrap();
    pod["spec"]["containers"][0]["image"] =
        json!("us-docker.pkg.dev/agenttrader-prod/v2/marketdata-mcp-server:latest");
    api.put(pod);
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let ev = evaluate(&load(dir.path(), &playbook(&kc, PODS_AND_CHECKS))).await;
    assert_eq!(ev.status("no-latest"), Status::Fail, "{}", ev.summary());
    assert_eq!(
        ev.verdict("no-latest").evidence.value.as_deref(),
        Some("marketdata-mcp-server-6d8f7c9b5-x2k4p")
    );
}

#[tokio::test]
async fn api_server_down_is_unknown_naming_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = format!("https://127.0.0.1:{}", support::net::free_port());
    let kc = support::kube_api::write_kubeconfig(dir.path(), &server, "", ADMIN);
    let ev = evaluate(&load(dir.path(), &playbook(&kc, PODS_AND_CHECKS))).await;
    assert_eq!(ev.status("no-backoff"), Status::Unknown, "{}", ev.summary());
    let reason = ev.reason("no-backoff");
    assert!(
        reason.contains("cannot connect") && reason.contains(&server),
        "{reason}"
    );
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_unknown_with_the_api_status() {
    let api = KubeApi::start("healthy").await;
    for (token, code, words) in [
        ("not-a-known-token", 401, "Unauthorized"),
        (
            NOBODY,
            403,
            "pods is forbidden: User \"system:serviceaccount:ci:nobody\" cannot list resource \"pods\"",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let kc = api.kubeconfig(dir.path(), token);
        let ev = evaluate(&load(dir.path(), &playbook(&kc, PODS_AND_CHECKS))).await;
        assert_eq!(ev.status("no-backoff"), Status::Unknown, "{}", ev.summary());
        let reason = ev.reason("no-backoff");
        assert!(
            reason.contains(&format!("HTTP {code}")) && reason.contains(words),
            "{reason}"
        );
        assert!(!reason.contains(token), "the token leaked: {reason}");
    }
}

#[tokio::test]
async fn lists_come_in_pages_and_selectors_reach_the_server() {
    let api = KubeApi::start("healthy").await;
    // 600 extra pods: more than one page of 500.
    let template = api
        .get("pods", NAMESPACE, "strategy-engine-7c5d9f8b6-q7m2n")
        .unwrap();
    for i in 0..600 {
        let mut p = template.clone();
        p["metadata"]["name"] = json!(format!("load-{i:04}"));
        p["metadata"]["labels"] = json!({"app": "load"});
        api.put(p);
    }
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = playbook(
        &kc,
        r#"
[source.all]
kind = "kubernetes"
kubeconfig = "KUBECONFIG_PATH"
resource = "pods"
[source.running_strategy]
kind = "kubernetes"
kubeconfig = "KUBECONFIG_PATH"
resource = "pods"
selector = "app in (strategy-engine, nothing)"
field_selector = "status.phase=Running"
[[check]]
id = "all"
source = "all"
pass = "count == 602"
[[check]]
id = "running-strategy"
source = "running_strategy"
pass = 'count == 1 && items[0].metadata.name == "strategy-engine-7c5d9f8b6-q7m2n"'
"#,
    );
    let ev = evaluate(&load(dir.path(), &text)).await;
    assert_eq!(ev.status("all"), Status::Pass, "{}", ev.summary());
    assert_eq!(
        ev.status("running-strategy"),
        Status::Pass,
        "{}",
        ev.summary()
    );
    let continued = api.log().iter().filter(|l| l.contains("continue=")).count();
    assert!(
        continued >= 1,
        "a second page was asked for: {:?}",
        api.log()
    );
}

#[tokio::test]
async fn secrets_are_read_by_name_only_and_never_shown() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = playbook(
        &kc,
        r#"
[source.broker]
kind = "kubernetes"
kubeconfig = "KUBECONFIG_PATH"
resource = "secrets"
name = "agenttrader-broker-credentials"
[[check]]
id = "broker-key-present"
source = "broker"
pass = 'count == 1 && "BROKER_API_KEY" in items[0].data'
"#,
    );
    let pb = load(dir.path(), &text);
    let ev = evaluate(&pb).await;
    assert_eq!(
        ev.status("broker-key-present"),
        Status::Pass,
        "{}",
        ev.summary()
    );
    let seen = serde_json::to_string(&ev.observations["broker"]).unwrap();
    assert!(seen.contains("<redacted>"), "{seen}");
    assert!(
        !seen.contains("c2stbGl2ZS1kby1ub3Qtc2hvdw=="),
        "secret data leaked: {seen}"
    );

    // Without a name, a secrets source is refused before anything runs.
    let err = liftoff::playbook::load_str(
        &dir.path().join("liftoff.toml"),
        &text.replace("name = \"agenttrader-broker-credentials\"\n", ""),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("name"), "{err}");
}

#[tokio::test]
async fn a_named_object_that_is_missing_is_count_zero_not_an_outage() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = playbook(
        &kc,
        r#"
[source.cm]
kind = "kubernetes"
kubeconfig = "KUBECONFIG_PATH"
resource = "configmaps"
name = "no-such-configmap"
[[check]]
id = "present"
source = "cm"
pass = "count == 1"
"#,
    );
    let ev = evaluate(&load(dir.path(), &text)).await;
    assert_eq!(ev.status("present"), Status::Fail, "{}", ev.summary());
}

#[tokio::test]
async fn the_context_namespace_is_used_when_the_playbook_names_none() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let pb = load(dir.path(), &playbook(&kc, PODS_AND_CHECKS));
    let ctx = PollContext::new(dir.path());
    let obs = poll(&ctx, "pods", &pb.sources["pods"], &[]).await;
    assert_eq!(pod_items(&obs).len(), 2);
    assert!(
        api.log()
            .iter()
            .any(|l| l.contains("/api/v1/namespaces/trading-floor/pods")),
        "{:?}",
        api.log()
    );
    // A second poll reuses the cached client (same context).
    let again = poll(&ctx, "pods", &pb.sources["pods"], &[]).await;
    assert!(again.outcome.is_ok());
}

#[tokio::test]
async fn a_bad_kubeconfig_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, "this: [is not a kubeconfig").unwrap();
    let pb = load(dir.path(), &playbook(&kc, PODS_AND_CHECKS));
    let ctx = PollContext::new(dir.path());
    let obs = poll(&ctx, "pods", &pb.sources["pods"], &[]).await;
    assert!(
        matches!(&obs.outcome, Err(SourceError::Config(m)) if m.contains("kubeconfig")),
        "{:?}",
        obs.outcome
    );
}
