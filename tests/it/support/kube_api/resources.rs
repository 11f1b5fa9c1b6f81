//! The kinds the server serves (its own table, independent of liftoff's), where
//! each lives in the URL space, and the discovery documents kubectl reads.

use serde_json::{json, Value};

/// The server's own table of the kinds it serves (independent of liftoff's).
pub(super) struct Res {
    pub plural: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short: &'static [&'static str],
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
    res("jobs", "batch", "Job", true, &[]),
    res(
        "poddisruptionbudgets",
        "policy",
        "PodDisruptionBudget",
        true,
        &["pdb"],
    ),
    res("ingresses", "networking.k8s.io", "Ingress", true, &["ing"]),
    Res {
        version: "v2",
        ..res(
            "horizontalpodautoscalers",
            "autoscaling",
            "HorizontalPodAutoscaler",
            true,
            &["hpa"],
        )
    },
    // Custom resources, as their CRDs install them (argo-rollouts, flagger).
    Res {
        version: "v1alpha1",
        ..res("rollouts", "argoproj.io", "Rollout", true, &["ro"])
    },
    Res {
        version: "v1beta1",
        ..res("canaries", "flagger.app", "Canary", true, &["canary"])
    },
];

/// Groups in the order `/apis` lists them.
const GROUPS: &[&str] = &[
    "apps",
    "discovery.k8s.io",
    "batch",
    "policy",
    "networking.k8s.io",
    "autoscaling",
    "argoproj.io",
    "flagger.app",
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
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.into()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    pub fn scalable(&self) -> bool {
        matches!(
            self.plural,
            "deployments" | "statefulsets" | "replicasets" | "rollouts"
        )
    }
    /// Whether `/status` is served (what controllers read and write).
    pub fn has_status(&self) -> bool {
        !matches!(
            self.plural,
            "configmaps" | "secrets" | "events" | "endpointslices"
        )
    }
}

pub(super) fn by_kind(kind: &str) -> Option<&'static Res> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

/// What a request names, from its path.
pub(super) struct Target {
    pub res: &'static Res,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

pub(super) fn parse_path(path: &str) -> Option<Target> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", "v1", rest @ ..] => (("", "v1"), rest),
        ["apis", g, v, rest @ ..] => ((*g, *v), rest),
        _ => return None,
    };
    let (group, version) = group;
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
        .find(|r| r.plural == plural && r.group == group && r.version == version)?;
    Some(Target {
        res,
        namespace,
        name,
        subresource: sub,
    })
}

/// `/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`; None for other paths.
pub(super) fn discovery(path: &str, port: u16) -> Option<Value> {
    let version_of = |group: &str| {
        RESOURCES
            .iter()
            .find(|r| r.group == group)
            .map_or("v1", |r| r.version)
    };
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
                    let status = r.has_status().then(|| json!({
                        "name": format!("{}/status", r.plural), "singularName": "", "namespaced": r.namespaced,
                        "kind": r.kind, "verbs": ["get", "patch", "update"]
                    }));
                    std::iter::once(main).chain(scale).chain(status)
                })
                .collect();
        let gv = if group.is_empty() {
            "v1".to_string()
        } else {
            format!("{group}/{}", version_of(group))
        };
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list})
    };
    let group = |name: &str| {
        let v = version_of(name);
        json!({"name": name, "versions": [{"groupVersion": format!("{name}/{v}"), "version": v}],
                   "preferredVersion": {"groupVersion": format!("{name}/{v}"), "version": v}})
    };
    Some(match path.trim_end_matches('/') {
        "/version" => {
            json!({"major": "1", "minor": "35", "gitVersion": "v1.35.0", "gitCommit": "0000000000000000000000000000000000000000",
                                 "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0",
                                 "compiler": "gc", "platform": "linux/amd64"})
        }
        "/api" => json!({"kind": "APIVersions", "versions": ["v1"],
                             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": format!("127.0.0.1:{}", port)}]}),
        "/apis" => {
            let groups: Vec<Value> = GROUPS.iter().map(|g| group(g)).collect();
            json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        }
        "/api/v1" => resources(""),
        other => {
            let (g, v) = other.strip_prefix("/apis/")?.split_once('/')?;
            if !GROUPS.contains(&g) || v != version_of(g) {
                return None;
            }
            resources(g)
        }
    })
}
