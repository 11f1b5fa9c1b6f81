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

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

pub const NAMESPACE: &str = "trading-floor";
/// Tokens the server knows: full access, read-only (PATCH is forbidden), none (all forbidden).
pub const ADMIN: &str = "liftoff-admin-token-7f3a";
pub const READONLY: &str = "liftoff-readonly-token-2b9c";
pub const NOBODY: &str = "liftoff-nobody-token-5d1e";

/// The server's own table of the kinds it serves (independent of liftoff's).
struct Res {
    plural: &'static str,
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
}

const RESOURCES: &[Res] = &[
    res("pods", "", "Pod", true, &["po"]),
    res("configmaps", "", "ConfigMap", true, &["cm"]),
    res("services", "", "Service", true, &["svc"]),
    res("secrets", "", "Secret", true, &[]),
    res("events", "", "Event", true, &["ev"]),
    res("nodes", "", "Node", false, &["no"]),
    res("namespaces", "", "Namespace", false, &["ns"]),
    res("deployments", "apps", "Deployment", true, &["deploy"]),
    res("statefulsets", "apps", "StatefulSet", true, &["sts"]),
    res("daemonsets", "apps", "DaemonSet", true, &["ds"]),
    res("replicasets", "apps", "ReplicaSet", true, &["rs"]),
    res(
        "endpointslices",
        "discovery.k8s.io",
        "EndpointSlice",
        true,
        &[],
    ),
];

const fn res(
    plural: &'static str,
    group: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
) -> Res {
    Res {
        plural,
        group,
        version: "v1",
        kind,
        namespaced,
        short,
    }
}

impl Res {
    fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.into()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    fn scalable(&self) -> bool {
        matches!(self.plural, "deployments" | "statefulsets" | "replicasets")
    }
}

fn by_kind(kind: &str) -> Option<&'static Res> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

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

/// A cluster CA and a server certificate it signed for 127.0.0.1 (PEM of the CA, TLS config).
fn tls_config() -> (String, Arc<tokio_rustls::rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use tokio_rustls::rustls;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "liftoff-test-cluster-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf_cert.der().clone()], key)
    .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    (ca.pem(), Arc::new(config))
}

/// Accepts TLS connections and serves HTTP/1.1 on each (watches stream on theirs).
async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: Arc<tokio_rustls::rustls::ServerConfig>,
    app: axum::Router,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    while let Ok((tcp, _)) = listener.accept().await {
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

fn status(code: u16, reason: &str, message: String, details: Option<Value>) -> Response {
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code
    });
    if let Some(d) = details {
        body["details"] = d;
    }
    reply(code, &body)
}

