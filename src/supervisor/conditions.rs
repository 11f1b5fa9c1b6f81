//! Lasting conditions the status line must show while they hold: the journal
//! unreachable (etcd gone) and webhooks failing. Each runs on its own task and
//! reports changes as `SupervisorEvent::Condition`; none is in the kill switch's path.

use super::event::SupervisorEvent;
use crate::journal::SharedJournal;
use crate::playbook::LoadedPlaybook;
use crate::webhooks;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How often the journal's health is read. `health()` only reads what the
/// journal's own calls (appends, the follower) last saw: no I/O here.
const HEALTH_EVERY: Duration = Duration::from_millis(500);

/// Shows "JOURNAL UNREACHABLE ..." while the journal cannot be written.
pub fn watch_journal(
    journal: SharedJournal,
    tx: mpsc::Sender<SupervisorEvent>,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        let mut last: Option<String> = None;
        let mut every = tokio::time::interval(HEALTH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = every.tick() => {}
            }
            let health = journal.health();
            let now = (!health.is_ok() && health != crate::journal::Health::Unknown)
                .then(|| health.line());
            if now != last {
                last = now.clone();
                let event = SupervisorEvent::Condition {
                    topic: "journal",
                    text: now,
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
        }
    });
}

/// Posts this cockpit's own journal events (decisions, stages, guards, the
/// kill switch) to the playbook's webhooks, and shows failures.
pub fn start_webhooks(
    pb: Arc<LoadedPlaybook>,
    journal: SharedJournal,
    tx: mpsc::Sender<SupervisorEvent>,
    cancel: CancellationToken,
) {
    if pb.playbook.notifications.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let reader = journal.clone();
        let cursor = match tokio::task::spawn_blocking(move || reader.read_all()).await {
            Ok(Ok(read)) => read.cursor,
            Ok(Err(e)) => return say_failed(&tx, format!("webhooks off: {e}")).await,
            Err(e) => return say_failed(&tx, format!("webhooks off: {e}")).await,
        };
        let follower = match journal.follow(cursor) {
            Ok(f) => f,
            Err(e) => return say_failed(&tx, format!("webhooks off: {e}")).await,
        };
        let handle = webhooks::spawn(pb, journal, follower);
        let mut status = handle.subscribe();
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                changed = status.changed() => if changed.is_err() { return },
            }
            let line = status.borrow_and_update().line();
            let failing = line.filter(|l| l.contains("failed"));
            let event = SupervisorEvent::Condition {
                topic: "webhooks",
                text: failing,
            };
            if tx.send(event).await.is_err() {
                return;
            }
        }
    });
}

async fn say_failed(tx: &mpsc::Sender<SupervisorEvent>, text: String) {
    let _ = tx
        .send(SupervisorEvent::Condition {
            topic: "webhooks",
            text: Some(text),
        })
        .await;
}
