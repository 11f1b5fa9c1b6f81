//! The parts sources and actions share: an HTTP endpoint, a command, a
//! Kubernetes object. A source and an action of the same kind read them the
//! same way, so they are one type each.

use super::keyed::keyed;
use std::collections::BTreeMap;
use std::path::PathBuf;

keyed! {
    /// Where an HTTP request goes and the token it carries (by reference).
    #[derive(Debug, Clone, PartialEq)]
    pub struct HttpTarget {
        pub url: String,
        pub token_env: Option<String>,
        pub token_file: Option<PathBuf>,
    }
}

keyed! {
    /// An endpoint a source polls. Redirects are followed only when asked;
    /// the token and every header are dropped on a redirect to another origin.
    #[derive(Debug, Clone, PartialEq)]
    pub struct HttpPoll [target: HttpTarget] {
        pub follow_redirects: bool,
    }
}

keyed! {
    /// A program (or `sh -c` with `shell`) run beside the playbook.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CommandSpec {
        pub run: Vec<String>,
        pub shell: bool,
        pub cwd: Option<PathBuf>,
        pub env: BTreeMap<String, String>,
    }
}

keyed! {
    /// A Kubernetes resource (a built-in plural, `plural.group`, or a kind
    /// with `api_version`) in a cluster, and optionally one object of it.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct KubeTarget {
        pub kubeconfig: Option<PathBuf>,
        pub context: Option<String>,
        pub namespace: Option<String>,
        pub resource: String,
        /// Pins group/version (`argoproj.io/v1alpha1`), so `resource` may
        /// be a kind (`Rollout`) or a plural (`rollouts`).
        pub api_version: Option<String>,
        pub name: Option<String>,
    }
}
