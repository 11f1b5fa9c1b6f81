//! Background polling: one task per source, each calling `source::poll` on its
//! interval (backing off on errors), at most one poll in flight, woken early by
//! "poll now" and, for `artifacts` sources, by changes in their folder;
//! `kubernetes` sources keep a watch instead of relisting (see `kube`). Pollers
//! own nothing on screen: they send `PollEvent`s into a bounded channel.

pub mod backoff;
pub mod kube;
pub mod task;
pub mod watch;

use crate::playbook::{LoadedPlaybook, SourceConfig, SourceKind};
use crate::source::{self, Observation, PollContext};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use task::SourceLoop;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What a poller reports.
#[derive(Debug, Clone)]
pub enum PollEvent {
    /// A poll of `source` has started.
    Started { source: String },
    /// A poll finished: data, or an error that says why not.
    Finished(Box<Observation>),
}

/// Wakes source loops early ("poll now"). Cheap to clone; empty by default.
#[derive(Debug, Clone, Default)]
pub struct PollTriggers {
    wakes: Arc<BTreeMap<String, Arc<Notify>>>,
}

impl PollTriggers {
    /// Asks every source to poll now (one poll, after the one in flight if any).
    pub fn poll_all_now(&self) {
        self.wakes.values().for_each(|w| w.notify_one());
    }

    pub fn poll_now(&self, source: &str) -> bool {
        self.wakes.get(source).map(|w| w.notify_one()).is_some()
    }

    pub fn len(&self) -> usize {
        self.wakes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.wakes.is_empty()
    }
}

/// The running pollers. Dropping it does not stop them: call `shutdown`.
pub struct Pollers {
    triggers: PollTriggers,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    /// Folder watchers for artifacts sources; dropping one stops it.
    _watchers: Vec<notify::RecommendedWatcher>,
}

impl Pollers {
    pub fn triggers(&self) -> PollTriggers {
        self.triggers.clone()
    }

    /// Stops every poll (in flight ones too) and waits a bounded time for the tasks.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let all = futures::future::join_all(self.tasks);
        let _ = tokio::time::timeout(Duration::from_secs(2), all).await;
    }
}

/// Starts one loop per source of `pb`. Must be called inside a tokio runtime.
pub fn spawn<E>(pb: Arc<LoadedPlaybook>, tx: mpsc::Sender<E>, cancel: CancellationToken) -> Pollers
where
    E: From<PollEvent> + Send + 'static,
{
    let ctx = PollContext::new(pb.base_dir());
    let mut wakes = BTreeMap::new();
    let mut tasks = Vec::new();
    let mut watchers = Vec::new();
    for (id, spec) in &pb.sources {
        // Manual items come from the journal: nothing to poll.
        if spec.kind() == SourceKind::Manual {
            continue;
        }
        let wake = Arc::new(Notify::new());
        wakes.insert(id.clone(), wake.clone());
        if let SourceConfig::Artifacts(files) = &spec.config {
            let (dir, mode) = source::artifacts::watch_target(&ctx, files);
            match watch::watch(&dir, mode, files.glob.as_deref(), wake.clone()) {
                Ok(w) => watchers.push(w),
                Err(e) => tracing::debug!("cannot watch {}: {e}", dir.display()),
            }
        }
        let lp = SourceLoop {
            source: id.clone(),
            interval: spec.polling.interval.as_std(),
            wake,
            cancel: cancel.clone(),
            tx: tx.clone(),
        };
        if spec.kind() == SourceKind::Kubernetes {
            let (ctx, pb, id) = (ctx.clone(), pb.clone(), id.clone());
            tasks.push(tokio::spawn(kube::run(lp, ctx, pb, id)));
            continue;
        }
        let queries = pb.queries_for(id);
        let (ctx, pb, id) = (ctx.clone(), pb.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let Some(spec) = pb.sources.get(&id) else {
                return;
            };
            lp.run(|| source::poll(&ctx, &id, spec, &queries)).await;
        }));
    }
    Pollers {
        triggers: PollTriggers {
            wakes: Arc::new(wakes),
        },
        cancel,
        tasks,
        _watchers: watchers,
    }
}
