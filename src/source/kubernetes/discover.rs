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

pub use liftoff_core::source::resource::{name, Named};

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
