//! One action: run a command, send an HTTP request, patch or scale a Kubernetes
//! object, one file per kind. `{percent}` and `{stage}` are filled in for ramp
//! stages (`fill`). Secrets come by reference and are scrubbed from every message.

mod command;
pub mod fill;
mod http;
mod kubernetes;

pub use fill::Fill;

use crate::playbook::{ActionKind, ActionSpec};
use crate::source::PollContext;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

/// What one action did.
#[derive(Debug, Clone, Serialize)]
pub struct ActionResult {
    pub index: usize,
    /// The action as a person reads it (secrets redacted).
    pub what: String,
    /// Ok: what happened; Err: why it failed.
    pub outcome: Result<String, String>,
    #[serde(serialize_with = "ms")]
    pub took: Duration,
}

fn ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

pub fn describe(a: &ActionSpec, fill: &Fill) -> String {
    match a.kind {
        ActionKind::Command => command::describe(a, fill),
        ActionKind::Http => http::describe(a, fill),
        ActionKind::Kubernetes => kubernetes::describe(a),
    }
}

/// Runs one action to completion (bounded by its `timeout`).
pub async fn run(
    index: usize,
    a: &ActionSpec,
    fill: &Fill,
    base_dir: &Path,
    poll: &PollContext,
) -> ActionResult {
    let started = Instant::now();
    let outcome = match a.kind {
        ActionKind::Command => command::run(a, fill, base_dir).await,
        ActionKind::Http => http::run(a, fill, base_dir, &poll.client).await,
        ActionKind::Kubernetes => {
            let bounded =
                tokio::time::timeout(a.timeout().as_std(), kubernetes::run(a, fill, poll));
            bounded.await.unwrap_or_else(|_| {
                Err(format!(
                    "no answer from the API server within {}",
                    humantime::format_duration(a.timeout().as_std())
                ))
            })
        }
    };
    ActionResult {
        index,
        what: describe(a, fill),
        outcome,
        took: started.elapsed(),
    }
}
