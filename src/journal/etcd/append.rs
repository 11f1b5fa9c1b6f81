//! Appending to the journal in etcd with many writers on many machines.
//!
//! Keys: `<prefix>/events/<id, 20 digits>` holds the event's JSON line (the
//! exact bytes the file journal would hold, without the newline);
//! `<prefix>/head` holds `{"id","hash","at"}` of the last event. An append is
//! one transaction: if the head is still the one this writer saw (and the new
//! event's key is free), put the event and the new head; otherwise read the
//! head. A writer that lost the race chains onto the new head and tries again
//! after a short random pause, so the chain stays linear.

use super::connect::Link;
use crate::journal::error::JournalError;
use crate::journal::event::{NewEvent, Stored};
use crate::journal::line::{encode, GENESIS};
use chrono::{DateTime, SubsecRound, Utc};
use etcd_client::{Client, Compare, CompareOp, Txn, TxnOp, TxnOpResponse};
use serde::{Deserialize, Serialize};
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Tries before giving up (each lost try means another writer's event went in).
const MAX_ATTEMPTS: u32 = 100;
/// With several members, how long an append keeps trying through a member's
/// death (an election, etcd's own request timeout) before it fails.
const CLUSTER_BUDGET: Duration = Duration::from_secs(10);

/// Where things live under the journal's prefix.
#[derive(Debug, Clone)]
pub(super) struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Self {
        Keys {
            prefix: prefix.to_string(),
        }
    }
    pub fn events(&self) -> String {
        format!("{}/events/", self.prefix)
    }
    pub fn event(&self, id: u64) -> String {
        format!("{}/events/{id:020}", self.prefix)
    }
    /// Just past every event key (for range reads).
    pub fn events_end(&self) -> String {
        format!("{}/events0", self.prefix)
    }
    pub fn head(&self) -> String {
        format!("{}/head", self.prefix)
    }
    /// The id an event key stands for.
    pub fn id_of(&self, key: &[u8]) -> Option<u64> {
        std::str::from_utf8(key)
            .ok()?
            .strip_prefix(&self.events())?
            .parse()
            .ok()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Head {
    id: u64,
    hash: String,
    at: DateTime<Utc>,
}

/// The head as a writer saw it: its exact bytes (what the transaction
/// compares) and their meaning. `raw` None: no event yet.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SeenHead {
    raw: Option<Vec<u8>>,
    head: Option<Head>,
}

impl SeenHead {
    fn parse(raw: Option<Vec<u8>>, link: &Link) -> Result<SeenHead, JournalError> {
        let head = match &raw {
            None => None,
            Some(bytes) => {
                Some(
                    serde_json::from_slice(bytes).map_err(|e| JournalError::Inconsistent {
                        endpoints: link.hosts(),
                        why: format!("the chain head is not {{id, hash, at}}: {e}"),
                    })?,
                )
            }
        };
        Ok(SeenHead { raw, head })
    }
}

async fn read_head(link: &Link, keys: &Keys, client: &Client) -> Result<SeenHead, JournalError> {
    let mut resp = link
        .call("read the head", || {
            let mut c = client.clone();
            let key = keys.head();
            async move { c.get(key, None).await }
        })
        .await?;
    let raw = resp
        .take_kvs()
        .into_iter()
        .next()
        .map(|kv| kv.value().to_vec());
    SeenHead::parse(raw, link)
}

/// Appends `event` after the head this process last saw (`cache`), or after
/// the current one when that is stale. Returns the event as stored.
pub(super) async fn append(
    link: &Link,
    keys: &Keys,
    cache: &std::sync::Mutex<Option<SeenHead>>,
    event: &NewEvent,
) -> Result<Stored, JournalError> {
    let started = std::time::Instant::now();
    let cluster = link.settings.target.endpoints.len() > 1;
    let client = link.client().await?;
    let cached = cache.lock().ok().and_then(|mut c| c.take());
    let mut seen = match cached {
        Some(s) => s,
        None => read_head(link, keys, &client).await?,
    };
    for attempt in 1..=MAX_ATTEMPTS {
        let id = seen.head.as_ref().map_or(1, |h| h.id + 1);
        let prev = seen.head.as_ref().map_or(GENESIS, |h| h.hash.as_str());
        // Time never runs backwards along the chain, even across hosts' clocks.
        let now = Utc::now().trunc_subsecs(6);
        let at = seen.head.as_ref().map_or(now, |h| now.max(h.at));
        let (stored, mut line) = encode(id, at, event, prev);
        line.pop(); // the newline: a value is one line
        let new_head = Head {
            id,
            hash: stored.hash.clone(),
            at,
        };
        let new_raw = serde_json::to_vec(&new_head).unwrap_or_default();
        let head_unchanged = match &seen.raw {
            Some(raw) => Compare::value(keys.head(), CompareOp::Equal, raw.clone()),
            None => Compare::version(keys.head(), CompareOp::Equal, 0),
        };
        let txn = Txn::new()
            .when([
                head_unchanged,
                Compare::version(keys.event(id), CompareOp::Equal, 0),
            ])
            .and_then([
                TxnOp::put(keys.event(id), line, None),
                TxnOp::put(keys.head(), new_raw.clone(), None),
            ])
            .or_else([TxnOp::get(keys.head(), None)]);
        // Tried again on another member if this one dies mid-call, or when
        // the answer did not come (a leader died with it in flight: it may
        // still go in). The compare makes that safe: of several tries of one
        // transaction at most one goes in, and a later one reads back our
        // own head (below).
        let resp = loop {
            let sent = link
                .call("append", || {
                    let mut c = client.clone();
                    let txn = txn.clone();
                    async move { c.txn(txn).await }
                })
                .await;
            match sent {
                Err(JournalError::Unreachable { .. })
                    if cluster && started.elapsed() < CLUSTER_BUDGET =>
                {
                    tokio::time::sleep(jitter(attempt)).await
                }
                other => break other?,
            }
        };
        let mine = SeenHead {
            raw: Some(new_raw),
            head: Some(new_head),
        };
        if resp.succeeded() {
            if let Ok(mut c) = cache.lock() {
                *c = Some(mine);
            }
            return Ok(stored);
        }
        let raw = resp.op_responses().into_iter().find_map(|r| match r {
            TxnOpResponse::Get(mut g) => Some(g.take_kvs().into_iter().next()?.value().to_vec()),
            _ => None,
        });
        let current = SeenHead::parse(raw, link)?;
        if current == mine {
            // An earlier try of this very transaction went in; its answer was lost.
            if let Ok(mut c) = cache.lock() {
                *c = Some(mine);
            }
            return Ok(stored);
        }
        if current == seen {
            // The head did not move, so the event key was taken: not a race.
            return Err(JournalError::Inconsistent {
                endpoints: link.hosts(),
                why: format!(
                    "event {id} already exists although the chain head says the last event is {}",
                    id - 1
                ),
            });
        }
        seen = current;
        tokio::time::sleep(jitter(attempt)).await;
    }
    Err(JournalError::Contended {
        endpoints: link.hosts(),
        attempts: MAX_ATTEMPTS,
    })
}

/// A random pause growing with the attempt (up to 64 ms), so writers that
/// collided do not collide again in lockstep.
fn jitter(attempt: u32) -> Duration {
    let cap_us = 1000u64 << attempt.min(6);
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    Duration::from_micros(random % cap_us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_id_and_map_back() {
        let k = Keys::new("/liftoff/r");
        assert_eq!(k.event(7), "/liftoff/r/events/00000000000000000007");
        assert!(k.event(9) < k.event(10));
        assert!(k.event(u64::MAX) < k.events_end());
        assert!(k.events() < k.event(1));
        assert_eq!(k.id_of(k.event(42).as_bytes()), Some(42));
        assert_eq!(k.id_of(b"/liftoff/r/head"), None);
    }

    #[test]
    fn jitter_stays_under_its_cap() {
        for attempt in 1..20 {
            assert!(jitter(attempt) < Duration::from_millis(65));
        }
    }
}
