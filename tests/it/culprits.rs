//! A list condition that fails names the elements that made it fail: a
//! crash-looping pod from the local Kubernetes API server, a series by its
//! labels from a real exporter, a bad file by its name from real files; and
//! the real `liftoff check` shows them in text, JSON and markdown.

use crate::support;

use liftoff::engine::Status;
use serde_json::json;
use std::path::Path;
use support::exporter::Exporter;
use support::kube_api::{KubeApi, ADMIN, NAMESPACE};
use support::playbook::{evaluate, load, write};

/// The check a new user writes: every container of every pod is not crash-looping.
const NATURAL_POD_CHECK: &str = r#"
[source.pods]
kind = "kubernetes"
kubeconfig = "KUBECONFIG_PATH"
resource = "pods"
timeout = "3s"

[[check]]
id = "no-crashloop"
source = "pods"
pass = 'count > 0 && items.all(p, p.status.containerStatuses.all(c, !has(c.state.waiting) || c.state.waiting.reason != "CrashLoopBackOff"))'
"#;

fn playbook(kubeconfig: &Path, body: &str) -> String {
    format!(
        "[release]\nname = \"culprits\"\n\n{}",
        body.replace("KUBECONFIG_PATH", &kubeconfig.display().to_string())
    )
}

#[tokio::test]
async fn a_crash_looping_pod_is_named_in_the_evidence() {
    let api = KubeApi::start("healthy").await;
    let mut pod = api
        .get("pods", NAMESPACE, "strategy-engine-7c5d9f8b6-q7m2n")
        .unwrap();
    pod["status"]["containerStatuses"][0]["state"] =
        json!({"waiting": {"reason": "CrashLoopBackOff"}});
    api.put(pod);
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = playbook(&kc, NATURAL_POD_CHECK);
    let ev = evaluate(&load(dir.path(), &text)).await;
    let v = ev.verdict("no-crashloop");
    assert_eq!(v.status, Status::Fail, "{}", ev.summary());
    assert_eq!(v.evidence.culprits.len(), 1, "{:?}", v.evidence.culprits);
    let c = &v.evidence.culprits[0];
    assert_eq!(c.over, "items");
    assert_eq!(
        c.element.as_deref(),
        Some("trading-floor/strategy-engine-7c5d9f8b6-q7m2n")
    );
    let detail = c.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains(r#"c.state.waiting.reason = "CrashLoopBackOff""#),
        "{detail}"
    );

    // Every report format of the real binary names it.
    let path = write(dir.path(), &text);
    for format in ["text", "json", "md"] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .arg("check")
            .arg(&path)
            .args(["--format", format])
            .env("NO_COLOR", "1")
            .kill_on_drop(true)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("trading-floor/strategy-engine-7c5d9f8b6-q7m2n"),
            "{format}: {stdout}"
        );
        if format == "json" {
            let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let culprits = &report["criteria"][0]["evidence"]["culprits"];
            assert_eq!(
                culprits[0]["element"],
                "trading-floor/strategy-engine-7c5d9f8b6-q7m2n"
            );
        }
    }

    // A healthy cluster: PASS, no culprits.
    let api = KubeApi::start("healthy").await;
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let ev = evaluate(&load(dir.path(), &playbook(&kc, NATURAL_POD_CHECK))).await;
    let v = ev.verdict("no-crashloop");
    assert_eq!(v.status, Status::Pass, "{}", ev.summary());
    assert!(v.evidence.culprits.is_empty());
}

#[tokio::test]
async fn a_failing_series_is_named_by_its_labels() {
    let exporter = Exporter::start(&[
        ("http_error_ratio{route=\"/orders\"}", 0.01),
        ("http_error_ratio{route=\"/quotes\"}", 0.2),
        ("http_error_ratio{route=\"/fills\"}", 0.02),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"[release]
name = "culprits"

[source.app]
kind = "scrape"
url = "{}"

[[check]]
id = "errors"
source = "app"
query = "http_error_ratio"
pass = "series.all(s, s.value < 0.05)"
"#,
        exporter.url()
    );
    let ev = evaluate(&load(dir.path(), &text)).await;
    let v = ev.verdict("errors");
    assert_eq!(v.status, Status::Fail, "{}", ev.summary());
    let named: Vec<String> = v.evidence.culprits.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        named,
        [r#"series: http_error_ratio{route="/quotes"} (s.value = 0.2)"#]
    );
}

#[tokio::test]
async fn a_bad_file_is_named_and_exists_says_none_matched() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("runs");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("run-1.json"), r#"{"status": "PASS"}"#).unwrap();
    std::fs::write(folder.join("run-2.json"), r#"{"status": "FAIL"}"#).unwrap();
    let text = r#"[release]
name = "culprits"

[source.runs]
kind = "artifacts"
dir = "runs"
glob = "*.json"

[[check]]
id = "all-pass"
source = "runs"
pass = 'files.all(f, f.json.status == "PASS")'

[[check]]
id = "a-skip"
source = "runs"
pass = 'files.exists(f, f.json.status == "SKIP")'
"#;
    let ev = evaluate(&load(dir.path(), text)).await;
    let v = ev.verdict("all-pass");
    assert_eq!(v.status, Status::Fail, "{}", ev.summary());
    let named: Vec<String> = v.evidence.culprits.iter().map(|c| c.to_string()).collect();
    assert_eq!(named, [r#"files: run-2.json (f.json.status = "FAIL")"#]);
    let v = ev.verdict("a-skip");
    let named: Vec<String> = v.evidence.culprits.iter().map(|c| c.to_string()).collect();
    assert_eq!(named, ["files: none of 2 matched"]);
}
