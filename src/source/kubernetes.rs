//! `kubernetes` source: objects from the cluster the user's kubeconfig names,
//! as the API returns them (raw JSON, no typed round trip that could drop or
//! rename a field). `liftoff check` does one LIST (paged); the cockpit can keep
//! a `KubeWatch` per source instead, whose latest snapshot is the observation.
//!
//! A refusal (401, 403, 404 on a collection...) is a `SourceError::Status`
//! with the API's own reason and message; a server that does not answer is a
//! `SourceError::Connect` naming it. Both make the checks UNKNOWN.

mod client;
pub mod discover;
mod error;
mod redact;
pub mod watch;

pub use client::{connect, Clients, Connection, Target};
pub use discover::Resolved;
pub use error::{from_kube, from_status};
pub use liftoff_core::source::resource::{self, Kind, KINDS};
pub use watch::KubeWatch;

use super::poll::PollContext;
use super::{Payload, SourceError};
use crate::playbook::{KubeSource, Polling};
use kube::api::{GetParams, ListParams};
use serde_json::Value;

/// Objects per LIST page: large namespaces come in several requests, none huge.
const PAGE: u32 = 500;

/// What one kubernetes source asks for, its kubeconfig resolved.
#[derive(Debug, Clone)]
pub struct Query {
    pub target: Target,
    /// The resource as the playbook names it (`pods`, `rollouts.argoproj.io`,
    /// `Rollout`), resolved against the cluster by `discover::resolve`; a
    /// namespace of None is the context's.
    pub spec: KubeSource,
    /// The most bytes of JSON one read may bring (`max_bytes`): a LIST over
    /// every page stops with `TooLarge` past it, never a silent truncation.
    pub max_bytes: u64,
}

impl Query {
    pub fn of(
        ctx: &PollContext,
        polling: &Polling,
        spec: &KubeSource,
    ) -> Result<Query, SourceError> {
        let t = &spec.target;
        // Refuses a malformed name before connecting.
        discover::name(&t.resource, t.api_version.as_deref())?;
        if t.resource == "secrets" && t.name.is_none() {
            return Err(SourceError::Config(
                "secrets are read only one at a time: add name = \"the-secret\"".into(),
            ));
        }
        Ok(Query {
            target: Target::new(&ctx.base_dir, t.kubeconfig.as_deref(), t.context.as_deref()),
            spec: spec.clone(),
            max_bytes: polling.max_bytes,
        })
    }

    fn name(&self) -> Option<&String> {
        self.spec.target.name.as_ref()
    }

    fn namespace<'a>(&'a self, conn: &'a Connection) -> &'a str {
        let namespace = self.spec.target.namespace.as_deref();
        namespace.unwrap_or(&conn.default_namespace)
    }

    /// Where the resource lives on this cluster (discovery for custom ones).
    pub async fn resolve(&self, conn: &Connection) -> Result<Resolved, SourceError> {
        let t = &self.spec.target;
        discover::resolve(conn, &t.resource, t.api_version.as_deref()).await
    }
}

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    spec: &KubeSource,
) -> Result<Payload, SourceError> {
    let q = Query::of(ctx, polling, spec)?;
    let conn = ctx.kube.get(&q.target).await?;
    let result = read(&conn, &q).await;
    if matches!(result, Err(SourceError::Connect(_))) {
        ctx.kube.forget(&q.target).await;
    }
    result.map(|items| Payload::Objects { items })
}

/// One GET (with `name`) or a paged LIST; secrets redacted.
pub async fn read(conn: &Connection, q: &Query) -> Result<Vec<Value>, SourceError> {
    let kind = q.resolve(conn).await?;
    if kind.is_secret() && q.name().is_none() {
        return Err(SourceError::Config(
            "secrets are read only one at a time: add name = \"the-secret\"".into(),
        ));
    }
    let path = kind.collection_path(q.namespace(conn));
    let request = kube::core::Request::new(path);
    let mut items = match q.name() {
        Some(name) => {
            let req = request
                .get(name, &GetParams::default())
                .map_err(|e| SourceError::Config(e.to_string()))?;
            match conn.client.request::<Value>(req).await {
                Ok(obj) => vec![obj],
                // A missing named object is an answer (count == 0), not an outage.
                Err(kube::Error::Api(s)) if s.code == 404 => Vec::new(),
                Err(e) => return Err(from_kube(e, &conn.server)),
            }
        }
        None => list(conn, q, &kind, &request).await?,
    };
    for item in &mut items {
        fill_type(item, &kind);
        if kind.is_secret() {
            redact::secret(item);
        }
    }
    Ok(items)
}

