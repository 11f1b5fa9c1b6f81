//! What can go wrong with a journal, and what a reader skips (and says so).

use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot {what} the journal {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("journal `{0}` is not supported yet: remove `journal` from [release] to use the file under audit_dir")]
    Unsupported(String),
    #[error("journal `{0}`: this liftoff was built without the etcd journal; build it with `cargo build --release --features etcd` (needs protoc)")]
    EtcdNotBuilt(String),
    #[error("the journal writer task stopped: {0}")]
    Task(String),
    /// Another process held the journal file's lock the whole time we waited.
    #[error("the journal {} stayed locked by another process for {}s; nothing was written (`lslocks` shows who holds it)", path.display(), waited.as_secs_f64())]
    Locked {
        path: PathBuf,
        waited: std::time::Duration,
    },
    /// etcd did not answer (down, unreachable, no leader, refused the call).
    #[error("the etcd journal at {endpoints} is unreachable ({what}): {why}")]
    Unreachable {
        endpoints: String,
        what: &'static str,
        why: String,
    },
    /// A setting the etcd journal needs is missing or wrong (env var unset, CA file unreadable).
    #[error("the etcd journal cannot be used: {0}")]
    Config(String),
    /// Every try lost the race for the chain head to another writer.
    #[error("the etcd journal at {endpoints} stayed busy: {attempts} appends in a row lost the race for the chain head to other writers")]
    Contended { endpoints: String, attempts: u32 },
    /// The chain head in etcd does not match the events (edited or deleted by hand).
    #[error("the etcd journal at {endpoints} is inconsistent: {why}; run `liftoff audit verify`")]
    Inconsistent { endpoints: String, why: String },
}

impl JournalError {
    pub fn io(what: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| JournalError::Io { what, path, source }
    }
}

/// A line a reader could not use. Readers carry on past it and report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalWarning {
    /// 1-based line number in the journal file (0: not about one line).
    pub line: usize,
    pub why: String,
}

impl std::fmt::Display for JournalWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "journal: {}", self.why)
        } else {
            write!(f, "journal line {} skipped: {}", self.line, self.why)
        }
    }
}
