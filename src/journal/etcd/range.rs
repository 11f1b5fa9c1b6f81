//! Reading events out of etcd: a range of event keys, in id order, paged
//! (a long release holds many events) and read at one revision, so every page
//! belongs to the same moment.

use super::append::Keys;
use super::connect::Link;
use crate::journal::error::JournalError;
use etcd_client::{Client, GetOptions};

const PAGE: i64 = 1000;

/// Events from id `from` on, and the store revision they were read at.
pub(super) struct Range {
    /// (key, value) in key (= id) order.
    pub kvs: Vec<(Vec<u8>, Vec<u8>)>,
    pub revision: i64,
}

impl Range {
    /// The values as the JSON-lines file the file journal would hold.
    pub fn lines(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.kvs.iter().map(|(_, v)| v.len() + 1).sum());
        for (_, v) in &self.kvs {
            out.extend_from_slice(v);
            out.push(b'\n');
        }
        out
    }
}

pub(super) async fn events_from(
    link: &Link,
    keys: &Keys,
    client: &Client,
    from: u64,
) -> Result<Range, JournalError> {
    events_at(link, keys, client, from, 0).await
}

/// Events from id `from` on as they were at store revision `revision` (0:
/// now), so they can be read together with other keys at one moment.
pub(super) async fn events_at(
    link: &Link,
    keys: &Keys,
    client: &Client,
    from: u64,
    mut revision: i64,
) -> Result<Range, JournalError> {
    let mut start = keys.event(from).into_bytes();
    let mut kvs = Vec::new();
    loop {
        let mut options = GetOptions::new()
            .with_range(keys.events_end())
            .with_limit(PAGE);
        if revision > 0 {
            options = options.with_revision(revision);
        }
        let mut resp = link
            .call("read", || {
                let mut c = client.clone();
                let (key, options) = (start.clone(), options.clone());
                async move { c.get(key, Some(options)).await }
            })
            .await?;
        if revision == 0 {
            revision = resp.header().map_or(0, |h| h.revision());
        }
        let more = resp.more();
        let page = resp.take_kvs();
        let Some(last) = page.last() else { break };
        // Just past the last key of this page.
        start = last.key().to_vec();
        start.push(0);
        kvs.extend(page.into_iter().map(|kv| kv.into_key_value()));
        if !more {
            break;
        }
    }
    Ok(Range { kvs, revision })
}
