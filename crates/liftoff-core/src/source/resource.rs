//! Built-in resource kinds and where each lives in the API: a fixed table,
//! the fast path (no discovery round trip) for kinds whose group, version and
//! scope every conformant API server shares. Anything else (custom resources)
//! is found by discovery (`discover`).

use crate::source::SourceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The plural the playbook writes and the URL uses: `pods`, `deployments`.
    pub plural: &'static str,
    /// "" for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    /// Whether `replicas` (the `scale` subresource) applies.
    pub scalable: bool,
}

const fn kind(
    plural: &'static str,
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    namespaced: bool,
    scalable: bool,
) -> Kind {
    Kind {
        plural,
        group,
        version,
        kind,
        namespaced,
        scalable,
    }
}

pub const KINDS: &[Kind] = &[
    kind("pods", "", "v1", "Pod", true, false),
    kind("deployments", "apps", "v1", "Deployment", true, true),
    kind("statefulsets", "apps", "v1", "StatefulSet", true, true),
    kind("daemonsets", "apps", "v1", "DaemonSet", true, false),
    kind("replicasets", "apps", "v1", "ReplicaSet", true, true),
    kind("configmaps", "", "v1", "ConfigMap", true, false),
    kind("services", "", "v1", "Service", true, false),
    kind(
        "endpointslices",
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        true,
        false,
    ),
    kind("events", "", "v1", "Event", true, false),
    kind("nodes", "", "v1", "Node", false, false),
    kind("secrets", "", "v1", "Secret", true, false),
    kind("jobs", "batch", "v1", "Job", true, false),
    kind("cronjobs", "batch", "v1", "CronJob", true, false),
    kind(
        "horizontalpodautoscalers",
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        true,
        false,
    ),
    kind(
        "poddisruptionbudgets",
        "policy",
        "v1",
        "PodDisruptionBudget",
        true,
        false,
    ),
    kind(
        "ingresses",
        "networking.k8s.io",
        "v1",
        "Ingress",
        true,
        false,
    ),
];

impl Kind {
    pub fn lookup(resource: &str) -> Result<&'static Kind, SourceError> {
        KINDS.iter().find(|k| k.plural == resource).ok_or_else(|| {
            let names: Vec<&str> = KINDS.iter().map(|k| k.plural).collect();
            SourceError::Config(format!(
                "unknown Kubernetes resource \"{resource}\"; built-in resources are: {}; name any other by plural.group (\"rollouts.argoproj.io\") or with api_version",
                names.join(", ")
            ))
        })
    }

    /// `v1`, `apps/v1`.
    pub fn api_version(&self) -> String {
        api_version(self.group, self.version)
    }

    /// The collection's URL path: `/api/v1/namespaces/NS/pods`, `/api/v1/nodes`.
    pub fn collection_path(&self, namespace: &str) -> String {
        collection_path(
            self.group,
            self.version,
            self.plural,
            self.namespaced.then_some(namespace),
        )
    }

    pub fn is_secret(&self) -> bool {
        self.plural == "secrets"
    }
}

/// `v1` for the core group, `GROUP/VERSION` otherwise.
pub fn api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// A collection's URL path; `namespace` is `None` for cluster-scoped kinds.
pub fn collection_path(
    group: &str,
    version: &str,
    plural: &str,
    namespace: Option<&str>,
) -> String {
    let prefix = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    match namespace {
        Some(ns) => format!("{prefix}/namespaces/{ns}/{plural}"),
        None => format!("{prefix}/{plural}"),
    }
}

/// How a playbook names a resource, before asking the cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum Named<'a> {
    /// In the fixed table: no round trip.
    Builtin(&'static Kind),
    /// `rollouts.argoproj.io`.
    PluralGroup { plural: &'a str, group: &'a str },
    /// `api_version` + a kind (`Rollout`) or a plural (`rollouts`).
    Pinned {
        group: String,
        version: String,
        name: &'a str,
    },
}

/// Reads `resource` (and `api_version`) without the cluster.
pub fn name<'a>(resource: &'a str, api_version: Option<&str>) -> Result<Named<'a>, SourceError> {
    let resource = resource.trim();
    if resource.is_empty() {
        return Err(SourceError::Config("`resource` is empty".into()));
    }
    if let Some(av) = api_version {
        let (group, version) = match av.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), av.to_string()),
        };
        if version.is_empty() || av.matches('/').count() > 1 {
            return Err(SourceError::Config(format!(
                "api_version \"{av}\" is not GROUP/VERSION (e.g. \"argoproj.io/v1alpha1\") or a core VERSION (\"v1\")"
            )));
        }
        return Ok(Named::Pinned {
            group,
            version,
            name: resource,
        });
    }
    if let Ok(k) = Kind::lookup(resource) {
        return Ok(Named::Builtin(k));
    }
    match resource.split_once('.') {
        Some((plural, group)) if !plural.is_empty() && !group.is_empty() => {
            Ok(Named::PluralGroup { plural, group })
        }
        // A bare plural outside the table is far more often a typo ("pod")
        // than a resource: say what to write.
        _ => Kind::lookup(resource).map(Named::Builtin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_without_the_cluster() {
        assert!(matches!(name("pods", None), Ok(Named::Builtin(k)) if k.kind == "Pod"));
        assert_eq!(
            name("rollouts.argoproj.io", None).unwrap(),
            Named::PluralGroup {
                plural: "rollouts",
                group: "argoproj.io"
            }
        );
        assert_eq!(
            name("Canary", Some("flagger.app/v1beta1")).unwrap(),
            Named::Pinned {
                group: "flagger.app".into(),
                version: "v1beta1".into(),
                name: "Canary"
            }
        );
        assert!(matches!(name("jobs", None), Ok(Named::Builtin(k)) if k.group == "batch"));
        assert!(name("pod", None).is_err());
        assert!(name("Rollout", Some("a/b/c")).is_err());
        assert!(name(" ", None).is_err());
    }

    #[test]
    fn paths_follow_the_api_layout() {
        let pods = Kind::lookup("pods").unwrap();
        assert_eq!(
            pods.collection_path("trading-floor"),
            "/api/v1/namespaces/trading-floor/pods"
        );
        let d = Kind::lookup("deployments").unwrap();
        assert_eq!(d.api_version(), "apps/v1");
        assert_eq!(
            d.collection_path("x"),
            "/apis/apps/v1/namespaces/x/deployments"
        );
        assert_eq!(
            Kind::lookup("nodes").unwrap().collection_path("ignored"),
            "/api/v1/nodes"
        );
    }

    #[test]
    fn unknown_resources_are_refused_with_the_list() {
        let e = Kind::lookup("pod").unwrap_err().to_string();
        assert!(e.contains("pods, deployments"), "{e}");
    }
}
