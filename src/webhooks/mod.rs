//! Webhook notifications (`[[notify]]`): Slack-compatible incoming webhooks
//! and generic JSON webhooks, told about decisions, stages, decision points,
//! guard trips, the kill switch and rollbacks.
//!
//! Never in the kill switch's path: the notifier is its own set of tasks fed
//! from the journal (a follower, or events read from it); nothing that acts on
//! the world awaits it. Each `[[notify]]` entry has a bounded queue and one
//! worker that retries with exponential backoff; a delivery that fails for
//! good is journaled (`notify_failed`) and counted in `NotifyStatus` for the
//! status line.
//!
//! Each process tells about the events it wrote itself (`Scope::OwnEvents`),
//! so the several processes sharing a journal never post one event twice.

mod deliver;
pub mod message;

pub use deliver::{Endpoint, GaveUp, Retry};

use crate::journal::event::NotifyFailed;
use crate::journal::{Actor, Event, Followed, NewEvent, SharedJournal, Stored};
use crate::playbook::{LoadedPlaybook, NotifyKind};
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// A request's timeout when `[[notify]] timeout` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Events waiting per webhook; past this, new ones are dropped (and journaled).
pub const QUEUE: usize = 64;

/// Which journal events this notifier tells about.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Events written by this process (this pid on this host) from `since` on.
    OwnEvents { since: DateTime<Utc> },
    /// Every event that arrives (a dedicated notifier process).
    All,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub scope: Scope,
    pub retry: Retry,
    pub queue: usize,
    /// Who journals `notify_failed`.
    pub actor: Actor,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            // Journal times are in microseconds: compare like with like.
            scope: Scope::OwnEvents {
                since: Utc::now().trunc_subsecs(6),
            },
            retry: Retry::default(),
            queue: QUEUE,
            actor: Actor::here(None),
        }
    }
}

/// For the status line: what the webhooks did so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NotifyStatus {
    /// How many `[[notify]]` entries there are.
    pub targets: usize,
    pub sent: u64,
    /// Deliveries given up on (after retries, or dropped from a full queue).
    pub failed: u64,
    /// Deliveries queued or in flight.
    pub pending: usize,
    /// The newest failure: "slack#1: HTTP 500 (kill_fired)".
    pub last_error: Option<String>,
    pub last_failed_at: Option<DateTime<Utc>>,
    /// The highest journal id the notifier has looked at.
    pub seen_id: u64,
}

impl NotifyStatus {
    /// A short phrase for the status line when something needs attention.
    pub fn line(&self) -> Option<String> {
        match (&self.last_error, self.pending) {
            (Some(e), _) => Some(format!("webhooks: {} failed ({e})", self.failed)),
            (None, 0) => None,
            (None, n) => Some(format!("webhooks: {n} sending")),
        }
    }
}

/// A running notifier. Dropping it stops it.
pub struct NotifyHandle {
    status: watch::Receiver<NotifyStatus>,
    tasks: Vec<JoinHandle<()>>,
}

impl NotifyHandle {
    pub fn status(&self) -> NotifyStatus {
        self.status.borrow().clone()
    }

    /// Changes as deliveries happen (for a cockpit that redraws on change).
    pub fn subscribe(&self) -> watch::Receiver<NotifyStatus> {
        self.status.clone()
    }

    /// Waits until every event up to journal id `id` has been delivered or
    /// given up on, at most `within`. True when it got there.
    pub async fn settle(&self, id: u64, within: Duration) -> bool {
        let mut rx = self.status.clone();
        let done = |s: &NotifyStatus| s.seen_id >= id && s.pending == 0;
        let wait = async {
            loop {
                if done(&rx.borrow_and_update()) {
                    return true;
                }
                if rx.changed().await.is_err() {
                    return done(&rx.borrow());
                }
            }
        };
        tokio::time::timeout(within, wait).await.unwrap_or(false)
    }
}

impl Drop for NotifyHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Starts notifying about what `follower` brings (own events only). Must be
/// called inside a tokio runtime.
pub fn spawn(
    pb: Arc<LoadedPlaybook>,
    journal: SharedJournal,
    follower: mpsc::Receiver<Followed>,
) -> NotifyHandle {
    spawn_with(pb, journal, follower, Options::default())
}

/// The longest one `[[notify]]` request may take: how long to wait at exit.
pub fn longest_timeout(pb: &LoadedPlaybook) -> Duration {
    pb.playbook
        .notifications
        .iter()
        .map(|n| n.timeout.map(|d| d.as_std()).unwrap_or(DEFAULT_TIMEOUT))
        .max()
        .unwrap_or(DEFAULT_TIMEOUT)
}

