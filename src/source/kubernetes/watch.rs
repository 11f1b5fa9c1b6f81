//! A live view of one kubernetes source for the cockpit: kube-runtime's
//! watcher feeds a reflector store (one LIST, then a WATCH that only carries
//! changes), so a large cluster is not relisted every few seconds. The
//! latest snapshot of the store is the source's observation.
//!
//! Fail closed: until the first list completes, and from a watch error until a
//! fresh list succeeds again, the snapshot is an error saying why. A watch the
//! server simply closes (its timeout, a load balancer) is resumed from the
//! last resourceVersion by the watcher itself, without a relist.

use super::{from_kube, from_status, redact, Query};
use crate::playbook::{KubeSource, Polling};
use crate::source::poll::PollContext;
use crate::source::{Observation, Payload, SourceError};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::runtime::reflector::{store::Writer, Store};
use kube::runtime::watcher;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Pauses between attempts after an error: 250 ms doubling to 30 s.
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct Health {
    /// When the store last became complete (a list finished).
    synced_at: Option<DateTime<Utc>>,
    /// The error since which the store is not trusted; cleared by the next full list.
    broken: Option<(DateTime<Utc>, SourceError)>,
    /// Watch (re)starts after an error.
    restarts: u64,
}

/// One watched source. Dropping it stops the watch.
pub struct KubeWatch {
    id: String,
    origin: String,
    is_secret: bool,
    store: Store<DynamicObject>,
    health: Arc<Mutex<Health>>,
    changes: tokio::sync::watch::Receiver<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for KubeWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl KubeWatch {
    /// Starts watching (on the current tokio runtime). Errors only for a
    /// source that cannot work at all (no resource, no kubeconfig).
    pub async fn start(
        ctx: &PollContext,
        id: &str,
        polling: &Polling,
        spec: &KubeSource,
    ) -> Result<KubeWatch, SourceError> {
        let q = Query::of(ctx, polling, spec)?;
        let conn = ctx.kube.get(&q.target).await?;
        let kind = q.resolve(&conn).await?;
        let ar = kind.api_resource();
        let api: Api<DynamicObject> = if kind.namespaced {
            Api::namespaced_with(conn.client.clone(), q.namespace(&conn), &ar)
        } else {
            Api::all_with(conn.client.clone(), &ar)
        };
        let mut config = watcher::Config::default();
        if let Some(l) = &q.spec.selector {
            config = config.labels(l);
        }
        let fields: Vec<String> = q
            .spec
            .field_selector
            .iter()
            .cloned()
            .chain(
                q.spec
                    .target
                    .name
                    .iter()
                    .map(|n| format!("metadata.name={n}")),
            )
            .collect();
        if !fields.is_empty() {
            config = config.fields(&fields.join(","));
        }
        let writer = Writer::new(ar);
        let store = writer.as_reader();
        let health = Arc::new(Mutex::new(Health::default()));
        let (tx, changes) = tokio::sync::watch::channel(0u64);
        let task = tokio::spawn(run(
            api,
            config,
            writer,
            health.clone(),
            tx,
            conn.server.clone(),
        ));
        Ok(KubeWatch {
            id: id.to_string(),
            origin: super::origin(spec),
            is_secret: kind.is_secret(),
            store,
            health,
            changes,
            task,
        })
    }

    /// The store as an observation, or why it cannot be trusted.
    pub fn snapshot(&self) -> Observation {
        let started = Instant::now();
        let outcome = self.current();
        Observation {
            source: self.id.clone(),
            at: Utc::now(),
            took: started.elapsed(),
            origin: self.origin.clone(),
            outcome,
        }
    }

    fn current(&self) -> Result<Payload, SourceError> {
        {
            let h = self.health.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((since, e)) = &h.broken {
                return Err(restate(
                    e,
                    &format!("watch broken since {}", since.to_rfc3339()),
                ));
            }
            if h.synced_at.is_none() {
                return Err(SourceError::Io(
                    "the watch has not finished its first list yet".into(),
                ));
            }
        }
        let mut objects = self.store.state();
        objects.sort_by(|a, b| {
            (&a.metadata.namespace, &a.metadata.name)
                .cmp(&(&b.metadata.namespace, &b.metadata.name))
        });
        let items = objects
            .iter()
            .map(|o| {
                let mut v = serde_json::to_value(o.as_ref())
                    .map_err(|e| SourceError::Parse(e.to_string()))?;
                if self.is_secret {
                    redact::secret(&mut v);
                }
                Ok(v)
            })
            .collect::<Result<Vec<_>, SourceError>>()?;
        Ok(Payload::Objects { items })
    }

    /// Ticks on every change of the store or of its health (redraw on change).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.clone()
    }

    /// How many times the watch restarted after an error.
    pub fn restarts(&self) -> u64 {
        self.health.lock().map(|h| h.restarts).unwrap_or_default()
    }
}

/// Runs watchers one after another: a watcher that errors is replaced by a
/// fresh one (a full list) after a pause, so health is proven again by a list.
async fn run(
    api: Api<DynamicObject>,
    config: watcher::Config,
    mut writer: Writer<DynamicObject>,
    health: Arc<Mutex<Health>>,
    tx: tokio::sync::watch::Sender<u64>,
    server: String,
) {
    let mut pause = FIRST_RETRY;
    loop {
        let mut stream = std::pin::pin!(watcher(api.clone(), config.clone()));
        while let Some(event) = stream.next().await {
            match event {
                Ok(event) => {
                    writer.apply_watcher_event(&event);
                    match event {
                        watcher::Event::InitDone => {
                            let mut h = health.lock().unwrap_or_else(|p| p.into_inner());
                            h.synced_at = Some(Utc::now());
                            h.broken = None;
                            pause = FIRST_RETRY;
                        }
                        watcher::Event::Apply(_) | watcher::Event::Delete(_) => {}
                        // Init/InitApply: the store changes at InitDone.
                        _ => continue,
                    }
                    tx.send_modify(|g| *g += 1);
                }
                Err(e) => {
                    {
                        let mut h = health.lock().unwrap_or_else(|p| p.into_inner());
                        h.broken
                            .get_or_insert((Utc::now(), from_watcher(e, &server)));
                        h.restarts += 1;
                    }
                    tx.send_modify(|g| *g += 1);
                    break;
                }
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LAST_RETRY);
    }
}

fn from_watcher(e: watcher::Error, server: &str) -> SourceError {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => from_kube(k, server),
        watcher::Error::WatchError(status) => from_status(&status),
        other => SourceError::Io(other.to_string()),
    }
}

/// The same error with `context` in front of its text.
fn restate(e: &SourceError, context: &str) -> SourceError {
    match e {
        SourceError::Status { status, detail } => SourceError::Status {
            status: *status,
            detail: format!("{context}: {detail}"),
        },
        SourceError::Connect(d) => SourceError::Connect(format!("{context}: {d}")),
        other => SourceError::Io(format!("{context}: {other}")),
    }
}
