//! One append's tries (see `append`): each a transaction that goes in only
//! if the chain head is still the one the writer saw and no try of the same
//! append (token) went in yet; a refused try says why (raced, landed).

use super::append::{jitter, Head, Keys, SeenHead, CLUSTER_BUDGET, MAX_ATTEMPTS};
use super::connect::Link;
use super::landed::{landed_id, read_event};
use crate::journal::error::JournalError;
use crate::journal::event::{NewEvent, Stored};
use crate::journal::line::{encode, GENESIS};
use chrono::{SubsecRound, Utc};
use etcd_client::{Client, Compare, CompareOp, Txn, TxnOp, TxnOpResponse, TxnResponse};

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

/// What one try of an append came to.
#[derive(Debug)]
pub(super) enum Tried {
    /// In the journal: this try, or an earlier one with the same token.
    In(Stored),
    /// Another writer's event went in first; the head is now this.
    Raced(SeenHead),
}

/// One append (one event, one token) across its tries.
pub(super) struct Writer<'a> {
    link: &'a Link,
    keys: &'a Keys,
    client: &'a Client,
    cache: &'a std::sync::Mutex<Option<SeenHead>>,
    event: &'a NewEvent,
    token: &'a str,
    started: std::time::Instant,
    /// Every event this append tried to put: a lost answer may have let any in.
    tried: Vec<Stored>,
}

impl<'a> Writer<'a> {
    pub fn new(
        link: &'a Link,
        keys: &'a Keys,
        client: &'a Client,
        cache: &'a std::sync::Mutex<Option<SeenHead>>,
        event: &'a NewEvent,
        token: &'a str,
    ) -> Self {
        Writer {
            link,
            keys,
            client,
            cache,
            event,
            token,
            started: std::time::Instant::now(),
            tried: Vec::new(),
        }
    }

    /// Remembers `head` as the one the next append of this process follows.
    pub fn remember(&self, head: SeenHead) {
        if let Ok(mut c) = self.cache.lock() {
            *c = Some(head);
        }
    }

    /// One transaction: the event after `seen`, if the head is still `seen`
    /// and no try of this append went in yet.
    pub async fn try_after(
        &mut self,
        seen: &SeenHead,
        attempt: u32,
    ) -> Result<Tried, JournalError> {
        let (link, keys, token) = (self.link, self.keys, self.token);
        let cluster = link.settings.target.endpoints.len() > 1;
        let id = seen.head.as_ref().map_or(1, |h| h.id + 1);
        let prev = seen.head.as_ref().map_or(GENESIS, |h| h.hash.as_str());
        // Time never runs backwards along the chain, even across hosts' clocks.
        let now = Utc::now().trunc_subsecs(6);
        let at = crate::journal::chain::next_at(now, seen.head.as_ref().map(|h| h.at));
        let (stored, mut line) = encode(id, at, self.event, prev);
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
        self.tried.push(stored.clone());
        // Tried again on another member if this one dies mid-call, or when
        // the answer did not come (a leader died with it in flight: it may
        // still go in). The compare makes that safe: of several tries of one
        // append at most one goes in, and a later one finds its marker.
        let resp = loop {
            let sent = link
                .call("append", || {
                    let mut c = self.client.clone();
                    let txn = txn.clone();
                    async move { c.txn(txn).await }
                })
                .await;
            match sent {
                Err(JournalError::Unreachable { .. })
                    if cluster && self.started.elapsed() < CLUSTER_BUDGET =>
                {
                    tokio::time::sleep(jitter(attempt)).await
                }
                other => break other?,
            }
        };
        if resp.succeeded() {
            self.remember(SeenHead {
                raw: Some(new_raw),
                head: Some(new_head),
            });
            return Ok(Tried::In(stored));
        }
        // The two gets, in order: the head, then this append's marker.
        let mut values = got(resp).into_iter();
        let current = SeenHead::parse(values.next().flatten(), link)?;
        let landed = values
            .next()
            .flatten()
            .map(|v| landed_id(&v, link))
            .transpose()?;
        match refused(landed, current.clone(), seen) {
            Refused::Landed(landed) => {
                self.remember(current);
                self.landed(landed).await.map(Tried::In)
            }
            Refused::Inconsistent => Err(JournalError::Inconsistent {
                endpoints: link.hosts(),
                why: format!(
                    "event {id} already exists although the chain head says the last event is {}",
                    id - 1
                ),
            }),
            Refused::Raced(current) => Ok(Tried::Raced(current)),
        }
    }

    /// The event this append's marker names: one of its tries, or (tried by
    /// an earlier call: a record flushed again from the spool) as stored.
    pub async fn landed(&self, id: u64) -> Result<Stored, JournalError> {
        match self.tried.iter().find(|s| s.id == id) {
            Some(stored) => Ok(stored.clone()),
            None => read_event(self.link, self.keys, self.client, id).await,
        }
    }

    /// Every try lost a race.
    pub fn contended(&self) -> JournalError {
        JournalError::Contended {
            endpoints: self.link.hosts(),
            attempts: MAX_ATTEMPTS,
        }
    }
}

/// The value each get of a transaction found (None: no such key), in order.
pub(super) fn got(resp: TxnResponse) -> Vec<Option<Vec<u8>>> {
    resp.op_responses()
        .into_iter()
        .map(|r| match r {
            TxnOpResponse::Get(mut g) => g
                .take_kvs()
                .into_iter()
                .next()
                .map(|kv| kv.value().to_vec()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
