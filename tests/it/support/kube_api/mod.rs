//! A local server speaking the Kubernetes REST API, playing the remote side in
//! tests: no real API server can be installed on these machines (Debian, PyPI
//! and npm carry none, and there is no container engine to run one).
//!
//! It serves real object JSON (tests/fixtures/kube/*.json) the way the API
//! server does: GET, LIST (labelSelector, fieldSelector, limit/continue),
//! PATCH (merge patch, also on `/scale`), WATCH (`?watch=true`, JSON lines of
//! watch events carrying resourceVersions), `Status` objects for every error,
//! bearer-token auth (401/403), and the discovery documents kubectl reads
//! (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`). It
//! speaks HTTPS with a certificate from its own CA (kubectl, like a real
//! cluster's users, sends a token only over TLS), and is reached through a
//! real kubeconfig file by kube-rs and by kubectl alike.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

mod resources;
mod selector;
mod tls;
mod watching;
mod wire;

use resources::{by_kind, parse_path, Target};
use selector::{FieldSelector, LabelSelector};
use tls::{serve_tls, tls_config};
use wire::{merge, not_found, reply, scale_of, status};

pub const NAMESPACE: &str = "trading-floor";
/// Tokens the server knows: full access, read-only (PATCH is forbidden), none (all forbidden).
pub const ADMIN: &str = "liftoff-admin-token-7f3a";
pub const READONLY: &str = "liftoff-readonly-token-2b9c";
pub const NOBODY: &str = "liftoff-nobody-token-5d1e";

/// (plural, namespace, name)
type Key = (String, String, String);

#[derive(Clone, Debug)]
struct Change {
    rv: u64,
    kind: &'static str, // ADDED, MODIFIED
    plural: String,
    object: Value,
}

#[derive(Default)]
struct Store {
    rv: u64,
    objects: BTreeMap<Key, Value>,
    history: Vec<Change>,
}

struct Shared {
    store: Mutex<Store>,
    changes: broadcast::Sender<Change>,
    drop_watches: watch::Sender<u64>,
    watch_requests: AtomicUsize,
    patches: AtomicUsize,
    /// While set, every resource request fails with 500 (a broken etcd).
    failing: std::sync::atomic::AtomicBool,
    log: Mutex<Vec<String>>,
    port: u16,
}

/// The running server; stopped on drop.
pub struct KubeApi {
    pub port: u16,
    /// The cluster CA (PEM) that signed the server's certificate.
    pub ca_pem: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for KubeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/kube/{name}.json"))
}

impl KubeApi {
    /// Serves the objects of `tests/fixtures/kube/<fixture>.json` on a free loopback port.
    pub async fn start(fixture: &str) -> KubeApi {
        let text = std::fs::read_to_string(fixture_path(fixture)).expect("read fixture");
        let list: Value = serde_json::from_str(&text).expect("fixture is JSON");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::default()),
            changes: broadcast::channel(1024).0,
            drop_watches: watch::channel(0).0,
            watch_requests: AtomicUsize::new(0),
            patches: AtomicUsize::new(0),
            failing: std::sync::atomic::AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            port,
        });
        for obj in list["items"].as_array().expect("fixture items") {
            shared.put(obj.clone());
        }
        let handler_state = shared.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let s = handler_state.clone();
                async move { s.handle(method, uri, headers, body) }
            },
        );
        let (ca_pem, tls) = tls_config();
        let task = tokio::spawn(serve_tls(listener, tls, app));
        KubeApi {
            port,
            ca_pem,
            shared,
            task,
        }
    }

    pub fn server_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Writes a kubeconfig (context `agenttrader`, namespace trading-floor) using
    /// `token`, trusting this server's CA (`ca.crt` beside it).
    pub fn kubeconfig(&self, dir: &Path, token: &str) -> PathBuf {
        write_kubeconfig(dir, &self.server_url(), &self.ca_pem, token)
    }

    /// One object as the server holds it.
    pub fn get(&self, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        let store = self.shared.store.lock().unwrap();
        store
            .objects
            .get(&(plural.into(), namespace.into(), name.into()))
            .cloned()
    }

    /// Adds or replaces an object (as a controller would), notifying watchers.
    pub fn put(&self, obj: Value) {
        self.shared.put(obj);
    }

    /// Ends every open watch stream (as an API server restart or a load balancer would).
    pub fn drop_watches(&self) {
        self.shared.drop_watches.send_modify(|g| *g += 1);
    }

    /// Makes every resource request fail with a 500 `Status` (true) or serve again (false).
    pub fn set_failing(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    pub fn watch_requests(&self) -> usize {
        self.shared.watch_requests.load(Ordering::SeqCst)
    }

    pub fn patches(&self) -> usize {
        self.shared.patches.load(Ordering::SeqCst)
    }

    /// "METHOD path?query" of every request, for failure messages.
    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }
}

