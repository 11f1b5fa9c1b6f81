//! What makes an append idempotent (see `append`): a token per append,
//! fixed before its first try, and the marker `<prefix>/landed/<token>`
//! its transaction puts (the event's id), read back when a try is refused.

use super::append::Keys;
use super::connect::Link;
use crate::journal::error::JournalError;
use crate::journal::event::Stored;
use crate::journal::line::decode;
use etcd_client::Client;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// A new append's token: unique across processes and hosts (random, with a
/// per-process counter so two appends of one process never share one).
pub(super) fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = std::collections::hash_map::RandomState::new();
    let mut high = state.build_hasher();
    high.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    high.write_u32(std::process::id());
    let high = high.finish();
    let mut low = state.build_hasher();
    low.write_u64(high);
    low.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{high:016x}{:016x}", low.finish())
}

/// The event id a landed marker holds.
pub(super) fn landed_id(value: &[u8], link: &Link) -> Result<u64, JournalError> {
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| JournalError::Inconsistent {
            endpoints: link.hosts(),
            why: format!(
                "a landed marker holds {:?}, not an event id",
                String::from_utf8_lossy(value)
            ),
        })
}

/// Event `id` as stored.
pub(super) async fn read_event(
    link: &Link,
    keys: &Keys,
    client: &Client,
    id: u64,
) -> Result<Stored, JournalError> {
    let mut resp = link
        .call("read an event", || {
            let mut c = client.clone();
            let key = keys.event(id);
            async move { c.get(key, None).await }
        })
        .await?;
    let inconsistent = |why: String| JournalError::Inconsistent {
        endpoints: link.hosts(),
        why,
    };
    let kv = resp.take_kvs().into_iter().next().ok_or_else(|| {
        inconsistent(format!(
            "a landed marker names event {id}, which is not there"
        ))
    })?;
    let line = std::str::from_utf8(kv.value())
        .map_err(|e| inconsistent(format!("event {id} is not UTF-8: {e}")))?;
    decode(line).map_err(|e| inconsistent(format!("event {id}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_fit_in_a_key() {
        let tokens: std::collections::HashSet<String> = (0..1000).map(|_| new_token()).collect();
        assert_eq!(tokens.len(), 1000);
        for t in &tokens {
            assert_eq!(t.len(), 32);
            assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        let k = Keys::new("/liftoff/r");
        assert_eq!(k.landed("ab"), "/liftoff/r/landed/ab");
        // Outside the event range: readers and watches never see markers.
        assert!(k.landed("ab") > k.events_end() || k.landed("ab") < k.events());
    }
}
