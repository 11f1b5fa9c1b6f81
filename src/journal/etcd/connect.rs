//! The link to etcd: settings from the playbook (credentials and TLS by
//! reference), a client made on first use (so opening the journal never
//! needs etcd: `liftoff kill` must work while it is down), and every call
//! bounded by a timeout, its outcome kept as the journal's health.
//!
//! The `Journal` trait is sync, the etcd client async. All etcd I/O runs on
//! one small runtime of its own per process (a worker thread named
//! `liftoff-etcd`, started on first use, never shut down), and a sync method
//! spawns its future there and waits for the answer. That works the same
//! from the CLI (no runtime at all) and from a blocking thread of the
//! cockpit's runtime (`append_async` = `spawn_blocking`); the client's
//! connections and watch streams live on the etcd runtime, so they outlive
//! whichever thread asked.

use crate::io::secret;
use crate::journal::error::JournalError;
use crate::journal::etcd_url::EtcdTarget;
use crate::journal::health::HealthCell;
use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};
use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// One call (a get, a transaction) waits this long for an answer.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// HTTP/2 pings find a dead member without traffic (a watch that went quiet).
const KEEP_ALIVE: Duration = Duration::from_secs(2);
const THREAD: &str = "liftoff-etcd";

/// What the playbook says about the etcd journal, paths resolved.
#[derive(Debug, Clone)]
pub struct EtcdSettings {
    pub target: EtcdTarget,
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Where records kept while etcd is away wait (`<audit_dir>/journal.spool.jsonl`).
    pub spool: PathBuf,
}

impl EtcdSettings {
    /// Reads the referenced secrets and files (now, not at load: they may change).
    fn options(&self) -> Result<ConnectOptions, JournalError> {
        let mut options = ConnectOptions::new()
            .with_connect_timeout(CONNECT_TIMEOUT)
            .with_keep_alive(KEEP_ALIVE, KEEP_ALIVE)
            .with_keep_alive_while_idle(true)
            // A member cut off from the others refuses rather than serving stale reads.
            .with_require_leader(true);
        let env = |key: &str, var: &str| {
            secret::from_env(var)
                .map_err(|_| JournalError::Config(format!("{key} names {var}, which is not set")))
        };
        match (&self.user_env, &self.password_env) {
            (Some(u), Some(p)) => {
                let user = env("journal_user_env", u)?;
                let password = env("journal_password_env", p)?;
                options = options.with_user(user.expose(), password.expose());
            }
            (None, None) => {}
            _ => {
                return Err(JournalError::Config(
                    "journal_user_env and journal_password_env go together".into(),
                ))
            }
        }
        if self.target.tls {
            options = options.with_tls(self.tls()?);
        }
        Ok(options)
    }

    fn tls(&self) -> Result<TlsOptions, JournalError> {
        let read = |key: &str, path: &PathBuf| {
            std::fs::read(path).map_err(|e| {
                JournalError::Config(format!("{key} {}: cannot read it: {e}", path.display()))
            })
        };
        let mut tls = TlsOptions::new();
        if let Some(ca) = &self.ca_file {
            tls = tls.ca_certificate(Certificate::from_pem(read("journal_ca_file", ca)?));
        }
        match (&self.cert_file, &self.key_file) {
            (Some(c), Some(k)) => {
                let cert = read("journal_cert_file", c)?;
                let key = read("journal_key_file", k)?;
                tls = tls.identity(Identity::from_pem(cert, key));
            }
            (None, None) => {}
            _ => {
                return Err(JournalError::Config(
                    "journal_cert_file and journal_key_file go together".into(),
                ))
            }
        }
        Ok(tls)
    }
}

/// The client (made on first use) and what the last call said about etcd.
pub(super) struct Link {
    pub settings: EtcdSettings,
    client: tokio::sync::Mutex<Option<Client>>,
    pub health: HealthCell,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("endpoints", &self.settings.target.endpoints)
            .field("health", &self.health.get())
            .finish()
    }
}

impl Link {
    pub fn new(settings: EtcdSettings) -> Self {
        Link {
            settings,
            client: tokio::sync::Mutex::new(None),
            health: HealthCell::new(),
        }
    }

    pub fn hosts(&self) -> String {
        self.settings.target.hosts()
    }