fn reply(code: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("Content-Type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// What a request names, from its path.
struct Target {
    res: &'static Res,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
}

fn parse_path(path: &str) -> Option<Target> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", g, "v1", rest @ ..] => (*g, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, more @ ..] if !more.is_empty() => (Some(ns.to_string()), more),
        _ => (None, rest),
    };
    let (plural, name, sub) = match rest {
        [p] => (*p, None, None),
        [p, n] => (*p, Some(n.to_string()), None),
        [p, n, s] => (*p, Some(n.to_string()), Some(s.to_string())),
        _ => return None,
    };
    let res = RESOURCES
        .iter()
        .find(|r| r.plural == plural && r.group == group)?;
    Some(Target {
        res,
        namespace,
        name,
        subresource: sub,
    })
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
        if let Some(doc) = self.discovery(path) {
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

    fn discovery(&self, path: &str) -> Option<Value> {
        let resources = |group: &str| -> Value {
            let list: Vec<Value> = RESOURCES
                .iter()
                .filter(|r| r.group == group)
                .flat_map(|r| {
                    let main = json!({
                        "name": r.plural, "singularName": r.kind.to_lowercase(), "namespaced": r.namespaced,
                        "kind": r.kind, "verbs": ["get", "list", "watch", "patch"], "shortNames": r.short
                    });
                    let scale = r.scalable().then(|| json!({
                        "name": format!("{}/scale", r.plural), "singularName": "", "namespaced": true,
                        "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch"]
                    }));
                    std::iter::once(main).chain(scale)
                })
                .collect();
            let gv = if group.is_empty() {
                "v1".to_string()
            } else {
                format!("{group}/v1")
            };
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list})
        };
        let group = |name: &str| {
            json!({"name": name, "versions": [{"groupVersion": format!("{name}/v1"), "version": "v1"}],
                   "preferredVersion": {"groupVersion": format!("{name}/v1"), "version": "v1"}})
        };
        Some(match path.trim_end_matches('/') {
            "/version" => {
                json!({"major": "1", "minor": "35", "gitVersion": "v1.35.0", "gitCommit": "0000000000000000000000000000000000000000",
                                 "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0",
                                 "compiler": "gc", "platform": "linux/amd64"})
            }
            "/api" => json!({"kind": "APIVersions", "versions": ["v1"],
                             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": format!("127.0.0.1:{}", self.port)}]}),
            "/apis" => {
                json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [group("apps"), group("discovery.k8s.io")]})
            }
            "/api/v1" => resources(""),
            "/apis/apps/v1" => resources("apps"),
            "/apis/discovery.k8s.io/v1" => resources("discovery.k8s.io"),
            _ => return None,
        })
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
            "application/merge-patch+json" | "application/strategic-merge-patch+json"
        ) {
            return status(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got {ctype:?})"), None);
        }
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
        let updated = match t.subresource.as_deref() {
            None => {
                let mut o = current;
                merge(&mut o, &patch);
                o
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
        if t.subresource.is_some() {
            reply(200, &scale_of(&updated))
        } else {
            reply(200, &updated)
        }
    }

    fn watch(self: &Arc<Self>, t: &Target, q: &HashMap<String, String>) -> Response {
        self.watch_requests.fetch_add(1, Ordering::SeqCst);
        let labels =
            match LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or("")) {
                Ok(l) => l,
                Err(e) => return status(400, "BadRequest", e, None),
            };
        let fields =
            match FieldSelector::parse(q.get("fieldSelector").map(String::as_str).unwrap_or("")) {
                Ok(f) => f,
                Err(e) => return status(400, "BadRequest", e, None),
            };
        let since: u64 = q
            .get("resourceVersion")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let plural = t.res.plural.to_string();
        let namespace = t.namespace.clone();
        let wanted = move |c: &Change| {
            c.plural == plural
                && namespace
                    .as_ref()
                    .is_none_or(|ns| c.object["metadata"]["namespace"] == ns.as_str())
                && labels.matches(&c.object)
                && fields.matches(&c.object)
        };
        // Subscribe under the lock, so nothing falls between the backlog and the live feed.
        let (backlog, rx) = {
            let store = self.store.lock().unwrap();
            let rx = self.changes.subscribe();
            let backlog: VecDeque<Change> = if since == 0 {
                store
                    .objects
                    .iter()
                    .filter(|((p, _, _), _)| p == t.res.plural)
                    .map(|((p, _, _), o)| Change {
                        rv: store.rv,
                        kind: "ADDED",
                        plural: p.clone(),
                        object: o.clone(),
                    })
                    .collect()
            } else {
                store
                    .history
                    .iter()
                    .filter(|c| c.rv > since)
                    .cloned()
                    .collect()
            };
            (
                backlog
                    .into_iter()
                    .filter(|c| wanted(c))
                    .collect::<VecDeque<_>>(),
                rx,
            )
        };
        let dropped = self.drop_watches.subscribe();
        let stream = futures::stream::unfold(
            (backlog, rx, dropped, wanted),
            |(mut backlog, mut rx, mut dropped, wanted)| async move {
                loop {
                    let change = match backlog.pop_front() {
                        Some(c) => c,
                        None => tokio::select! {
                            r = rx.recv() => match r {
                                Ok(c) => c,
                                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                                Err(broadcast::error::RecvError::Closed) => return None,
                            },
                            _ = dropped.changed() => return None,
                        },
                    };
                    if !wanted(&change) {
                        continue;
                    }
                    let line = format!(
                        "{}\n",
                        json!({"type": change.kind, "object": change.object})
                    );
                    return Some((
                        Ok::<Bytes, std::convert::Infallible>(Bytes::from(line)),
                        (backlog, rx, dropped, wanted),
                    ));
                }
            },
        );
        Response::builder()
            .status(200)
            .header("Content-Type", "application/json")
            .header("Transfer-Encoding", "chunked")
            .body(Body::from_stream(stream))
            .unwrap()
    }
}

