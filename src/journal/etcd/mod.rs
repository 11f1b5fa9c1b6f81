//! The journal on etcd (`[release] journal = "etcd://host:2379/prefix"`): one
//! live release state shared by the commander's laptop, the on-call's laptop
//! and the war-room screen, on the store Kubernetes itself runs on.
//!
//! Each event is a key holding the same JSON line the file journal would
//! hold, so `liftoff audit export` writes a byte-identical file and
//! `audit verify` runs the same chain check. Appends are compare-and-swap
//! transactions on the chain head (`append`), followers watch the event keys
//! (`watch`). When etcd is away, appends fail loudly, except the kill switch's
//! records (`append_or_keep`): kept in a local spool and written, marked
//! delayed, as soon as etcd answers again (on the next append or read, or when
//! a follower's watch comes back).

mod append;
mod connect;
mod landed;
mod once;
mod range;
mod watch;
mod writer;

pub use connect::EtcdSettings;

use super::config::JournalConfig;
use super::error::JournalError;
use super::etcd_url::{self, EtcdTarget};
use super::event::{NewEvent, Stored};
use super::follow::Followed;
use super::health::Health;
use super::read::{parse_all, Cursor, ReadAll};
use super::spool::Spool;
use super::verify::{verify_bytes, VerifyReport};
use super::{Already, Appended, Journal};
use append::{Keys, SeenHead};
use connect::{block_on, Link};
use range::Range;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

const CHANNEL: usize = 1024;

#[derive(Debug)]
pub struct EtcdJournal {
    inner: Arc<Inner>,
}

/// What the sync methods and the followers (on the etcd runtime) share.
#[derive(Debug)]
struct Inner {
    link: Link,
    keys: Keys,
    /// The head after this process's last append: the next one usually follows it.
    head: Mutex<Option<SeenHead>>,
    spool: Spool,
}

impl EtcdSettings {
    /// The settings `[release]` gives for the etcd journal at `spec`.
    pub fn from_config(config: &JournalConfig, spec: &str) -> Result<EtcdSettings, JournalError> {
        let target = EtcdTarget::parse(spec).map_err(|e| {
            JournalError::Config(format!(
                "journal = \"{spec}\": {e}; write e.g. \"{}\"",
                etcd_url::EXAMPLE
            ))
        })?;
        Ok(EtcdSettings {
            target,
            user_env: config.user_env.clone(),
            password_env: config.password_env.clone(),
            ca_file: config.ca_file.clone(),
            cert_file: config.cert_file.clone(),
            key_file: config.key_file.clone(),
            spool: config.audit_dir.join(super::spool::FILE_NAME),
        })
    }
}

impl EtcdJournal {
    /// Nothing is dialled yet: the first call connects (so a kill switch can
    /// open the journal while etcd is down).
    pub fn new(settings: EtcdSettings) -> Self {
        let keys = Keys::new(&settings.target.prefix);
        let spool = Spool::new(settings.spool.clone());
        EtcdJournal {
            inner: Arc::new(Inner {
                link: Link::new(settings),
                keys,
                head: Mutex::new(None),
                spool,
            }),
        }
    }

    pub fn spool(&self) -> &Spool {
        &self.inner.spool
    }
}

impl Inner {
    /// `token` names this append across its tries (see `append`).
    async fn append(&self, event: &NewEvent, token: &str) -> Result<Stored, JournalError> {
        append::append(&self.link, &self.keys, &self.head, event, token).await
    }

    async fn append_unless(
        &self,
        event: &NewEvent,
        token: &str,
        already: &Already,
    ) -> Result<Option<Stored>, JournalError> {
        once::append_unless(&self.link, &self.keys, &self.head, event, token, already).await
    }

    async fn read(&self) -> Result<Range, JournalError> {
        let client = self.link.client().await?;
        range::events_from(&self.link, &self.keys, &client, 1).await
    }

