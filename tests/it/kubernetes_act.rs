//! The kubernetes action: the seed-001 kill switch (`liftoff kill` on
//! assets/playbooks/agenttrader-v2.toml) merge-patches the ConfigMap and proves
//! it by reading it back through the API; a rollback target scales a
//! Deployment through its `scale` subresource. Against the local Kubernetes
//! API server of tests/it/support/kube_api/ (no real API server can be
//! installed on these machines: see tests/kubernetes.rs), through a real
//! kubeconfig named by KUBECONFIG, as users have it.

use crate::support;

use liftoff::act::{kill, rollback, ActContext};
use liftoff::journal::{self, Actor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::kube_api::{KubeApi, ADMIN, NAMESPACE, READONLY};

const ASSET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/playbooks/agenttrader-v2.toml"
);

/// A copy of the seed-001 playbook in a temp folder.
fn copy_playbook(dir: &Path) -> PathBuf {
    let path = dir.join("agenttrader-v2.toml");
    std::fs::copy(ASSET, &path).expect("copy playbook");
    path
}

fn halted(api: &KubeApi) -> String {
    api.get("configmaps", NAMESPACE, "agenttrader-kill-switch")
        .expect("the kill-switch ConfigMap")["data"]["EXECUTION_HALTED"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

async fn liftoff_kill(playbook: &Path, kubeconfig: &Path) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("kill")
        .arg(playbook)
        .args(["--as", "ci-bot", "--reason", "test"])
        .env("KUBECONFIG", kubeconfig)
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .expect("run liftoff kill");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn liftoff_kill_patches_the_configmap_and_reads_it_back() {
    // The broken cluster has the kill switch OFF (EXECUTION_HALTED=0).
    let api = KubeApi::start("broken").await;
    assert_eq!(halted(&api), "0");
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let pb = copy_playbook(dir.path());
    let (code, out) = liftoff_kill(&pb, &kc).await;
    assert_eq!(code, 0, "{out}\nrequests: {:#?}", api.log());
    assert_eq!(halted(&api), "1", "{out}");
    assert!(out.contains("HALTED: verified"), "{out}");
    assert!(
        out.contains("patched configmaps/agenttrader-kill-switch in trading-floor"),
        "{out}"
    );
    assert!(
        out.contains("value") || out.contains("readback passed"),
        "{out}"
    );
    assert_eq!(api.patches(), 1);
    // The readback went through the API, after the patch.
    let log = api.log();
    let patch_at = log.iter().position(|l| l.starts_with("PATCH")).unwrap();
    assert!(
        log[patch_at..].iter().any(|l| l.starts_with("GET")
            && l.contains("/api/v1/namespaces/trading-floor/configmaps/agenttrader-kill-switch")),
        "{log:#?}"
    );
}

#[tokio::test]
async fn a_refused_patch_is_not_halted_and_says_why() {
    let api = KubeApi::start("broken").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), READONLY);
    let pb = copy_playbook(dir.path());
    let (code, out) = liftoff_kill(&pb, &kc).await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(halted(&api), "0");
    assert!(out.contains("FAILED"), "{out}");
    assert!(
        out.contains("HTTP 403") && out.contains("cannot patch resource \"configmaps\""),
        "{out}"
    );
    assert!(!out.contains(READONLY), "the token leaked: {out}");
}

#[tokio::test]
async fn the_kill_switch_with_the_api_server_down_is_failed_not_halted() {
    let dir = tempfile::tempdir().unwrap();
    let server = format!("https://127.0.0.1:{}", support::net::free_port());
    let kc = support::kube_api::write_kubeconfig(dir.path(), &server, "", ADMIN);
    let pb = copy_playbook(dir.path());
    let (code, out) = liftoff_kill(&pb, &kc).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("cannot connect") && out.contains(&server),
        "{out}"
    );
}

#[tokio::test]
async fn a_rollback_target_scales_the_deployment_and_reads_it_back() {
    // The broken cluster runs the execution agent at 2 replicas.
    let api = KubeApi::start("broken").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = std::fs::read_to_string(ASSET)
        .unwrap()
        // Pin the cluster in the playbook itself (relative to its folder) instead of KUBECONFIG.
        .replace(
            "namespace = \"trading-floor\"\nresource = \"deployments\"",
            "namespace = \"trading-floor\"\nkubeconfig = \"kubeconfig\"\nresource = \"deployments\"",
        )
        .replace(
            "name = \"execution-engine\", replicas = 0",
            "name = \"execution-engine\", replicas = 0, kubeconfig = \"kubeconfig\"",
        );
    assert!(kc.ends_with("kubeconfig"));
    let path = dir.path().join("agenttrader-v2.toml");
    std::fs::write(&path, text).unwrap();
    let pb = liftoff::playbook::load(&path).expect("playbook loads");
    let journal = journal::open(&pb).unwrap();
    let ctx = ActContext::new(Arc::new(pb), journal, Actor::here(Some("ci-bot")));
    let outcome = rollback::fire(ctx, "execution-to-zero", None).await;
    assert!(outcome.halted(), "{outcome:#?}\n{:#?}", api.log());
    let d = api
        .get("deployments", NAMESPACE, "execution-engine")
        .unwrap();
    assert_eq!(d["spec"]["replicas"], 0);
    assert!(
        api.log().iter().any(|l| l.starts_with(
            "PATCH /apis/apps/v1/namespaces/trading-floor/deployments/execution-engine/scale"
        )),
        "{:#?}",
        api.log()
    );
    let what = &outcome.fired.actions[0].outcome;
    assert!(
        matches!(what, Ok(s) if s.contains("scaled deployments/execution-engine in trading-floor to 0 replicas")),
        "{what:?}"
    );
}

#[tokio::test]
async fn in_process_kill_fire_is_verified_through_the_api() {
    let api = KubeApi::start("broken").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = std::fs::read_to_string(ASSET).unwrap().replace(
        "name = \"agenttrader-kill-switch\"\ninterval",
        "name = \"agenttrader-kill-switch\"\nkubeconfig = \"kubeconfig\"\ninterval",
    );
    let text = text.replace(
        "name = \"agenttrader-kill-switch\", patch",
        "name = \"agenttrader-kill-switch\", kubeconfig = \"kubeconfig\", patch",
    );
    assert!(kc.starts_with(dir.path()));
    let path = dir.path().join("agenttrader-v2.toml");
    std::fs::write(&path, text).unwrap();
    let pb = liftoff::playbook::load(&path).expect("playbook loads");
    let journal = journal::open(&pb).unwrap();
    let ctx = ActContext::new(Arc::new(pb), journal, Actor::here(Some("ci-bot")));
    let outcome = kill::fire(ctx, Some("in-process".into())).await;
    assert!(outcome.halted(), "{outcome:#?}");
    assert_eq!(halted(&api), "1");
}