pub fn spawn_with(
    pb: Arc<LoadedPlaybook>,
    journal: SharedJournal,
    mut follower: mpsc::Receiver<Followed>,
    options: Options,
) -> NotifyHandle {
    let (status_tx, status) = watch::channel(NotifyStatus {
        targets: pb.playbook.notifications.len(),
        ..Default::default()
    });
    let status_tx = Arc::new(status_tx);
    let client = crate::io::fetch::client();
    let release = pb.name().to_string();
    let fail = Failures {
        journal,
        actor: options.actor.clone(),
        status: status_tx.clone(),
    };
    let mut tasks = Vec::new();
    let mut queues = Vec::new();
    for (i, n) in pb.playbook.notifications.iter().enumerate() {
        let endpoint = Endpoint {
            label: format!("{}#{}", kind_name(n.kind), i + 1),
            url_env: n.url_env.clone(),
            url_file: n.url_file.as_deref().map(|f| pb.resolve(f)),
            timeout: n.timeout.map(|d| d.as_std()).unwrap_or(DEFAULT_TIMEOUT),
        };
        let (tx, rx) = mpsc::channel::<Arc<Stored>>(options.queue.max(1));
        let worker = Worker {
            endpoint: endpoint.clone(),
            kind: n.kind,
            release: release.clone(),
            client: client.clone(),
            retry: options.retry,
            fail: fail.clone(),
        };
        tasks.push(tokio::spawn(worker.run(rx)));
        queues.push((n.clone(), endpoint.label, tx));
    }
    let scope = options.scope;
    let host = crate::io::host::name();
    let pid = std::process::id();
    tasks.push(tokio::spawn(async move {
        while let Some(item) = follower.recv().await {
            let Followed::Event(stored) = item else {
                continue;
            };
            let ours = match &scope {
                Scope::All => true,
                Scope::OwnEvents { since } => {
                    stored.actor.pid == pid && stored.actor.host == host && stored.at >= *since
                }
            };
            let id = stored.id;
            if ours {
                let stored = Arc::new(stored);
                for (target, label, tx) in &queues {
                    if !message::wants(target, &stored) {
                        continue;
                    }
                    fail.status.send_modify(|s| s.pending += 1);
                    if tx.try_send(stored.clone()).is_err() {
                        fail.status.send_modify(|s| s.pending -= 1);
                        let why = format!(
                            "{} events already waiting for this webhook; dropped",
                            tx.max_capacity()
                        );
                        fail.record(label, &stored, 0, why).await;
                    }
                }
            }
            fail.status.send_modify(|s| s.seen_id = s.seen_id.max(id));
        }
    }));
    NotifyHandle { status, tasks }
}

fn kind_name(kind: NotifyKind) -> &'static str {
    match kind {
        NotifyKind::Slack => "slack",
        NotifyKind::Webhook => "webhook",
    }
}

/// Journals that notifications were still unanswered when a command exited
/// (`liftoff kill` waits for them only so long). Bounded like the kill
/// switch's own records: a locked journal must not keep the command from exiting.
pub async fn record_unanswered(journal: &SharedJournal, actor: &Actor, why: String) {
    let event = Event::NotifyFailed(NotifyFailed {
        target: "all".into(),
        event_id: None,
        event_kind: None,
        attempts: 0,
        why,
    });
    let _ = crate::journal::append_or_keep_async(journal, NewEvent::new(actor, &event)).await;
}

/// Journals and counts a delivery given up on.
#[derive(Clone)]
struct Failures {
    journal: SharedJournal,
    actor: Actor,
    status: Arc<watch::Sender<NotifyStatus>>,
}

impl Failures {
    async fn record(&self, label: &str, stored: &Stored, attempts: u32, why: String) {
        let now = Utc::now();
        self.status.send_modify(|s| {
            s.failed += 1;
            s.last_error = Some(format!("{label}: {why} ({})", stored.kind));
            s.last_failed_at = Some(now);
        });
        let event = Event::NotifyFailed(NotifyFailed {
            target: label.to_string(),
            event_id: Some(stored.id),
            event_kind: Some(stored.kind.clone()),
            attempts,
            why,
        });
        // The failure is visible in the status either way; a journal that
        // cannot be written has its own warning elsewhere.
        let _ =
            crate::journal::append_async(&self.journal, NewEvent::new(&self.actor, &event)).await;
    }
}

struct Worker {
    endpoint: Endpoint,
    kind: NotifyKind,
    release: String,
    client: reqwest::Client,
    retry: Retry,
    fail: Failures,
}

impl Worker {
    /// One delivery at a time, in journal order.
    async fn run(self, mut rx: mpsc::Receiver<Arc<Stored>>) {
        while let Some(stored) = rx.recv().await {
            let body = message::body(self.kind, &self.release, &stored);
            match deliver::deliver(&self.client, &self.endpoint, &body, self.retry).await {
                Ok(_) => self.fail.status.send_modify(|s| s.sent += 1),
                Err(GaveUp { attempts, why }) => {
                    self.fail
                        .record(&self.endpoint.label, &stored, attempts, why)
                        .await
                }
            }
            self.fail.status.send_modify(|s| s.pending -= 1);
        }
    }
}

/// For a process that wrote some events and is about to exit (`liftoff
/// kill`): tells the webhooks about this process's events in `events`, waiting
/// at most `within`. Returns the status at the end (pending > 0: not all sent).
pub async fn send_and_wait(
    pb: Arc<LoadedPlaybook>,
    journal: SharedJournal,
    events: Vec<Stored>,
    since: DateTime<Utc>,
    within: Duration,
) -> NotifyStatus {
    let last = events.last().map(|e| e.id).unwrap_or(0);
    let (tx, rx) = mpsc::channel(events.len().max(1));
    for e in events {
        let _ = tx.try_send(Followed::Event(e));
    }
    drop(tx);
    let options = Options {
        scope: Scope::OwnEvents { since },
        ..Options::default()
    };
    let handle = spawn_with(pb, journal, rx, options);
    handle.settle(last, within).await;
    handle.status()
}
