//! HTTP with a body-size cap: a server that sends 50 MB gets an error, not our memory.
//!
//! Redirects are not followed unless the playbook asks (`follow_redirects`);
//! then they are followed here, hop by hop (at most `MAX_REDIRECTS`), and the
//! token and configured headers go no further than the origin they were
//! configured for: reqwest's own redirect policy cannot drop custom headers.

use crate::io::secret::Secret;
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
    /// Follow 3xx redirects (else a 3xx is the reply).
    pub follow_redirects: bool,
}

/// Redirects followed before the fetch is an error.
pub const MAX_REDIRECTS: usize = 5;

/// Headers liftoff sets itself, which say nothing secret and still go to
/// another origin; every other header (the playbook's) stays behind.
const NOT_SECRET: &[&str] = &["accept", "content-type"];

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
            follow_redirects: false,
        }
    }
}

/// One shared client: connection reuse, no global timeout (each request has its own).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("liftoff/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        // `fetch` follows redirects itself, when asked, minding the origin.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Why a fetch gave no reply. The words are the ones a source's evidence
/// shows (a source error wraps each variant unchanged).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("response larger than the {limit}-byte cap (max_bytes)")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    Io(String),
    #[error("misconfigured: {0}")]
    Config(String),
}

pub async fn fetch(client: &reqwest::Client, req: Request<'_>) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    let work = async {
        let resp = send_following(client, &req).await?;
        let status = resp.status().as_u16();
        if let Some(len) = resp.content_length() {
            if len > req.max_bytes {
                return Err(FetchError::TooLarge {
                    limit: req.max_bytes,
                });
            }
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                FetchError::Io(format!(
                    "connection broke mid-response after {} bytes: {}",
                    body.len(),
                    redacted_chain(e)
                ))
            })?;
            if body.len() as u64 + chunk.len() as u64 > req.max_bytes {
                return Err(FetchError::TooLarge {
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
        Err(_) => Err(FetchError::Timeout(req.timeout)),
    }
}

/// Sends `req`, following redirects when it asks to. Once a redirect leaves
/// the origin of `req.url`, the token and the configured headers are dropped
/// for the rest of the chain.
async fn send_following(
    client: &reqwest::Client,
    req: &Request<'_>,
) -> Result<reqwest::Response, FetchError> {
    let home = origin(req.url);
    let mut url = req.url.to_string();
    let mut method = req.method.clone();
    let mut body = req.body.clone();
    let mut at_home = true;
    for hop in 0..=MAX_REDIRECTS {
        let mut rb = client.request(method.clone(), &url);
        if at_home {
            if let Some(t) = req.token {
                rb = rb.bearer_auth(t.expose());
            }
        }
        for (k, v) in &req.headers {
            if at_home || NOT_SECRET.contains(&k.to_ascii_lowercase().as_str()) {
                rb = rb.header(k, v);
            }
        }
        if let Some(b) = &body {
            rb = rb.body(b.clone());
        }
        let resp = rb.send().await.map_err(classify)?;
        let status = resp.status();
        if !req.follow_redirects || !status.is_redirection() {
            return Ok(resp);
        }
        let Some(next) = location(&resp, &url) else {
            // A 304, or a 3xx without a usable Location: that is the reply.
            return Ok(resp);
        };
        if hop == MAX_REDIRECTS {
            break;
        }
        if origin(next.as_str()) != home || home.is_none() {
            at_home = false;
        }
        // As browsers do: 303 always, and 301/302 after a POST, become a GET.
        let to_get = status == reqwest::StatusCode::SEE_OTHER
            || (matches!(status.as_u16(), 301 | 302) && method == reqwest::Method::POST);
        if to_get {
            method = reqwest::Method::GET;
            body = None;
        }
        url = next.to_string();
    }
    Err(FetchError::Io(format!(
        "more than {MAX_REDIRECTS} redirects; point url at where the data is"
    )))
}

/// Where a redirect points, resolved against the URL that gave it (http and
/// https only).
fn location(resp: &reqwest::Response, current: &str) -> Option<reqwest::Url> {
    let to = resp
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    let next = reqwest::Url::parse(current).ok()?.join(to).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}

/// Scheme, host and port: what decides whether credentials may go along.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let u = reqwest::Url::parse(url).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default()?,
    ))
}

/// Says what went wrong in words an operator can act on. The URL is left
/// out: evidence names the origin already, and a URL may carry credentials.
fn classify(e: reqwest::Error) -> FetchError {
    let connect = e.is_connect();
    let timeout = e.is_timeout();
    let text = redacted_chain(e);
    if timeout {
        FetchError::Connect(format!("timed out: {text}"))
    } else if connect {
        FetchError::Connect(text)
    } else {
        // The server answered, but not with HTTP we can read (garbage, a
        // connection closed before the headers were complete, ...).
        FetchError::Io(format!("bad HTTP response: {text}"))
    }
}

fn redacted_chain(e: reqwest::Error) -> String {
    crate::io::secret::redact_url_credentials(&error_chain(&e.without_url()))
}

/// `base` + `path` (appended to whatever path `base` has, so a Prometheus
/// behind `/prometheus` works) + query parameters, properly encoded.
pub fn endpoint(base: &str, path: &str, query: &[(&str, &str)]) -> Result<String, FetchError> {
    let mut url = reqwest::Url::parse(base).map_err(|e| {
        FetchError::Config(format!(
            "bad URL \"{}\": {e}",
            crate::io::secret::redact_url_credentials(base)
        ))
    })?;
    {
        let mut segments = url.path_segments_mut().map_err(|_| {
            FetchError::Config("URL cannot take a path (write http://host:port)".into())
        })?;
        segments.pop_if_empty();
        segments.extend(path.split('/').filter(|s| !s.is_empty()));
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    Ok(url.to_string())
}

/// reqwest's top-level message is vague ("error sending request"); the cause says why.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = cur {
        let t = s.to_string();
        // Wrapper layers that say nothing an operator can use.
        let vague = [
            "error sending request",
            "client error (",
            "error decoding response body",
            "error reading a body from connection",
        ]
        .iter()
        .any(|v| t.starts_with(v));
        if !vague && !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_appends_to_the_base_path_and_encodes_the_query() {
        let u = endpoint(
            "http://127.0.0.1:9090",
            "api/v1/query",
            &[("query", "up{job=\"a b\"} > 0")],
        )
        .unwrap();
        assert_eq!(
            u,
            "http://127.0.0.1:9090/api/v1/query?query=up%7Bjob%3D%22a+b%22%7D+%3E+0"
        );
        let u = endpoint("https://h/prometheus/", "api/v1/query", &[]).unwrap();
        assert_eq!(u, "https://h/prometheus/api/v1/query");
        let u = endpoint(
            "http://h:9093",
            "api/v2/alerts",
            &[("filter", "a=\"1\""), ("filter", "b=\"2\"")],
        )
        .unwrap();
        assert!(u.ends_with("?filter=a%3D%221%22&filter=b%3D%222%22"), "{u}");
    }

    #[test]
    fn a_bad_base_url_is_a_config_error_without_the_password() {
        let e = endpoint("http://u:hunter22@[bad", "x", &[]).unwrap_err();
        assert!(matches!(e, FetchError::Config(_)), "{e}");
        assert!(!e.to_string().contains("hunter22"), "{e}");
    }

    #[test]
    fn snippets_are_short_and_printable() {
        assert_eq!(snippet(b"ab\x00c\ndef", 4), "abc…");
    }
}