/// A kubeconfig for `server`, its CA in `ca.crt` beside it (a relative path, as users write).
pub fn write_kubeconfig(dir: &Path, server: &str, ca_pem: &str, token: &str) -> PathBuf {
    std::fs::write(dir.join("ca.crt"), ca_pem).expect("write ca.crt");
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: {server}
    certificate-authority: ca.crt
contexts:
- name: agenttrader
  context:
    cluster: local
    user: ci
    namespace: {NAMESPACE}
current-context: agenttrader
users:
- name: ci
  user:
    token: {token}
"
    );
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

impl Shared {
    fn put(&self, mut obj: Value) {
        let res = by_kind(obj["kind"].as_str().unwrap_or("")).expect("a kind the server serves");
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let mut store = self.store.lock().unwrap();
        store.rv += 1;
        let rv = store.rv;
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let key = (res.plural.to_string(), ns, name);
        let kind = if store.objects.contains_key(&key) {
            "MODIFIED"
        } else {
            "ADDED"
        };
        store.objects.insert(key, obj.clone());
        self.record(&mut store, rv, kind, res.plural, obj);
    }

    fn record(&self, store: &mut Store, rv: u64, kind: &'static str, plural: &str, obj: Value) {
        let change = Change {
            rv,
            kind,
            plural: plural.to_string(),
            object: obj,
        };
        store.history.push(change.clone());
        let _ = self.changes.send(change);
    }

