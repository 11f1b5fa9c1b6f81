//! Appending to the journal in etcd with many writers on many machines.
//!
//! Keys: `<prefix>/events/<id, 20 digits>` holds the event's JSON line (the
//! exact bytes the file journal would hold, without the newline);
//! `<prefix>/head` holds `{"id","hash","at"}` of the last event. An append is
//! one transaction: if the head is still the one this writer saw (and the new
//! event's key is free), put the event and the new head; otherwise read the
//! head. A writer that lost the race chains onto the new head and tries again
//! after a short random pause, so the chain stays linear.
//!
//! Idempotent: each append has a token, fixed before its first try (and
//! kept with a record waiting in the spool), and the transaction that puts
//! the event also puts `<prefix>/landed/<token>` (the event's id), on
//! condition that it is not there yet. A try whose answer was lost (a
//! timeout, a member dying mid-call), tried again, finds the marker and
//! returns the event that went in, even when other writers appended on top
//! of it meanwhile, instead of appending it twice.

use super::connect::Link;
use super::landed::{landed_id, read_event};
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
    /// Says which event the append with `token` became (outside the event range).
    pub fn landed(&self, token: &str) -> String {
        format!("{}/landed/{token}", self.prefix)
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

/// What a refused transaction means.
#[derive(Debug, PartialEq)]
enum Refused {
    /// A try of this very append (same token) went in as event `id`; its
    /// answer was lost. Not to be written again.
    Landed(u64),
    /// Another writer's event went in first: chain onto this head, try again.
    Raced(SeenHead),
    /// The head did not move, yet the event's key was taken: not a race.
    Inconsistent,
}

/// Decides from what the refused transaction read back: the landed marker
/// of this append's token (if any) and the current head.
fn refused(landed: Option<u64>, current: SeenHead, seen: &SeenHead) -> Refused {
    match landed {
        Some(id) => Refused::Landed(id),
        None if current == *seen => Refused::Inconsistent,
        None => Refused::Raced(current),
    }
}

/// Appends `event` after the head this process last saw (`cache`), or after
/// the current one when that is stale, unless the append with `token` went
/// in already. Returns the event as stored.
pub(super) async fn append(
    link: &Link,
    keys: &Keys,
    cache: &std::sync::Mutex<Option<SeenHead>>,
    event: &NewEvent,
    token: &str,
) -> Result<Stored, JournalError> {
    let started = std::time::Instant::now();
    let cluster = link.settings.target.endpoints.len() > 1;
    let client = link.client().await?;
    let cached = cache.lock().ok().and_then(|mut c| c.take());
    let mut seen = match cached {
        Some(s) => s,
        None => read_head(link, keys, &client).await?,
    };
    // Every event this call tried to put: a lost answer may have let any in.
    let mut tried: Vec<Stored> = Vec::new();
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
                Compare::version(keys.landed(token), CompareOp::Equal, 0),
            ])
            .and_then([
                TxnOp::put(keys.event(id), line, None),
                TxnOp::put(keys.head(), new_raw.clone(), None),
                TxnOp::put(keys.landed(token), id.to_string(), None),
            ])
            .or_else([
                TxnOp::get(keys.head(), None),
                TxnOp::get(keys.landed(token), None),
            ]);
        tried.push(stored.clone());
        // Tried again on another member if this one dies mid-call, or when
        // the answer did not come (a leader died with it in flight: it may
        // still go in). The compare makes that safe: of several tries of one
        // append at most one goes in, and a later one finds its marker.
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
        // The two gets, in order: the head, then this append's marker.
        let mut values = resp.op_responses().into_iter().map(|r| match r {
            TxnOpResponse::Get(mut g) => g
                .take_kvs()
                .into_iter()
                .next()
                .map(|kv| kv.value().to_vec()),
            _ => None,
        });
        let current = SeenHead::parse(values.next().flatten(), link)?;
        let landed = values
            .next()
            .flatten()
            .map(|v| landed_id(&v, link))
            .transpose()?;
        match refused(landed, current.clone(), &seen) {
            Refused::Landed(landed) => {
                if let Ok(mut c) = cache.lock() {
                    *c = Some(current);
                }
                return match tried.into_iter().find(|s| s.id == landed) {
                    Some(stored) => Ok(stored),
                    // Tried by an earlier call (a record flushed again from the spool).
                    None => read_event(link, keys, &client, landed).await,
                };
            }
            Refused::Inconsistent => {
                return Err(JournalError::Inconsistent {
                    endpoints: link.hosts(),
                    why: format!(
                    "event {id} already exists although the chain head says the last event is {}",
                    id - 1
                ),
                })
            }
            Refused::Raced(current) => seen = current,
        }
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

    fn head(id: u64) -> SeenHead {
        let head = Head {
            id,
            hash: format!("h{id}"),
            at: chrono::DateTime::UNIX_EPOCH,
        };
        SeenHead {
            raw: Some(serde_json::to_vec(&head).unwrap()),
            head: Some(head),
        }
    }

    #[test]
    fn a_refused_try_whose_marker_is_there_went_in_and_is_not_written_again() {
        // Tried as event 8 after head 7; the answer was lost; meanwhile
        // another writer appended 9 on top of it. Not a race to retry: done.
        assert_eq!(refused(Some(8), head(9), &head(7)), Refused::Landed(8));
        // The same with nobody on top, and on an empty journal.
        assert_eq!(refused(Some(8), head(8), &head(7)), Refused::Landed(8));
        let empty = SeenHead {
            raw: None,
            head: None,
        };
        assert_eq!(refused(Some(1), head(1), &empty), Refused::Landed(1));
        // No marker: another writer won (chain onto its head) ...
        assert_eq!(refused(None, head(8), &head(7)), Refused::Raced(head(8)));
        // ... or the head did not move and the key was taken anyway.
        assert_eq!(refused(None, head(7), &head(7)), Refused::Inconsistent);
    }

    #[test]
    fn jitter_stays_under_its_cap() {
        for attempt in 1..20 {
            assert!(jitter(attempt) < Duration::from_millis(65));
        }
    }
}
