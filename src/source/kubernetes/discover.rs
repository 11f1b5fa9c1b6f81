//! Any resource the cluster serves, found by discovery: `rollouts.argoproj.io`
//! (plural.group) or `api_version` + `resource` (a kind or a plural, e.g.
//! `argoproj.io/v1alpha1` + `Rollout`). Built-in kinds in the fixed table
//! (`resource::KINDS`: `pods`, `jobs`, ...) skip the round trip.

use super::resource::Kind;
use super::{from_kube, Connection};
use crate::source::SourceError;
use kube::core::{ApiResource, GroupVersion, GroupVersionKind};
use kube::discovery::{self, ApiCapabilities, Scope};

/// Where a resource lives and what it supports.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub plural: String,
    /// "" for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespaced: bool,
    /// Whether it has the `scale` subresource (`replicas`).
    pub scalable: bool,
    /// Whether it has the `status` subresource.
    pub status: bool,
}

impl Resolved {
    pub fn of(k: &Kind) -> Resolved {
        Resolved {
            plural: k.plural.into(),
            group: k.group.into(),
            version: k.version.into(),
            kind: k.kind.into(),
            namespaced: k.namespaced,
            scalable: k.scalable,
            status: k.plural != "configmaps" && k.plural != "secrets",
        }
    }

    fn from_discovery(ar: &ApiResource, caps: &ApiCapabilities) -> Resolved {
        let sub = |name: &str| caps.subresources.iter().any(|(s, _)| s.plural == name);
        Resolved {
            plural: ar.plural.clone(),
            group: ar.group.clone(),
            version: ar.version.clone(),
            kind: ar.kind.clone(),
            namespaced: caps.scope == Scope::Namespaced,
            scalable: sub("scale"),
            status: sub("status"),
        }
    }

    /// `v1`, `argoproj.io/v1alpha1`.
    pub fn api_version(&self) -> String {
        super::resource::api_version(&self.group, &self.version)
    }

    /// The collection's URL path, in `namespace` when namespaced.
    pub fn collection_path(&self, namespace: &str) -> String {
        super::resource::collection_path(
            &self.group,
            &self.version,
            &self.plural,
            self.namespaced.then_some(namespace),
        )
    }

    pub fn api_resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(&self.group, &self.version, &self.kind),
            &self.plural,
        )
    }

    pub fn is_secret(&self) -> bool {
        self.group.is_empty() && self.plural == "secrets"
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

/// Finds where `resource` lives on the cluster behind `conn`.
pub async fn resolve(
    conn: &Connection,
    resource: &str,
    api_version: Option<&str>,
) -> Result<Resolved, SourceError> {
    let client = &conn.client;
    let err = |e: kube::Error| match e {
        kube::Error::Discovery(d) => SourceError::Config(format!(
            "the cluster at {} does not serve \"{resource}\" ({d}); is its CRD installed?",
            conn.server
        )),
        other => from_kube(other, &conn.server),
    };
    let not_served = |known: Vec<String>| {
        SourceError::Config(format!(
            "the cluster at {} does not serve \"{resource}\"{}",
            conn.server,
            if known.is_empty() {
                String::new()
            } else {
                format!("; it serves: {}", known.join(", "))
            }
        ))
    };
    match name(resource, api_version)? {
        Named::Builtin(k) => Ok(Resolved::of(k)),
        Named::PluralGroup { plural, group } => {
            let g = discovery::group(client, group).await.map_err(err)?;
            let found = g.recommended_resources();
            found
                .iter()
                .find(|(ar, _)| ar.plural == plural)
                .map(|(ar, caps)| Resolved::from_discovery(ar, caps))
                .ok_or_else(|| {
                    not_served(
                        found
                            .iter()
                            .map(|(ar, _)| format!("{}.{group}", ar.plural))
                            .collect(),
                    )
                })
        }
        Named::Pinned {
            group,
            version,
            name,
        } => {
            let gv = GroupVersion::gv(&group, &version);
            let g = discovery::pinned_group(client, &gv).await.map_err(err)?;
            let found = g.versioned_resources(&version);
            found
                .iter()
                .find(|(ar, _)| ar.kind == name || ar.plural == name)
                .map(|(ar, caps)| Resolved::from_discovery(ar, caps))
                .ok_or_else(|| not_served(found.iter().map(|(ar, _)| ar.kind.clone()).collect()))
        }
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
        let r = Resolved {
            plural: "rollouts".into(),
            group: "argoproj.io".into(),
            version: "v1alpha1".into(),
            kind: "Rollout".into(),
            namespaced: true,
            scalable: true,
            status: true,
        };
        assert_eq!(
            r.collection_path("prod"),
            "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts"
        );
        assert_eq!(r.api_version(), "argoproj.io/v1alpha1");
    }
}
