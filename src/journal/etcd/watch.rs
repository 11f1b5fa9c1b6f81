//! Following the journal in etcd: a watch on the event keys from the last
//! revision this follower saw, so every event arrives once, in chain order.
//! When the watch breaks (the member died, etcd restarted, the network went)
//! the follower says so in the journal's health, waits a growing, jittered
//! pause and watches again from its last revision: nothing is missed, nothing
//! repeated. If etcd compacted that revision away meanwhile, it catches up
//! with a range read from the next event id instead.

use super::connect::Link;
use super::range::events_from;
use super::Inner;
use crate::journal::error::{JournalError, JournalWarning};
use crate::journal::follow::Followed;
use crate::journal::read::{parse_line, Cursor};
use etcd_client::WatchOptions;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(3);

/// How far this follower has read.
struct Position {
    /// Every event up to this store revision was delivered (0: not known yet: catch up by range).
    revision: i64,
    /// The id after the last event delivered.
    next_id: u64,
    /// Events delivered so far (numbers warnings like `verify` numbers lines).
    lines: usize,
}

enum Ended {
    /// The receiver was dropped.
    Stop,
    /// Start again right away (e.g. a compacted revision: catch up by range).
    Again,
}

pub(super) async fn follow(inner: Arc<Inner>, from: Cursor, out: mpsc::Sender<Followed>) {
    let mut pos = Position {
        revision: from.revision,
        // `read_all` counts one line per event, ids from 1 without gaps.
        next_id: from.lines as u64 + 1,
        lines: from.lines,
    };
    let mut pause = FIRST_PAUSE;
    loop {
        match session(&inner, &mut pos, &out, &mut pause).await {
            Ok(Ended::Stop) => return,
            Ok(Ended::Again) => continue,
            Err(_) => {
                // The error is in the journal's health for the status line.
                tokio::select! {
                    _ = tokio::time::sleep(pause + jitter(pause)) => {}
                    _ = out.closed() => return,
                }
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
        }
    }
}

async fn session(
    inner: &Arc<Inner>,
    pos: &mut Position,
    out: &mpsc::Sender<Followed>,
    pause: &mut Duration,
) -> Result<Ended, JournalError> {
    let link = &inner.link;
    let client = link.client().await?;
    if pos.revision == 0 {
        let range = events_from(link, &inner.keys, &client, pos.next_id).await?;
        for (key, value) in &range.kvs {
            if out.send(deliver(inner, pos, key, value)).await.is_err() {
                return Ok(Ended::Stop);
            }
        }
        pos.revision = range.revision;
    }
    let options = WatchOptions::new()
        .with_range(inner.keys.events_end())
        .with_start_revision(pos.revision + 1)
        .with_progress_notify();
    let mut stream = link
        .call("watch", || {
            let mut c = client.clone();
            let (key, options) = (inner.keys.events(), options.clone());
            async move { c.watch(key, Some(options)).await }
        })
        .await?;
    *pause = FIRST_PAUSE;
    // etcd answers again: write what was kept locally while it was away.
    if inner.spool.pending() > 0 {
        let flusher = Arc::clone(inner);
        tokio::spawn(async move {
            let _ = flusher.flush().await;
        });
    }
    loop {
        let message = tokio::select! {
            m = stream.message() => m,
            _ = out.closed() => return Ok(Ended::Stop),
        };
        let resp = match message {
            Ok(Some(resp)) => resp,
            Ok(None) => return Err(broken(link, "the watch stream ended")),
            Err(e) => return Err(link.error("watch", &e)),
        };
        if resp.canceled() {
            if resp.compact_revision() > 0 {
                pos.revision = 0;
                return Ok(Ended::Again);
            }
            let why = format!("etcd canceled the watch: {}", resp.cancel_reason());
            return Err(broken(link, &why));
        }
        for event in resp.events() {
            let Some(kv) = event.kv() else { continue };
            pos.revision = pos.revision.max(kv.mod_revision());
            // A deleted key comes back with version 0 (and no value).
            let item = if kv.version() == 0 {
                Followed::Warning(JournalWarning {
                    line: 0,
                    why: format!(
                        "event key {} was deleted from etcd (the journal is append-only: run `liftoff audit verify`)",
                        String::from_utf8_lossy(kv.key())
                    ),
                })
            } else {
                deliver(inner, pos, kv.key(), kv.value())
            };
            if out.send(item).await.is_err() {
                return Ok(Ended::Stop);
            }
        }
    }
}

fn deliver(inner: &Inner, pos: &mut Position, key: &[u8], value: &[u8]) -> Followed {
    pos.lines += 1;
    if let Some(id) = inner.keys.id_of(key) {
        pos.next_id = pos.next_id.max(id + 1);
    }
    match parse_line(value, pos.lines) {
        Ok(stored) => Followed::Event(stored),
        Err(warning) => Followed::Warning(warning),
    }
}

fn broken(link: &Link, why: &str) -> JournalError {
    link.health.failed(why);
    JournalError::Unreachable {
        endpoints: link.hosts(),
        what: "watch",
        why: why.to_string(),
    }
}

/// Up to a quarter of `pause` more, so followers do not reconnect in lockstep.
fn jitter(pause: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let quarter = (pause.as_micros() as u64 / 4).max(1);
    Duration::from_micros(random % quarter)
}
