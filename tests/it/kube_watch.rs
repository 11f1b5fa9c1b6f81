//! `KubeWatch`: the cockpit's live view of a kubernetes source (kube-runtime
//! watcher + reflector store) against the local Kubernetes API server of
//! tests/it/support/kube_api/ (no real API server can be installed on these
//! machines: see tests/kubernetes.rs). One LIST, then changes over WATCH; a
//! watch the server drops is resumed and sees later changes; an error makes
//! the snapshot an error (UNKNOWN), never stale data shown as fresh.

use crate::support;

use liftoff::source::kubernetes::KubeWatch;
use liftoff::source::{Payload, PollContext, SourceError};
use serde_json::json;
use std::time::Duration;
use support::kube_api::{KubeApi, ADMIN, NAMESPACE, NOBODY};
use support::net::wait_for;

fn spec(kubeconfig: &std::path::Path) -> liftoff::playbook::KubeSource {
    liftoff::playbook::KubeSource {
        target: liftoff::playbook::KubeTarget {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            resource: "pods".into(),
            ..Default::default()
        },
        selector: Some("app.kubernetes.io/part-of=agent-trader-v2".into()),
        field_selector: None,
    }
}

/// The names of the pods in the snapshot, or why there is none.
fn names(w: &KubeWatch) -> Result<Vec<String>, String> {
    match w.snapshot().outcome {
        Ok(Payload::Objects { items }) => Ok(items
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap_or("?").to_string())
            .collect()),
        Ok(other) => Err(format!("{other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

fn waiting_reason(w: &KubeWatch, pod: &str) -> Option<String> {
    match w.snapshot().outcome {
        Ok(Payload::Objects { items }) => items
            .iter()
            .find(|i| i["metadata"]["name"] == pod)
            .and_then(|p| {
                p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].as_str()
            })
            .map(str::to_string),
        _ => None,
    }
}

/// Puts the pod in `waiting` for `reason` on the API server and awaits the
/// watch's snapshot showing it (`what` names the wait if it times out).
async fn set_waiting_and_see(api: &KubeApi, w: &KubeWatch, reason: &str, what: &str) {
    let mut pod = api.get("pods", NAMESPACE, POD).unwrap();
    pod["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": reason}});
    api.put(pod);
    wait_for(Duration::from_secs(10), what, || async {
        match waiting_reason(w, POD) {
            Some(r) if r == reason => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

const POD: &str = "strategy-engine-7c5d9f8b6-q7m2n";

#[tokio::test]
async fn a_watch_lists_once_then_follows_changes_and_survives_a_dropped_stream() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let ctx = PollContext::new(dir.path());
    let w = KubeWatch::start(&ctx, "pods", &Default::default(), &spec(&kc))
        .await
        .unwrap();
    let listed = wait_for(Duration::from_secs(10), "the first list", || async {
        names(&w)
    })
    .await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let mut changes = w.changes();

    // A change arrives over the open watch, without a relist.
    let lists_before = api
        .log()
        .iter()
        .filter(|l| l.contains("/pods?") && !l.contains("watch="))
        .count();
    set_waiting_and_see(
        &api,
        &w,
        "CrashLoopBackOff",
        "the crash loop over the watch",
    )
    .await;
    assert!(changes.has_changed().unwrap(), "a change is signalled");
    changes.mark_unchanged();

    // The server drops every watch; the watcher resumes and sees the next change.
    let watches = api.watch_requests();
    api.drop_watches();
    wait_for(Duration::from_secs(10), "a new watch request", || async {
        if api.watch_requests() > watches {
            Ok(())
        } else {
            Err(format!("{} watch requests", api.watch_requests()))
        }
    })
    .await;
    set_waiting_and_see(
        &api,
        &w,
        "ImagePullBackOff",
        "the change after the reconnect",
    )
    .await;
    let lists_after = api
        .log()
        .iter()
        .filter(|l| l.contains("/pods?") && !l.contains("watch="))
        .count();
    assert_eq!(
        lists_before,
        lists_after,
        "resumed from the resourceVersion, not relisted: {:#?}",
        api.log()
    );
    assert_eq!(w.restarts(), 0, "a dropped stream is not an error");
    // The resumed watch asked from where it left off.
    let resumed = api
        .log()
        .into_iter()
        .rfind(|l| l.contains("watch=true"))
        .unwrap();
    assert!(resumed.contains("resourceVersion="), "{resumed}");
}

#[tokio::test]
async fn a_watch_broken_by_server_errors_is_unknown_until_a_fresh_list() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let ctx = PollContext::new(dir.path());
    let w = KubeWatch::start(&ctx, "pods", &Default::default(), &spec(&kc))
        .await
        .unwrap();
    wait_for(Duration::from_secs(10), "the first list", || async {
        names(&w)
    })
    .await;

    api.set_failing(true);
    api.drop_watches();
    let err = wait_for(
        Duration::from_secs(10),
        "the watch to report the outage",
        || async {
            match w.snapshot().outcome {
                Err(SourceError::Status {
                    status: 500,
                    detail,
                }) => Ok(detail),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    assert!(err.contains("etcdserver"), "{err}");
    assert!(w.restarts() >= 1);

    // Meanwhile a pod went away; once the server answers, a fresh list shows it.
    let mut gone = api.get("pods", NAMESPACE, POD).unwrap();
    gone["metadata"]["labels"] = json!({"app": "moved"});
    api.put(gone);
    api.set_failing(false);
    let after = wait_for(
        Duration::from_secs(20),
        "a healthy snapshot again",
        || async { names(&w) },
    )
    .await;
    assert_eq!(
        after,
        vec!["marketdata-mcp-server-6d8f7c9b5-x2k4p".to_string()]
    );
}

#[tokio::test]
async fn a_forbidden_watch_is_an_error_with_the_api_status() {
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), NOBODY);
    let ctx = PollContext::new(dir.path());
    let w = KubeWatch::start(&ctx, "pods", &Default::default(), &spec(&kc))
        .await
        .unwrap();
    let err = wait_for(
        Duration::from_secs(10),
        "the 403 in the snapshot",
        || async {
            match w.snapshot().outcome {
                Err(SourceError::Status {
                    status: 403,
                    detail,
                }) => Ok(detail),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    assert!(
        err.contains("watch broken since") && err.contains("forbidden"),
        "{err}"
    );
}

#[tokio::test]
async fn before_the_first_list_the_snapshot_is_an_error_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let server = format!("https://127.0.0.1:{}", support::net::free_port());
    let kc = support::kube_api::write_kubeconfig(dir.path(), &server, "", ADMIN);
    let ctx = PollContext::new(dir.path());
    let w = KubeWatch::start(&ctx, "pods", &Default::default(), &spec(&kc))
        .await
        .unwrap();
    // Never listed: an error from the first moment (no empty list that would pass `count == 0`).
    assert!(w.snapshot().outcome.is_err());
    let err = wait_for(Duration::from_secs(10), "the connection error", || async {
        match w.snapshot().outcome {
            Err(SourceError::Connect(d)) => Ok(d),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert!(err.contains(&server), "{err}");
}

/// The cockpit's poller keeps a watch for a kubernetes source: a change in the
/// cluster reaches it as an observation long before the (1 h) interval, and
/// the collection is listed once, not once per observation.
#[tokio::test]
async fn the_cockpit_poller_sends_cluster_changes_as_they_happen() {
    use liftoff::poller::{self, PollEvent};
    let api = KubeApi::start("healthy").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = api.kubeconfig(dir.path(), ADMIN);
    let text = format!(
        "[release]\nname = \"watch\"\n\n[source.pods]\nkind = \"kubernetes\"\nkubeconfig = \"{}\"\nresource = \"pods\"\ninterval = \"1h\"\n\n[[check]]\nid = \"c\"\nsource = \"pods\"\npass = \"count > 0\"\n",
        kc.display()
    );
    let pb = std::sync::Arc::new(support::playbook::load(dir.path(), &text));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<PollEvent>(64);
    let cancel = tokio_util::sync::CancellationToken::new();
    let pollers = poller::spawn(pb, tx, cancel.clone());

    // Observations until one shows the crash loop (the first ones: before and after the list).
    let mut changed = false;
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        let PollEvent::Finished(obs) = event else {
            continue;
        };
        let reason = match &obs.outcome {
            Ok(Payload::Objects { items }) => items
                .iter()
                .find(|i| i["metadata"]["name"] == POD)
                .and_then(|p| {
                    p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].as_str()
                })
                .map(str::to_string),
            _ => None,
        };
        seen.push(format!("{:?}", reason));
        if obs.outcome.is_ok() && !changed {
            // Listed: now break the pod.
            let mut pod = api.get("pods", NAMESPACE, POD).unwrap();
            pod["status"]["containerStatuses"][0]["state"] =
                json!({"waiting": {"reason": "CrashLoopBackOff"}});
            api.put(pod);
            changed = true;
        } else if reason.as_deref() == Some("CrashLoopBackOff") {
            pollers.shutdown().await;
            let lists = api
                .log()
                .iter()
                .filter(|l| l.contains("/pods?") && !l.contains("watch="))
                .count();
            assert_eq!(lists, 1, "one list, then the watch: {:#?}", api.log());
            return;
        }
    }
    panic!(
        "the change never arrived; observations: {seen:?}\nrequests: {:#?}",
        api.log()
    );
}
