//! `kind = "kubernetes"` actions: a JSON merge patch of a named object (the
//! kill switch's `EXECUTION_HALTED=1`, any resource's `patch` table), a JSON
//! patch (`json_patch`), either on the object or on its `status` subresource
//! (`subresource = "status"`, as `kubectl argo rollouts abort` sets
//! `status.abort`), and a scale through the `scale` subresource (`replicas`,
//! like `kubectl scale`). Any resource the cluster serves, found by discovery.
//! The same kube client code, kubeconfig lookup and error evidence as the
//! kubernetes source; the proof that it took is the action's readback.

use super::fill::{json_patch, merge_patch, Fill};
use crate::playbook::KubeAction;
use crate::source::kubernetes::{discover, from_kube, Connection, Target};
use crate::source::{PollContext, SourceError};
use kube::api::{Patch, PatchParams};
use serde_json::{json, Value};

pub(super) fn describe(a: &KubeAction) -> String {
    format!(
        "kubernetes {} {}/{} in {}",
        if a.replicas.is_some() {
            "scale"
        } else {
            "patch"
        },
        a.target.resource,
        a.target.name.as_deref().unwrap_or("?"),
        a.target.namespace.as_deref().unwrap_or("default")
    )
}

/// Patches, then scales (when both are given). Ok: what the API answered.
pub(super) async fn run(a: &KubeAction, fill: &Fill, poll: &PollContext) -> Result<String, String> {
    let object = &a.target;
    let resource = object.resource.as_str();
    let name = object
        .name
        .as_deref()
        .ok_or("a kubernetes action needs `name`")?;
    // A malformed name is refused before connecting.
    discover::name(resource, object.api_version.as_deref()).map_err(|e| e.to_string())?;
    let target = Target::new(
        &poll.base_dir,
        object.kubeconfig.as_deref(),
        object.context.as_deref(),
    );
    let conn = poll.kube.get(&target).await.map_err(|e| e.to_string())?;
    let kind = match discover::resolve(&conn, resource, object.api_version.as_deref()).await {
        Ok(k) => k,
        Err(e) => {
            if matches!(e, SourceError::Connect(_)) {
                poll.kube.forget(&target).await;
            }
            return Err(e.to_string());
        }
    };
    let namespace = object
        .namespace
        .as_deref()
        .unwrap_or(&conn.default_namespace);
    let request = kube::core::Request::new(kind.collection_path(namespace));
    let status = a.subresource.as_deref() == Some("status");
    if status && !kind.status {
        return Err(format!("{resource} has no status subresource"));
    }
    let on = if status { "the status of " } else { "" };
    let mut done = Vec::new();
    let patches = [
        a.patch
            .as_ref()
            .map(|p| merge_patch(p, fill).map(Body::Merge)),
        a.json_patch
            .as_ref()
            .map(|p| json_patch(p, fill).map(Body::Json)),
    ];
    for body in patches.into_iter().flatten() {
        let body = body?;
        let params = PatchParams::default();
        let req = match (&body, status) {
            (Body::Merge(b), false) => request.patch(name, &params, &Patch::Merge(b)),
            (Body::Merge(b), true) => {
                request.patch_subresource("status", name, &params, &Patch::Merge(b))
            }
            (Body::Json(b), false) => request.patch(name, &params, &Patch::Json::<()>(b.clone())),
            (Body::Json(b), true) => {
                request.patch_subresource("status", name, &params, &Patch::Json::<()>(b.clone()))
            }
        }
        .map_err(|e| e.to_string())?;
        let obj = send(poll, &target, &conn, conn.client.request::<Value>(req)).await?;
        done.push(format!(
            "patched {on}{resource}/{name} in {namespace} (resourceVersion {})",
            obj.pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("?")
        ));
    }
    if let Some(replicas) = a.replicas {
        if !kind.scalable {
            return Err(format!(
                "{resource} cannot be scaled: it has no scale subresource (deployments, statefulsets, replicasets and e.g. rollouts.argoproj.io do)"
            ));
        }
        let body = json!({ "spec": { "replicas": replicas } });
        let req = request
            .patch_subresource("scale", name, &PatchParams::default(), &Patch::Merge(&body))
            .map_err(|e| e.to_string())?;
        let scale = send(poll, &target, &conn, conn.client.request::<Value>(req)).await?;
        done.push(format!(
            "scaled {resource}/{name} in {namespace} to {} replicas",
            scale
                .pointer("/spec/replicas")
                .map(Value::to_string)
                .unwrap_or_else(|| replicas.to_string())
        ));
    }
    if done.is_empty() {
        return Err("a kubernetes action needs `patch`, `json_patch` or `replicas`".into());
    }
    Ok(done.join("; "))
}

/// Awaits a request; a connection failure drops the cached client.
async fn send(
    poll: &PollContext,
    target: &Target,
    conn: &Connection,
    request: impl std::future::Future<Output = Result<Value, kube::Error>>,
) -> Result<Value, String> {
    match request.await {
        Ok(v) => Ok(v),
        Err(e) => {
            let e = from_kube(e, &conn.server);
            if matches!(e, SourceError::Connect(_)) {
                poll.kube.forget(target).await;
            }
            Err(e.to_string())
        }
    }
}

enum Body {
    Merge(Value),
    Json(json_patch::Patch),
}
