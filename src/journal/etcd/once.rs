//! Recording something once however many writers try (`append_unless`):
//! read the journal and the chain head at one store revision, ask whether
//! the event is there already, and if not append it with a transaction that
//! goes in only if the head is still exactly the one that read saw. A writer
//! whose head moved reads again and asks again: the other writer may have
//! recorded the very thing. The append's token works as in `append`: a try
//! whose answer was lost is found by its marker, never written twice.

use super::append::{jitter, Keys, SeenHead, MAX_ATTEMPTS};
use super::connect::Link;
use super::landed::landed_id;
use super::range::events_at;
use super::writer::{got, Tried, Writer};
use crate::journal::error::JournalError;
use crate::journal::event::{NewEvent, Stored};
use crate::journal::read::{parse_all, ReadAll};
use crate::journal::Already;
use etcd_client::{Client, Txn, TxnOp};

/// Appends `event` unless `already` finds it in the journal; `None`: it
/// was there. `cache` and `token` as for `append`.
pub(super) async fn append_unless(
    link: &Link,
    keys: &Keys,
    cache: &std::sync::Mutex<Option<SeenHead>>,
    event: &NewEvent,
    token: &str,
    already: &Already,
) -> Result<Option<Stored>, JournalError> {
    let client = link.client().await?;
    let mut writer = Writer::new(link, keys, &client, cache, event, token);
    for attempt in 1..=MAX_ATTEMPTS {
        let seen = snapshot(link, keys, &client, token).await?;
        if let Some(id) = seen.landed {
            // A try whose answer was lost went in after all.
            return writer.landed(id).await.map(Some);
        }
        if already(&seen.read) {
            writer.remember(seen.head);
            return Ok(None);
        }
        match writer.try_after(&seen.head, attempt).await? {
            Tried::In(stored) => return Ok(Some(stored)),
            // Read again: the writer that won may have recorded it.
            Tried::Raced(_) => {}
        }
        tokio::time::sleep(jitter(attempt)).await;
    }
    Err(writer.contended())
}

/// The journal at one moment: its events, its head, and whether the append
/// with `token` went in.
struct Snapshot {
    read: ReadAll,
    head: SeenHead,
    landed: Option<u64>,
}

async fn snapshot(
    link: &Link,
    keys: &Keys,
    client: &Client,
    token: &str,
) -> Result<Snapshot, JournalError> {
    // The head and the marker in one transaction; the events at its revision.
    let txn = Txn::new().and_then([
        TxnOp::get(keys.head(), None),
        TxnOp::get(keys.landed(token), None),
    ]);
    let resp = link
        .call("read the head", || {
            let mut c = client.clone();
            let txn = txn.clone();
            async move { c.txn(txn).await }
        })
        .await?;
    let revision = resp.header().map_or(0, |h| h.revision());
    let mut values = got(resp).into_iter();
    let head = SeenHead::parse(values.next().flatten(), link)?;
    let landed = values
        .next()
        .flatten()
        .map(|v| landed_id(&v, link))
        .transpose()?;
    let range = events_at(link, keys, client, 1, revision).await?;
    let mut read = parse_all(&range.lines());
    read.cursor.revision = range.revision;
    Ok(Snapshot { read, head, landed })
}
