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
use super::writer::{Tried, Writer};
use crate::journal::error::JournalError;
use crate::journal::event::{NewEvent, Stored};
use chrono::{DateTime, Utc};
use etcd_client::Client;
use serde::{Deserialize, Serialize};
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Tries before giving up (each lost try means another writer's event went in).
pub(super) const MAX_ATTEMPTS: u32 = 100;
/// With several members, how long an append keeps trying through a member's
/// death (an election, etcd's own request timeout) before it fails.
pub(super) const CLUSTER_BUDGET: Duration = Duration::from_secs(10);

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
pub(super) struct Head {
    pub id: u64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// The head as a writer saw it: its exact bytes (what the transaction
/// compares) and their meaning. `raw` None: no event yet.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SeenHead {
    pub raw: Option<Vec<u8>>,
    pub head: Option<Head>,
}

impl SeenHead {
    pub fn parse(raw: Option<Vec<u8>>, link: &Link) -> Result<SeenHead, JournalError> {
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
/// the current one when that is stale, unless the append with `token` went
/// in already. Returns the event as stored.
pub(super) async fn append(
    link: &Link,
    keys: &Keys,
    cache: &std::sync::Mutex<Option<SeenHead>>,
    event: &NewEvent,
    token: &str,
) -> Result<Stored, JournalError> {
    let client = link.client().await?;
    let mut writer = Writer::new(link, keys, &client, cache, event, token);
    let cached = cache.lock().ok().and_then(|mut c| c.take());
    let mut seen = match cached {
        Some(s) => s,
        None => read_head(link, keys, &client).await?,
    };
    for attempt in 1..=MAX_ATTEMPTS {
        match writer.try_after(&seen, attempt).await? {
            Tried::In(stored) => return Ok(stored),
            Tried::Raced(current) => seen = current,
        }
        tokio::time::sleep(jitter(attempt)).await;
    }
    Err(writer.contended())
}

/// A random pause growing with the attempt (up to 64 ms), so writers that
/// collided do not collide again in lockstep.
pub(super) fn jitter(attempt: u32) -> Duration {
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