async fn list(
    conn: &Connection,
    q: &Query,
    kind: &Resolved,
    request: &kube::core::Request,
) -> Result<Vec<Value>, SourceError> {
    let mut items = Vec::new();
    let mut continue_token: Option<String> = None;
    let mut read_bytes = 0u64;
    loop {
        let lp = ListParams {
            label_selector: q.spec.selector.clone(),
            field_selector: q.spec.field_selector.clone(),
            limit: Some(PAGE),
            continue_token: continue_token.take(),
            ..Default::default()
        };
        let req = request
            .list(&lp)
            .map_err(|e| SourceError::Config(e.to_string()))?;
        let text = conn
            .client
            .request_text(req)
            .await
            .map_err(|e| from_kube(e, &conn.server))?;
        read_bytes += text.len() as u64;
        if read_bytes > q.max_bytes {
            return Err(SourceError::TooLarge { limit: q.max_bytes });
        }
        let mut page: Value = serde_json::from_str(&text).map_err(|e| {
            SourceError::Parse(format!(
                "the list of {} from {}: {e}",
                kind.plural, conn.server
            ))
        })?;
        match page.get_mut("items").map(Value::take) {
            Some(Value::Array(batch)) => items.extend(batch),
            // `"items": null` is how the API writes an empty list.
            Some(Value::Null) => {}
            _ => {
                return Err(SourceError::Parse(format!(
                    "the list of {} from {} has no `items` array",
                    kind.plural, conn.server
                )))
            }
        }
        match page
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        {
            Some(token) => continue_token = Some(token.to_string()),
            None => return Ok(items),
        }
    }
}

/// Where a kubernetes source reads, for evidence: `kubernetes trading-floor/pods
/// (app=x) via context prod`. No namespace named: the context's.
pub fn origin(spec: &KubeSource) -> String {
    let t = &spec.target;
    let resource = t.resource.as_str();
    let cluster_scoped = Kind::lookup(resource).is_ok_and(|k| !k.namespaced);
    let mut what = if cluster_scoped {
        format!("kubernetes {resource}")
    } else {
        format!(
            "kubernetes {}/{resource}",
            t.namespace.as_deref().unwrap_or("(context namespace)")
        )
    };
    if let Some(n) = &t.name {
        what.push_str(&format!("/{n}"));
    }
    let selectors: Vec<&str> = [spec.selector.as_deref(), spec.field_selector.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !selectors.is_empty() {
        what.push_str(&format!(" ({})", selectors.join("; ")));
    }
    if let Some(c) = &t.context {
        what.push_str(&format!(" via context {c}"));
    }
    what
}

/// A LIST's items carry no `kind`/`apiVersion` (the list does); add them, as
/// `kubectl get -o json` does, so a condition can tell objects apart.
fn fill_type(item: &mut Value, kind: &Resolved) {
    if let Value::Object(map) = item {
        map.entry("kind")
            .or_insert_with(|| Value::String(kind.kind.clone()));
        map.entry("apiVersion")
            .or_insert_with(|| Value::String(kind.api_version()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::KubeTarget;

    #[test]
    fn origin_names_namespace_resource_name_and_selectors() {
        let spec = KubeSource {
            target: KubeTarget {
                namespace: Some("trading-floor".into()),
                resource: "configmaps".into(),
                name: Some("agenttrader-kill-switch".into()),
                context: Some("prod".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            origin(&spec),
            "kubernetes trading-floor/configmaps/agenttrader-kill-switch via context prod"
        );
        let nodes = KubeSource {
            target: KubeTarget {
                resource: "nodes".into(),
                ..Default::default()
            },
            selector: Some("pool=trading".into()),
            ..Default::default()
        };
        assert_eq!(origin(&nodes), "kubernetes nodes (pool=trading)");
    }

    #[test]
    fn list_items_get_their_kind() {
        let mut item = serde_json::json!({"metadata": {"name": "x"}});
        fill_type(
            &mut item,
            &Resolved::of(Kind::lookup("deployments").unwrap()),
        );
        assert_eq!(item["kind"], "Deployment");
        assert_eq!(item["apiVersion"], "apps/v1");
    }
}
