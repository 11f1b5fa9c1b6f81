//! The cluster a source or action talks to, found the way kubectl finds it:
//! the playbook's `kubeconfig` (relative to the playbook's folder) or
//! `KUBECONFIG` (a list of files, merged) or `~/.kube/config`, and the
//! playbook's `context` or the kubeconfig's current one. Token, client
//! certificate and exec-plugin auth are kube-rs's own. With no kubeconfig at
//! all and no context named, the in-cluster service account is tried (liftoff
//! running as a Job).
//!
//! Clients are kept per kubeconfig + context in `Clients`, which lives in the
//! `PollContext`: a kube client belongs to the tokio runtime that built it, so
//! the cache must not outlive the context that made it.

use super::error::from_kube;
use crate::source::SourceError;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which cluster: a kubeconfig file (None: `KUBECONFIG` / `~/.kube/config`) and a context.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

impl Target {
    /// `kubeconfig` relative to `base_dir` (the playbook's folder), like every path.
    pub fn new(base_dir: &Path, kubeconfig: Option<&Path>, context: Option<&str>) -> Target {
        Target {
            kubeconfig: kubeconfig.map(|p| {
                if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    base_dir.join(p)
                }
            }),
            context: context.map(str::to_string),
        }
    }

    /// For evidence: "context prod of ./kubeconfig".
    pub fn describe(&self) -> String {
        let file = match &self.kubeconfig {
            Some(p) => p.display().to_string(),
            None => match std::env::var_os("KUBECONFIG") {
                Some(v) if !v.is_empty() => format!("KUBECONFIG={}", v.to_string_lossy()),
                _ => "~/.kube/config".into(),
            },
        };
        match &self.context {
            Some(c) => format!("context {c} of {file}"),
            None => format!("current context of {file}"),
        }
    }
}

/// A client and what the kubeconfig says around it.
#[derive(Clone)]
pub struct Connection {
    pub client: kube::Client,
    /// The context's namespace, else "default" (what kubectl uses without `-n`).
    pub default_namespace: String,
    /// The API server's URL, for evidence.
    pub server: String,
}

/// Clients kept per kubeconfig + context (the cockpit polls every few seconds;
/// a new client per poll would be a new TCP and TLS handshake each time).
#[derive(Clone, Default)]
pub struct Clients {
    cache: Arc<tokio::sync::Mutex<HashMap<Target, Connection>>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clients")
    }
}

impl Clients {
    /// The cached connection for `target`, built on first use. The lock is
    /// held while building so concurrent polls of one cluster build it once.
    pub async fn get(&self, target: &Target) -> Result<Connection, SourceError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.get(target) {
            return Ok(c.clone());
        }
        let c = connect(target).await?;
        cache.insert(target.clone(), c.clone());
        Ok(c)
    }

    /// Drops a connection that failed, so the next use reads the kubeconfig
    /// again (rotated credentials, a restarted API server on a new address).
    pub async fn forget(&self, target: &Target) {
        self.cache.lock().await.remove(target);
    }
}

/// Builds a client for `target` (no request is sent yet).
pub async fn connect(target: &Target) -> Result<Connection, SourceError> {
    let options = KubeConfigOptions {
        context: target.context.clone(),
        ..Default::default()
    };
    let config = match &target.kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path)
                .map_err(|e| SourceError::Config(format!("kubeconfig: {e}")))?;
            kube::Config::from_custom_kubeconfig(kc, &options).await
        }
        None => kube::Config::from_kubeconfig(&options).await,
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            let no_file = matches!(e, kube::config::KubeconfigError::FindPath)
                || matches!(e, kube::config::KubeconfigError::ReadConfig(ref io, _) if io.kind() == std::io::ErrorKind::NotFound);
            if target.kubeconfig.is_none() && target.context.is_none() && no_file {
                kube::Config::incluster().map_err(|ic| {
                    SourceError::Config(format!(
                        "no kubeconfig ({e}; set KUBECONFIG or write kubeconfig = \"path\") and not in a cluster ({ic})"
                    ))
                })?
            } else {
                return Err(SourceError::Config(format!(
                    "kubeconfig ({}): {e}",
                    target.describe()
                )));
            }
        }
    };
    let server = crate::io::secret::redact_url_credentials(&config.cluster_url.to_string());
    let default_namespace = config.default_namespace.clone();
    let client = kube::Client::try_from(config).map_err(|e| from_kube(e, &server))?;
    Ok(Connection {
        client,
        default_namespace,
        server,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_kubeconfig_starts_at_the_playbook() {
        let t = Target::new(Path::new("/pb"), Some(Path::new("kube/config")), None);
        assert_eq!(t.kubeconfig.as_deref(), Some(Path::new("/pb/kube/config")));
        let abs = Target::new(Path::new("/pb"), Some(Path::new("/etc/kc")), Some("prod"));
        assert_eq!(abs.kubeconfig.as_deref(), Some(Path::new("/etc/kc")));
        assert_eq!(abs.describe(), "context prod of /etc/kc");
    }

    #[tokio::test]
    async fn a_missing_kubeconfig_file_is_a_config_error_naming_it() {
        let t = Target::new(Path::new("/nonexistent-dir"), Some(Path::new("kc")), None);
        let e = connect(&t).await.err().expect("must fail").to_string();
        assert!(e.contains("/nonexistent-dir/kc"), "{e}");
    }
}