    /// Writes what the spool keeps, oldest first, each marked delayed; stops
    /// at the first failure (the rest waits for the next chance).
    async fn flush(&self) -> Result<usize, JournalError> {
        let Some(batch) = self.spool.take()? else {
            return Ok(0);
        };
        let mut written = 0;
        let mut failed = None;
        for kept in batch.events() {
            // The token it was kept with: if an earlier flush wrote it (and
            // died before rewriting the spool), it is not written again.
            let token = kept.token.clone().unwrap_or_else(landed::new_token);
            match self.append(&kept.into_delayed(), &token).await {
                Ok(_) => written += 1,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        batch.finish(written)?;
        failed.map_or(Ok(written), Err)
    }

    /// Flushes before this process writes or reads anything else, so kept
    /// records come first. A failure here shows in the call that follows.
    async fn flush_first(&self) {
        if self.spool.pending() > 0 {
            let _ = self.flush().await;
        }
    }
}

impl Journal for EtcdJournal {
    fn append(&self, event: NewEvent) -> Result<Stored, JournalError> {
        let inner = Arc::clone(&self.inner);
        block_on(async move {
            inner.flush_first().await;
            inner.append(&event, &landed::new_token()).await
        })
    }

    fn append_unless(
        &self,
        event: NewEvent,
        already: Already,
    ) -> Result<Option<Stored>, JournalError> {
        let inner = Arc::clone(&self.inner);
        block_on(async move {
            inner.flush_first().await;
            inner
                .append_unless(&event, &landed::new_token(), &already)
                .await
        })
    }

    fn append_or_keep(&self, event: NewEvent) -> Result<Appended, JournalError> {
        // One token for the try now and the flush later: if this try went in
        // but its answer was lost, the flush finds it and does not write it twice.
        let token = landed::new_token();
        // Known to be away (the last call failed): keep it now rather than
        // wait for another timeout; it goes in with the rest on the flush.
        let result = match self.health() {
            Health::Unreachable { why, .. } => Err(format!("etcd unreachable: {why}")),
            _ => {
                let (inner, event, token) = (Arc::clone(&self.inner), event.clone(), token.clone());
                block_on(async move {
                    inner.flush_first().await;
                    inner.append(&event, &token).await
                })
                .map_err(|e| e.to_string())
            }
        };
        match result {
            Ok(stored) => Ok(Appended::Stored(stored)),
            Err(why) => {
                self.inner.spool.keep(&event, Some(&token), &why)?;
                Ok(Appended::Kept {
                    spool: self.inner.spool.path().to_path_buf(),
                    why,
                })
            }
        }
    }

    fn read_all(&self) -> Result<ReadAll, JournalError> {
        let inner = Arc::clone(&self.inner);
        let range = block_on(async move {
            inner.flush_first().await;
            inner.read().await
        })?;
        let mut all = parse_all(&range.lines());
        all.cursor.revision = range.revision;
        Ok(all)
    }

    fn follow(&self, from: Cursor) -> Result<mpsc::Receiver<Followed>, JournalError> {
        let (out, rx) = mpsc::channel(CHANNEL);
        connect::spawn(watch::follow(Arc::clone(&self.inner), from, out))?;
        Ok(rx)
    }

    fn verify(&self) -> Result<VerifyReport, JournalError> {
        Ok(verify_bytes(&self.export_bytes()?))
    }

    fn export_bytes(&self) -> Result<Vec<u8>, JournalError> {
        let inner = Arc::clone(&self.inner);
        Ok(block_on(async move { inner.read().await })?.lines())
    }

    fn describe(&self) -> String {
        let t = &self.inner.link.settings.target;
        let scheme = if t.tls { "etcds" } else { "etcd" };
        let kept = match self.inner.spool.pending() {
            0 => String::new(),
            n => format!(
                " (+{n} kept in {} until etcd answers)",
                self.inner.spool.path().display()
            ),
        };
        format!("{scheme}://{}{}{kept}", t.hosts(), t.prefix)
    }

    fn health(&self) -> Health {
        self.inner.link.health.get()
    }
}