fn not_found(res: &Res, name: &str) -> Response {
    status(
        404,
        "NotFound",
        format!(
            "{}{} \"{name}\" not found",
            res.plural,
            if res.group.is_empty() {
                String::new()
            } else {
                format!(".{}", res.group)
            }
        ),
        Some(json!({"name": name, "group": res.group, "kind": res.plural})),
    )
}

fn scale_of(o: &Value) -> Value {
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": o["metadata"]["name"], "namespace": o["metadata"]["namespace"],
                     "resourceVersion": o["metadata"]["resourceVersion"], "uid": o["metadata"]["uid"]},
        "spec": {"replicas": o["spec"]["replicas"]},
        "status": {"replicas": o["status"]["replicas"].as_i64().unwrap_or(0)}
    })
}

/// RFC 7386 JSON merge patch: null deletes, objects merge, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let t = target.as_object_mut().unwrap();
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// `a=b,c!=d,e in (f,g),h,!i`, as the API server reads labelSelector.
struct LabelSelector(Vec<Req>);

impl LabelSelector {
    fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut parts = Vec::new();
        let (mut depth, mut cur) = (0, String::new());
        for ch in s.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(ch);
        }
        parts.push(cur);
        let set = |v: &str| -> Vec<String> {
            v.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .map(|x| x.trim().to_string())
                .collect()
        };
        let mut reqs = Vec::new();
        for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let r = if let Some((k, v)) = p.split_once("!=") {
                Req::NotEq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once(" notin ") {
                Req::NotIn(k.trim().into(), set(v))
            } else if let Some((k, v)) = p.split_once(" in ") {
                Req::In(k.trim().into(), set(v))
            } else if let Some(k) = p.strip_prefix('!') {
                Req::NotExists(k.trim().into())
            } else if p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                Req::Exists(p.into())
            } else {
                return Err(format!("unable to parse requirement: {p:?}"));
            };
            reqs.push(r);
        }
        Ok(LabelSelector(reqs))
    }

    fn matches(&self, o: &Value) -> bool {
        let label = |k: &str| o["metadata"]["labels"][k].as_str().map(str::to_string);
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => label(k).as_deref() == Some(v),
            Req::NotEq(k, v) => label(k).as_deref() != Some(v),
            Req::In(k, vs) => label(k).is_some_and(|l| vs.contains(&l)),
            Req::NotIn(k, vs) => label(k).is_none_or(|l| !vs.contains(&l)),
            Req::Exists(k) => label(k).is_some(),
            Req::NotExists(k) => label(k).is_none(),
        })
    }
}

/// `metadata.name=x,status.phase!=Running`: any dotted path, `=`, `==`, `!=`.
struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    fn parse(s: &str) -> Result<FieldSelector, String> {
        let mut out = Vec::new();
        for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, eq, v) = if let Some((k, v)) = p.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                (k, true, v)
            } else {
                return Err(format!("invalid field selector: {p:?}"));
            };
            out.push((k.trim().to_string(), eq, v.trim().to_string()));
        }
        Ok(FieldSelector(out))
    }

    fn matches(&self, o: &Value) -> bool {
        self.0.iter().all(|(path, eq, want)| {
            let got = path.split('.').fold(o, |v, k| &v[k]);
            let got = match got {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (got == *want) == *eq
        })
    }
}
