//! `kind = "http"` actions: one request (POST unless `method` says), a 2xx
//! answer counts as done. Redirects are not followed: an action goes where
//! the playbook says.

use super::fill::Fill;
use crate::io::fetch::{self, snippet, Request};
use crate::io::secret::{self, Secret};
use crate::playbook::HttpAction;
use std::path::Path;
use std::time::Duration;

/// Bytes kept from a reply (evidence only).
const MAX_BYTES: u64 = 64 * 1024;

fn method_name(a: &HttpAction) -> String {
    a.method.as_deref().unwrap_or("POST").to_uppercase()
}

pub(super) fn describe(a: &HttpAction, fill: &Fill) -> String {
    secret::redact_url_credentials(&format!("{} {}", method_name(a), fill.apply(&a.target.url)))
}

pub(super) async fn run(
    a: &HttpAction,
    timeout: Duration,
    fill: &Fill,
    base_dir: &Path,
    client: &reqwest::Client,
) -> Result<String, String> {
    let token_file = a.target.token_file.as_ref().map(|f| base_dir.join(f));
    let token = secret::resolve(a.target.token_env.as_deref(), token_file.as_deref())
        .map_err(|e| e.to_string())?;
    let known: Vec<Secret> = token.iter().cloned().collect();
    let scrub = |s: String| secret::redact(&s, &known);
    let method_name = method_name(a);
    let method = reqwest::Method::from_bytes(method_name.as_bytes())
        .map_err(|_| format!("`{method_name}` is not an HTTP method"))?;
    let url = fill.apply(&a.target.url);
    let req = Request {
        method,
        url: &url,
        token: token.as_ref(),
        headers: Vec::new(),
        body: a.body.as_deref().map(|b| fill.apply(b)),
        timeout,
        max_bytes: MAX_BYTES,
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
