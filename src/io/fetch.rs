//! HTTP with a body-size cap: a server that sends 50 MB gets an error, not our memory.

use crate::source::secret::Secret;
use crate::source::SourceError;
use futures::StreamExt;
use std::time::{Duration, Instant};

/// A reply read in full (up to the cap).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    pub latency: Duration,
}

#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: reqwest::Method,
    pub url: &'a str,
    pub token: Option<&'a Secret>,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub timeout: Duration,
    pub max_bytes: u64,
}

impl<'a> Request<'a> {
    pub fn get(url: &'a str, timeout: Duration, max_bytes: u64) -> Self {
        Request {
            method: reqwest::Method::GET,
            url,
            token: None,
            headers: Vec::new(),
            body: None,
            timeout,
            max_bytes,
        }
    }
}

/// One shared client: connection reuse, no global timeout (each request has its own).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("liftoff/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

pub async fn fetch(client: &reqwest::Client, req: Request<'_>) -> Result<Fetched, SourceError> {
    let started = Instant::now();
    let work = async {
        let mut rb = client.request(req.method.clone(), req.url);
        if let Some(t) = req.token {
            rb = rb.bearer_auth(t.expose());
        }
        for (k, v) in &req.headers {
            rb = rb.header(k, v);
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let resp = rb.send().await.map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        if let Some(len) = resp.content_length() {
            if len > req.max_bytes {
                return Err(SourceError::TooLarge {
                    limit: req.max_bytes,
                });
            }
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| SourceError::Connect(e.without_url().to_string()))?;
            if body.len() as u64 + chunk.len() as u64 > req.max_bytes {
                return Err(SourceError::TooLarge {
                    limit: req.max_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status,
            body,
            latency: started.elapsed(),
        })
    };
    match tokio::time::timeout(req.timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(SourceError::Timeout(req.timeout)),
    }
}

fn classify(e: &reqwest::Error) -> SourceError {
    let text = crate::source::secret::redact_url_credentials(&error_chain(e));
    if e.is_timeout() {
        SourceError::Connect(format!("timed out: {text}"))
    } else {
        SourceError::Connect(text)
    }
}

/// reqwest's top-level message is vague ("error sending request"); the cause says why.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// A short, printable excerpt of a body for evidence.
pub fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max)]);
    let mut s: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .collect();
    if body.len() > max {
        s.push('…');
    }
    s
}
