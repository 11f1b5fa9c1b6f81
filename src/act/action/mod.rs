//! One action: run a command, send an HTTP request, patch or scale a Kubernetes
//! object, one file per kind. `{percent}` and `{stage}` are filled in for ramp
//! stages (`fill`). Secrets come by reference and are scrubbed from every message.

mod command;
pub mod fill;
mod http;
mod kubernetes;

pub use fill::Fill;

use crate::playbook::{Action, ActionConfig};
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

pub fn describe(a: &Action, fill: &Fill) -> String {
    match &a.config {
        ActionConfig::Command(c) => command::describe(c, fill),
        ActionConfig::Http(h) => http::describe(h, fill),
        ActionConfig::Kubernetes(k) => kubernetes::describe(k),
    }
}

/// Runs one action to completion (bounded by its `timeout`).
pub async fn run(
    index: usize,
    a: &Action,
    fill: &Fill,
    base_dir: &Path,
    poll: &PollContext,
) -> ActionResult {
    let started = Instant::now();
    let timeout = a.timeout.as_std();
    let outcome = match &a.config {
        ActionConfig::Command(c) => command::run(c, timeout, fill, base_dir).await,
        ActionConfig::Http(h) => http::run(h, timeout, fill, base_dir, &poll.client).await,
        ActionConfig::Kubernetes(k) => {
            let bounded = tokio::time::timeout(timeout, kubernetes::run(k, fill, poll));
            bounded.await.unwrap_or_else(|_| {
                Err(format!(
                    "no answer from the API server within {}",
                    humantime::format_duration(timeout)
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