    pub async fn client(&self) -> Result<Client, JournalError> {
        let mut cell = self.client.lock().await;
        if let Some(c) = cell.as_ref() {
            return Ok(c.clone());
        }
        let options = self.settings.options().inspect_err(|e| {
            self.health.failed(e.to_string());
        })?;
        let urls = self.settings.target.urls();
        let client = self
            .call("connection", || {
                Client::connect(urls.clone(), Some(options.clone()))
            })
            .await?;
        *cell = Some(client.clone());
        Ok(client)
    }

    /// Runs one etcd call with a deadline; its outcome becomes the health.
    /// With several members, a call that failed because the member it went
    /// to is gone (or lost its leader) is tried again within the deadline:
    /// the client moves to a live member. One member gone is etcd gone: no
    /// retry, the caller hears at once.
    pub async fn call<T, F, Fut>(
        &self,
        what: &'static str,
        mut attempt: F,
    ) -> Result<T, JournalError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        let deadline = Instant::now() + CALL_TIMEOUT;
        let mut pause = Duration::from_millis(20);
        let cluster = self.settings.target.endpoints.len() > 1;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, attempt()).await {
                Ok(Ok(v)) => {
                    self.health.ok();
                    return Ok(v);
                }
                Ok(Err(e)) if cluster && transient(&e) && Instant::now() + pause < deadline => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                Ok(Err(e)) => return Err(self.error(what, &e)),
                Err(_) => {
                    let err = JournalError::Unreachable {
                        endpoints: self.hosts(),
                        what,
                        why: format!(
                            "no answer within {}s (is etcd running, reachable, with a leader?)",
                            CALL_TIMEOUT.as_secs()
                        ),
                    };
                    self.health.failed(short(&err));
                    return Err(err);
                }
            }
        }
    }

    /// An etcd error as the journal's error (and the health it means).
    pub fn error(&self, what: &'static str, e: &etcd_client::Error) -> JournalError {
        let endpoints = self.hosts();
        let err = match e {
            etcd_client::Error::GRpcStatus(s) if refused(s.code()) => JournalError::Config(format!(
                "etcd at {endpoints} refused the {what}: {:?}: {} (check journal_user_env / journal_password_env and the user's permissions on the prefix)",
                s.code(),
                s.message()
            )),
            etcd_client::Error::GRpcStatus(s) => JournalError::Unreachable {
                endpoints,
                what,
                why: format!("{:?}: {}{}", s.code(), s.message(), causes(s)),
            },
            other => JournalError::Unreachable {
                endpoints,
                what,
                why: other.to_string(),
            },
        };
        self.health.failed(short(&err));
        err
    }
}

/// ": connection refused" and the like: what a status message leaves out.
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = String::new();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

/// An error another member may not give: this one is down or leaderless.
fn transient(e: &etcd_client::Error) -> bool {
    match e {
        // Unknown/Cancelled with a cause underneath: the connection broke mid-call.
        etcd_client::Error::GRpcStatus(s) => match s.code() {
            tonic::Code::Unavailable => true,
            tonic::Code::Unknown | tonic::Code::Cancelled => std::error::Error::source(s).is_some(),
            _ => false,
        },
        etcd_client::Error::TransportError(_) | etcd_client::Error::IoError(_) => true,
        _ => false,
    }
}

/// A status that says "no" rather than "not there".
fn refused(code: tonic::Code) -> bool {
    use tonic::Code::*;
    matches!(
        code,
        PermissionDenied | Unauthenticated | InvalidArgument | FailedPrecondition
    )
}

fn short(e: &JournalError) -> String {
    match e {
        JournalError::Unreachable { why, .. } => why.clone(),
        other => other.to_string(),
    }
}

/// The process's etcd runtime.
fn runtime() -> Result<&'static Runtime, JournalError> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name(THREAD)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| JournalError::Task(format!("cannot start the etcd runtime: {e}")))
}

/// Runs `fut` on the etcd runtime and waits for it (from any thread but the
/// etcd runtime's own, which would wait for itself).
pub(super) fn block_on<T: Send + 'static>(
    fut: impl Future<Output = Result<T, JournalError>> + Send + 'static,
) -> Result<T, JournalError> {
    if std::thread::current().name() == Some(THREAD) {
        return Err(JournalError::Task(
            "a blocking journal call from the etcd runtime itself".into(),
        ));
    }
    let handle = runtime()?.spawn(fut);
    futures::executor::block_on(handle).map_err(|e| JournalError::Task(e.to_string()))?
}

/// Starts `fut` on the etcd runtime (a follower) without waiting for it.
pub(super) fn spawn(fut: impl Future<Output = ()> + Send + 'static) -> Result<(), JournalError> {
    runtime()?.spawn(fut);
    Ok(())
}
