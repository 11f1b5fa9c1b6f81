//! One webhook: POST a body, retry with exponential backoff, give up with a
//! reason that never shows the URL (webhook URLs carry their credentials).

use crate::io::fetch::{self, Request};
use crate::io::secret::{self, Secret};
use std::path::PathBuf;
use std::time::Duration;

/// Where and how to send, resolved from one `[[notify]]` entry.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// "slack#1", "webhook#2": the entry's kind and position, for messages.
    pub label: String,
    pub url_env: Option<String>,
    pub url_file: Option<PathBuf>,
    pub timeout: Duration,
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all (the first one included).
    pub attempts: u32,
    /// Pause before the second attempt; doubled before each next one.
    pub backoff: Duration,
    /// The longest pause.
    pub max_backoff: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

/// A delivery that did not happen: after how many attempts, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct GaveUp {
    pub attempts: u32,
    pub why: String,
}

/// Replies a server sends back before it is fixed are worth retrying; the
/// rest (a wrong URL: 404, a revoked hook: 403) will not improve.
fn retryable(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

/// The URL, read again for every delivery (a rotated file is picked up).
fn url(endpoint: &Endpoint) -> Result<Secret, String> {
    match secret::resolve(endpoint.url_env.as_deref(), endpoint.url_file.as_deref()) {
        Ok(Some(s)) if !s.expose().trim().is_empty() => Ok(s),
        Ok(_) => Err("no webhook URL: set url_env or url_file".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Sends `body` (JSON) until a 2xx answer, a reply not worth retrying, or the
/// last attempt. Returns how many attempts it took.
pub async fn deliver(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    body: &serde_json::Value,
    retry: Retry,
) -> Result<u32, GaveUp> {
    let url = url(endpoint).map_err(|why| GaveUp { attempts: 0, why })?;
    let known = [url.clone()];
    let text = serde_json::to_string(body).unwrap_or_default();
    let mut pause = retry.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let req = Request {
            method: reqwest::Method::POST,
            url: url.expose(),
            token: None,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(text.clone()),
            timeout: endpoint.timeout,
            max_bytes: 64 * 1024,
            follow_redirects: false,
        };
        let (why, again) = match fetch::fetch(client, req).await {
            Ok(reply) if (200..300).contains(&reply.status) => return Ok(attempt),
            Ok(reply) => {
                let said = String::from_utf8_lossy(&reply.body);
                let said: String = said.trim().chars().take(200).collect();
                (
                    format!(
                        "HTTP {}{}",
                        reply.status,
                        if said.is_empty() {
                            String::new()
                        } else {
                            format!(": {said}")
                        }
                    ),
                    retryable(reply.status),
                )
            }
            Err(e @ fetch::FetchError::TooLarge { .. }) => (e.to_string(), false),
            Err(e) => (e.to_string(), true),
        };
        let why = secret::redact(&why, &known);
        if !again || attempt >= retry.attempts.max(1) {
            return Err(GaveUp {
                attempts: attempt,
                why,
            });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(retry.max_backoff);
    }
}