    fn handle(
        self: Arc<Self>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        self.log.lock().unwrap().push(format!("{method} {uri}"));
        let path = uri.path();
        let query: HashMap<String, String> =
            form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if ![ADMIN, READONLY, NOBODY].contains(&token) {
            return status(401, "Unauthorized", "Unauthorized".into(), None);
        }
        if let Some(doc) = resources::discovery(path, self.port) {
            return reply(200, &doc);
        }
        if self.failing.load(Ordering::SeqCst) {
            return status(
                500,
                "InternalError",
                "Internal error occurred: etcdserver: request timed out".into(),
                None,
            );
        }
        let Some(t) = parse_path(path) else {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource".into(),
                None,
            );
        };
        let verb = match (&method, &t.name, query.get("watch").map(String::as_str)) {
            (&Method::GET, _, Some("true" | "1")) => "watch",
            (&Method::GET, Some(_), _) => "get",
            (&Method::GET, None, _) => "list",
            (&Method::PATCH, Some(_), _) => "patch",
            _ => {
                return status(
                    405,
                    "MethodNotAllowed",
                    format!("{method} is not supported on {path}"),
                    None,
                )
            }
        };
        if token == NOBODY || (token == READONLY && verb == "patch") {
            let scope = match &t.namespace {
                Some(ns) => format!(" in the namespace \"{ns}\""),
                None => " at the cluster scope".into(),
            };
            let sa = if token == NOBODY {
                "nobody"
            } else {
                "liftoff-readonly"
            };
            let resource = match &t.subresource {
                Some(s) => format!("{}/{s}", t.res.plural),
                None => t.res.plural.to_string(),
            };
            return status(
                403,
                "Forbidden",
                format!(
                    "{resource} is forbidden: User \"system:serviceaccount:ci:{sa}\" cannot {verb} resource \"{resource}\" in API group \"{}\"{scope}",
                    t.res.group
                ),
                Some(json!({"kind": t.res.plural})),
            );
        }
        match verb {
            "watch" => self.watch(&t, &query),
            "list" => self.list(&t, &query),
            "get" => self.get_one(&t),
            _ => self.patch(&t, &headers, &body),
        }
    }

    /// Objects of `t` (namespace, selectors), sorted by key.
    fn matching(
        &self,
        store: &Store,
        t: &Target,
        q: &HashMap<String, String>,
    ) -> Result<Vec<Value>, String> {
        let labels =
            LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or(""))?;
        let fields =
            FieldSelector::parse(q.get("fieldSelector").map(String::as_str).unwrap_or(""))?;
        Ok(store
            .objects
            .iter()
            .filter(|((p, ns, _), _)| {
                p == t.res.plural && t.namespace.as_ref().is_none_or(|want| want == ns)
            })
            .map(|(_, o)| o)
            .filter(|o| labels.matches(o) && fields.matches(o))
            .cloned()
            .collect())
    }

    fn list(&self, t: &Target, q: &HashMap<String, String>) -> Response {
        let store = self.store.lock().unwrap();
        let items = match self.matching(&store, t, q) {
            Ok(i) => i,
            Err(e) => return status(400, "BadRequest", e, None),
        };
        let start: usize = q.get("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
        let limit: usize = q
            .get("limit")
            .and_then(|l| l.parse().ok())
            .filter(|l| *l > 0)
            .unwrap_or(usize::MAX);
        let page: Vec<Value> = items
            .iter()
            .skip(start)
            .take(limit)
            .map(|o| {
                // A list's items carry no kind/apiVersion: the list does.
                let mut o = o.clone();
                if let Some(m) = o.as_object_mut() {
                    m.remove("kind");
                    m.remove("apiVersion");
                }
                o
            })
            .collect();
        let mut metadata = json!({"resourceVersion": store.rv.to_string()});
        if start + page.len() < items.len() {
            metadata["continue"] = json!((start + page.len()).to_string());
            metadata["remainingItemCount"] = json!(items.len() - start - page.len());
        }
        reply(
            200,
            &json!({
                "kind": format!("{}List", t.res.kind), "apiVersion": t.res.api_version(),
                "metadata": metadata, "items": page
            }),
        )
    }

    fn get_one(&self, t: &Target) -> Response {
        let store = self.store.lock().unwrap();
        let name = t.name.clone().unwrap_or_default();
        let key = (
            t.res.plural.to_string(),
            t.namespace.clone().unwrap_or_default(),
            name.clone(),
        );
        match store.objects.get(&key) {
            Some(o) if t.subresource.as_deref() == Some("scale") => reply(200, &scale_of(o)),
            Some(o) => reply(200, o),
            None => not_found(t.res, &name),
        }
    }

    fn patch(&self, t: &Target, headers: &HeaderMap, body: &Bytes) -> Response {
        let ctype = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !matches!(
            ctype,
            "application/merge-patch+json"
                | "application/strategic-merge-patch+json"
                | "application/json-patch+json"
        ) {
            return status(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {ctype:?})"), None);
        }
        let json_patch = ctype == "application/json-patch+json";
        let Ok(patch) = serde_json::from_slice::<Value>(body) else {
            return status(400, "BadRequest", "the patch is not JSON".into(), None);
        };
        let name = t.name.clone().unwrap_or_default();
        let key = (
            t.res.plural.to_string(),
            t.namespace.clone().unwrap_or_default(),
            name.clone(),
        );
        let mut store = self.store.lock().unwrap();
        let Some(current) = store.objects.get(&key).cloned() else {
            return not_found(t.res, &name);
        };
        // A JSON patch applies its operations; a merge patch merges.
        let apply = |o: &mut Value| -> Result<(), String> {
            if json_patch {
                let ops: json_patch::Patch =
                    serde_json::from_value(patch.clone()).map_err(|e| e.to_string())?;
                json_patch::patch(o, &ops).map_err(|e| e.to_string())
            } else {
                merge(o, &patch);
                Ok(())
            }
        };
        let updated = match t.subresource.as_deref() {
            None => {
                let mut o = current;
                if let Err(e) = apply(&mut o) {
                    return status(422, "Invalid", e, None);
                }
                o
            }
            // The status subresource changes only `status`, as the API server does.
            Some("status") if t.res.has_status() => {
                let mut o = current.clone();
                if let Err(e) = apply(&mut o) {
                    return status(422, "Invalid", e, None);
                }
                let mut kept = current;
                kept["status"] = o["status"].clone();
                kept
            }
            Some("scale") if t.res.scalable() => {
                let mut scale = scale_of(&current);
                merge(&mut scale, &patch);
                let mut o = current;
                o["spec"]["replicas"] = scale["spec"]["replicas"].clone();
                o
            }
            Some(s) => {
                return status(
                    404,
                    "NotFound",
                    format!("the server could not find the requested resource ({s})"),
                    None,
                )
            }
        };
        store.rv += 1;
        let rv = store.rv;
        let mut updated = updated;
        updated["metadata"]["resourceVersion"] = json!(rv.to_string());
        store.objects.insert(key, updated.clone());
        self.record(&mut store, rv, "MODIFIED", t.res.plural, updated.clone());
        self.patches.fetch_add(1, Ordering::SeqCst);
        if t.subresource.as_deref() == Some("scale") {
            reply(200, &scale_of(&updated))
        } else {
            reply(200, &updated)
        }
    }
}
