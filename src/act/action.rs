//! One action: run a command, send an HTTP request, patch or scale a Kubernetes object.
//! `{percent}` and `{stage}` in arguments, URLs and bodies are filled in for
//! ramp stages. Secrets come by reference and are scrubbed from every message.

use crate::expr::format_number;
use crate::io::fetch::{self, snippet, Request};
use crate::io::process::{self, ProcessSpec};
use crate::playbook::{Action, ActionKind};
use crate::source::secret::{self, Secret};
use crate::source::PollContext;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

/// Bytes kept from an action's output or reply (evidence only).
const MAX_BYTES: usize = 64 * 1024;

/// Values filled into `{percent}` and `{stage}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fill {
    pub percent: Option<f64>,
    pub stage: Option<String>,
}

impl Fill {
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Some(p) = self.percent {
            out = out.replace("{percent}", &format_number(p));
        }
        if let Some(s) = &self.stage {
            out = out.replace("{stage}", s);
        }
        out
    }
}

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
    match a.kind {
        ActionKind::Command => {
            let argv: Vec<String> = a.run.iter().map(|s| fill.apply(s)).collect();
            if a.shell {
                format!("sh -c {:?}", argv.join(" "))
            } else {
                argv.join(" ")
            }
        }
        ActionKind::Http => secret::redact_url_credentials(&format!(
            "{} {}",
            a.method.as_deref().unwrap_or("POST").to_uppercase(),
            fill.apply(a.url.as_deref().unwrap_or(""))
        )),
        ActionKind::Kubernetes => format!(
            "kubernetes {} {}/{} in {}",
            if a.replicas.is_some() {
                "scale"
            } else {
                "patch"
            },
            a.resource.as_deref().unwrap_or("?"),
            a.name.as_deref().unwrap_or("?"),
            a.namespace.as_deref().unwrap_or("default")
        ),
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
    let outcome = match a.kind {
        ActionKind::Command => command(a, fill, base_dir).await,
        ActionKind::Http => http(a, fill, base_dir, &poll.client).await,
        ActionKind::Kubernetes => {
            let bounded =
                tokio::time::timeout(a.timeout().as_std(), super::kubernetes::run(a, fill, poll));
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

async fn command(a: &Action, fill: &Fill, base_dir: &Path) -> Result<String, String> {
    let cwd = match &a.cwd {
        Some(c) if c.is_absolute() => c.clone(),
        Some(c) => base_dir.join(c),
        // Actions run beside the playbook, so `make kill-switch` finds its Makefile.
        None => base_dir.to_path_buf(),
    };
    let spec = ProcessSpec {
        argv: a.run.iter().map(|s| fill.apply(s)).collect(),
        shell: a.shell,
        cwd: Some(cwd),
        env: a.env.clone(),
        timeout: a.timeout().as_std(),
        max_bytes: MAX_BYTES,
    };
    let out = process::run(&spec).await.map_err(|e| e.to_string())?;
    match out.exit_code {
        Some(0) => Ok(format!("exit 0 in {}ms", out.took.as_millis())),
        // The stderr tail keeps its newlines: a stack trace stays readable.
        Some(code) => Err(format!(
            "exited with {code}: {}",
            crate::io::tail::tail(&String::from_utf8_lossy(&out.stderr))
        )),
        None => Err("killed by a signal".into()),
    }
}

async fn http(
    a: &Action,
    fill: &Fill,
    base_dir: &Path,
    client: &reqwest::Client,
) -> Result<String, String> {
    let token_file = a.token_file.as_ref().map(|f| {
        if f.is_absolute() {
            f.clone()
        } else {
            base_dir.join(f)
        }
    });
    let token = secret::resolve(a.token_env.as_deref(), token_file.as_deref())
        .map_err(|e| e.to_string())?;
    let known: Vec<Secret> = token.iter().cloned().collect();
    let scrub = |s: String| secret::redact(&s, &known);
    let method_name = a.method.as_deref().unwrap_or("POST").to_uppercase();
    let method = reqwest::Method::from_bytes(method_name.as_bytes())
        .map_err(|_| format!("`{method_name}` is not an HTTP method"))?;
    let url = fill.apply(a.url.as_deref().unwrap_or(""));
    let req = Request {
        method,
        url: &url,
        token: token.as_ref(),
        headers: Vec::new(),
        body: a.body.as_deref().map(|b| fill.apply(b)),
        timeout: a.timeout().as_std(),
        max_bytes: MAX_BYTES as u64,
        follow_redirects: false,
    };
    let reply = fetch::fetch(client, req)
        .await
        .map_err(|e| scrub(e.to_string()))?;
    if (200..300).contains(&reply.status) {
        Ok(format!(
            "HTTP {} in {}ms",
            reply.status,
            reply.latency.as_millis()
        ))
    } else {
        Err(scrub(format!(
            "HTTP {}: {}",
            reply.status,
            snippet(&reply.body, 300)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_percent_and_stage() {
        let f = Fill {
            percent: Some(10.0),
            stage: Some("10%".into()),
        };
        assert_eq!(f.apply("PCT={percent} S={stage}"), "PCT=10 S=10%");
        assert_eq!(Fill::default().apply("PCT={percent}"), "PCT={percent}");
        let half = Fill {
            percent: Some(2.5),
            stage: None,
        };
        assert_eq!(half.apply("{percent}"), "2.5");
    }
}
