//! Any Kubernetes resource, found by discovery: Argo Rollouts' Rollout and
//! Flagger's Canary (from the upstream examples, tests/fixtures/kube/rollouts.json)
//! served by the local API server of tests/it/support/kube_api/ with the
//! discovery documents a cluster with their CRDs serves. kube-rs finds them
//! through discovery, kubectl reads the same objects, the two shipped
//! playbooks run against them, and the Rollout's abort is the kill switch,
//! proven by reading its status back.

use crate::support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::kube_api::{KubeApi, ADMIN};

const NS: &str = "default";

fn asset(name: &str, dir: &Path) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/playbooks/{name}"));
    let to = dir.join(name);
    std::fs::copy(from, &to).expect("copy playbook");
    to
}

async fn liftoff(args: &[&str], kubeconfig: &Path) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .expect("run liftoff");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn criterion<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no criterion {id}: {report:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_and_liftoff_read_the_same_rollout_through_discovery() {
    let api = KubeApi::start("rollouts").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let out = tokio::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kc)
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        .args(["get", "rollouts.argoproj.io", "-n", NS, "-o", "json"])
        .output()
        .await
        .expect("kubectl is on the machine image");
    assert!(
        out.status.success(),
        "kubectl: {}\n{:#?}",
        String::from_utf8_lossy(&out.stderr),
        api.log()
    );
    let by_kubectl: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = format!(
        r#"[release]
name = "discovery"

[source.by_group]
kind = "kubernetes"
kubeconfig = "{kc}"
namespace = "{NS}"
resource = "rollouts.argoproj.io"

[source.by_kind]
kind = "kubernetes"
kubeconfig = "{kc}"
namespace = "{NS}"
api_version = "argoproj.io/v1alpha1"
resource = "Rollout"

[[check]]
id = "step"
source = "by_group"
pass = "count == 1 && items[0].status.currentStepIndex == 1 && items[0].status.canary.weights.canary.weight == 20"

[[check]]
id = "same"
source = "by_kind"
pass = 'count == 1 && items[0].kind == "Rollout" && items[0].apiVersion == "argoproj.io/v1alpha1"'
"#,
        kc = kc.display()
    );
    let pb = support::playbook::load(dir.path(), &text);
    let ev = support::playbook::evaluate(&pb).await;
    assert_eq!(
        ev.status("step"),
        liftoff::engine::Status::Pass,
        "{}",
        ev.summary()
    );
    assert_eq!(
        ev.status("same"),
        liftoff::engine::Status::Pass,
        "{}",
        ev.summary()
    );
    let Some(liftoff::source::Payload::Objects { items }) = ev.observations["by_group"].payload()
    else {
        panic!("no objects");
    };
    assert_eq!(items, by_kubectl["items"].as_array().unwrap());
    assert!(
        api.log()
            .iter()
            .any(|l| l.contains("GET /apis/argoproj.io/v1alpha1") && !l.contains("namespaces")),
        "discovery asked the group: {:#?}",
        api.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_argo_rollouts_playbook_shows_step_weight_and_pause() {
    let api = KubeApi::start("rollouts").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let pb = asset("argo-rollouts.toml", dir.path());
    let (_, out) = liftoff(&["check", pb.to_str().unwrap(), "--format", "json"], &kc).await;
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    for id in [
        "rollout-present",
        "rollout-healthy",
        "rollout-not-aborted",
        "rollout-step",
        "rollout-weight",
        "rollout-pause",
    ] {
        assert_eq!(criterion(&report, id)["status"], "PASS", "{id}: {report:#}");
    }
    assert_eq!(
        criterion(&report, "rollout-step")["evidence"]["value"],
        "2 of 8"
    );
    assert_eq!(
        criterion(&report, "rollout-weight")["evidence"]["value"],
        "20"
    );
    assert_eq!(
        criterion(&report, "rollout-pause")["evidence"]["value"],
        "until promoted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborting_the_rollout_is_the_kill_switch_and_its_status_proves_it() {
    let api = KubeApi::start("rollouts").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let pb = asset("argo-rollouts.toml", dir.path());
    let before = api.get("rollouts", NS, "rollouts-demo").unwrap();
    assert!(before["status"].get("abort").is_none());
    let (code, out) = liftoff(
        &[
            "kill",
            pb.to_str().unwrap(),
            "--as",
            "ci-bot",
            "--reason",
            "test",
        ],
        &kc,
    )
    .await;
    assert_eq!(code, 0, "{out}\n{:#?}", api.log());
    assert!(out.contains("HALTED: verified"), "{out}");
    assert!(
        out.contains("patched the status of rollouts.argoproj.io/rollouts-demo in default"),
        "{out}"
    );
    let after = api.get("rollouts", NS, "rollouts-demo").unwrap();
    assert_eq!(after["status"]["abort"], true);
    assert_eq!(after["spec"], before["spec"], "only the status changed");
    assert!(
        api.log().iter().any(|l| l.starts_with(
            "PATCH /apis/argoproj.io/v1alpha1/namespaces/default/rollouts/rollouts-demo/status"
        )),
        "{:#?}",
        api.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flagger_playbook_reads_the_canary_by_api_version_and_kind() {
    let api = KubeApi::start("rollouts").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let pb = asset("flagger.toml", dir.path());
    let (_, out) = liftoff(&["check", pb.to_str().unwrap(), "--format", "json"], &kc).await;
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    for id in [
        "canary-present",
        "canary-phase",
        "canary-weight",
        "canary-step",
        "canary-failed-checks",
        "canary-next-step",
    ] {
        assert_eq!(criterion(&report, id)["status"], "PASS", "{id}: {report:#}");
    }
    assert_eq!(
        criterion(&report, "canary-weight")["evidence"]["value"],
        "10"
    );
    assert_eq!(
        criterion(&report, "canary-step")["evidence"]["value"],
        "2 of 10"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_patches_and_unknown_resources() {
    let api = KubeApi::start("rollouts").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    // `kubectl argo rollouts pause` as a JSON patch; the readback reads it.
    let text = format!(
        r#"[release]
name = "json patch"

[source.rollout]
kind = "kubernetes"
kubeconfig = "{kc}"
namespace = "{NS}"
resource = "rollouts.argoproj.io"
name = "rollouts-demo"

[kill_switch]
actions = [{{ kind = "kubernetes", kubeconfig = "{kc}", namespace = "{NS}", resource = "rollouts.argoproj.io", name = "rollouts-demo", json_patch = [{{ op = "add", path = "/spec/paused", value = true }}] }}]
verify = {{ source = "rollout", pass = "items[0].spec.paused == true", timeout = "5s" }}
"#,
        kc = kc.display()
    );
    let pb = support::playbook::write(dir.path(), &text);
    let (code, out) = liftoff(
        &["kill", pb.to_str().unwrap(), "--as", "ci", "--reason", "t"],
        &kc,
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        api.get("rollouts", NS, "rollouts-demo").unwrap()["spec"]["paused"],
        true
    );

    // A group the cluster does not serve: UNKNOWN, saying so.
    let text = format!(
        r#"[release]
name = "missing"

[source.x]
kind = "kubernetes"
kubeconfig = "{kc}"
resource = "widgets.example.com"

[[check]]
id = "x"
source = "x"
pass = "count == 0"
"#,
        kc = kc.display()
    );
    let ev = support::playbook::evaluate(&support::playbook::load(dir.path(), &text)).await;
    assert_eq!(ev.status("x"), liftoff::engine::Status::Unknown);
    assert!(
        ev.reason("x").contains("widgets.example.com"),
        "{}",
        ev.reason("x")
    );
}
