//! Servers that misbehave, played by raw TCP listeners in the test: garbage,
//! a 50 MB body, silence, a connection cut mid-response. Every HTTP-speaking
//! source must come back inside its timeout with an error that says what
//! happened, and the engine must turn it into UNKNOWN (fail closed), never a
//! panic, a hang or a PASS.

use crate::support;

use liftoff::engine::{Decision, Status};
use liftoff::source::Payload;
use std::sync::Arc;
use std::time::Duration;
use support::playbook::{self, evaluate, Evaluated};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the fake remote does once it has read a request.
#[derive(Clone)]
enum Remote {
    /// Writes these bytes and closes.
    Raw(Vec<u8>),
    /// Announces a 50 MB body (Content-Length) and starts sending it.
    HugeWithLength,
    /// Streams 50 MB in chunks, never saying how much is coming.
    HugeChunked,
    /// Reads the request and never answers.
    Silent,
}

/// A server with `remote`'s behaviour on a loopback port, until the test ends.
struct BadServer {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for BadServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn bad_server(remote: Remote) -> BadServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let remote = Arc::new(remote);
    let task = tokio::spawn(async move {
        // Silent connections are kept here so they stay open, unanswered.
        let mut held = Vec::new();
        while let Ok((mut conn, _)) = listener.accept().await {
            read_request_head(&mut conn).await;
            match remote.as_ref() {
                Remote::Silent => held.push(conn),
                other => {
                    let other = other.clone();
                    tokio::spawn(async move { misbehave(conn, other).await });
                }
            }
        }
    });
    BadServer { port, task }
}

/// Reading the request first matters: closing with unread input sends a
/// reset, and the test would see "connection reset" instead of the behaviour.
async fn read_request_head(conn: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 2048];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

const FIFTY_MB: usize = 50 * 1024 * 1024;

async fn misbehave(mut conn: TcpStream, remote: Remote) {
    let chunk = vec![b'x'; 64 * 1024];
    match remote {
        Remote::Raw(bytes) => {
            let _ = conn.write_all(&bytes).await;
        }
        Remote::HugeWithLength => {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {FIFTY_MB}\r\n\r\n");
            let _ = conn.write_all(head.as_bytes()).await;
            let mut sent = 0;
            while sent < FIFTY_MB && conn.write_all(&chunk).await.is_ok() {
                sent += chunk.len();
            }
        }
        Remote::HugeChunked => {
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
            let _ = conn.write_all(head.as_bytes()).await;
            let mut sent = 0;
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            while sent < FIFTY_MB && conn.write_all(&framed).await.is_ok() {
                sent += chunk.len();
            }
            let _ = conn.write_all(b"0\r\n\r\n").await;
        }
        Remote::Silent => {}
    }
    let _ = conn.shutdown().await;
}

fn ok_with_body(body: &[u8]) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

/// One source of each HTTP-speaking kind, all pointed at the same server.
fn every_kind(port: u16, timeout: &str) -> String {
    let base = format!("http://127.0.0.1:{port}");
    format!(
        r#"
[release]
name = "bad servers"

[source.prom]
kind = "prometheus"
url = "{base}"
timeout = "{timeout}"

[source.exporter]
kind = "scrape"
url = "{base}/metrics"
timeout = "{timeout}"

[source.pages]
kind = "alertmanager"
url = "{base}"
timeout = "{timeout}"

[source.status]
kind = "http"
url = "{base}/ops/status"
timeout = "{timeout}"

[[check]]
id = "prom"
source = "prom"
query = "up"
pass = "value == 1.0"

[[check]]
id = "exporter"
source = "exporter"
query = "up"
pass = "value == 1.0"

[[check]]
id = "pages"
source = "pages"
pass = "alerts.size() == 0"

[[check]]
id = "status"
source = "status"
pass = "status == 200 && json.ok == true"
"#
    )
}

const KINDS: [&str; 4] = ["prom", "exporter", "pages", "status"];

/// Evaluates with a generous guard: a hang fails the test instead of stalling it.
async fn evaluate_against(remote: Remote, timeout: &str) -> Evaluated {
    let server = bad_server(remote).await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook::load(dir.path(), &every_kind(server.port, timeout));
    tokio::time::timeout(Duration::from_secs(20), evaluate(&pb))
        .await
        .expect("a poll hung past every timeout")
}

/// Every check named is UNKNOWN, the gate NO-GO, and each reason contains `why`.
fn assert_unknown(e: &Evaluated, checks: &[&str], why: &str) {
    for check in checks {
        assert_eq!(e.status(check), Status::Unknown, "{check}: {}", e.summary());
        assert!(
            e.reason(check).contains(why),
            "{check}: expected `{why}` in: {}",
            e.reason(check)
        );
    }
    assert_eq!(e.gate.decision, Decision::NoGo);
}

#[tokio::test]
async fn garbage_bodies_are_unparsable_not_data() {
    let body = b"\x00\x01<html>{{{ surely not metrics, JSON or alerts".to_vec();
    let e = evaluate_against(Remote::Raw(ok_with_body(&body)), "2s").await;
    assert_unknown(
        &e,
        &["prom"],
        "unparsable response: not a Prometheus API reply",
    );
    assert_unknown(
        &e,
        &["exporter"],
        "unparsable response: not a metrics page: line 1",
    );
    assert_unknown(
        &e,
        &["pages"],
        "unparsable response: not an Alertmanager alert list",
    );
    assert!(
        e.reason("prom").contains("surely not metrics"),
        "{}",
        e.reason("prom")
    );
    // For an http source any reply is data; the condition over it fails closed.
    let Ok(Payload::Http(reply)) = &e.observations["status"].outcome else {
        panic!("http source should observe the reply: {}", e.summary());
    };
    assert_eq!(reply.status, 200);
    assert!(reply.json.is_none());
    assert_eq!(e.status("status"), Status::Unknown, "{}", e.summary());
}

#[tokio::test]
async fn a_server_that_does_not_speak_http_is_a_bad_response() {
    let e = evaluate_against(
        Remote::Raw(b"\x16\x03\x01garbage garbage\r\n\r\n".to_vec()),
        "2s",
    )
    .await;
    assert_unknown(&e, &KINDS, "bad HTTP response");
}

#[tokio::test]
async fn fifty_megabytes_is_larger_than_the_cap() {
    let e = evaluate_against(Remote::HugeWithLength, "5s").await;
    assert_unknown(&e, &KINDS, "larger than the 4194304-byte cap");
    let e = evaluate_against(Remote::HugeChunked, "5s").await;
    assert_unknown(&e, &KINDS, "larger than the 4194304-byte cap");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let e = evaluate_against(Remote::Silent, "1s").await;
    assert_unknown(&e, &KINDS, "timed out after 1s");
}

#[tokio::test]
async fn a_connection_closed_mid_response_is_said_so() {
    let cut_body = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"status\":\"succ".to_vec();
    let e = evaluate_against(Remote::Raw(cut_body), "2s").await;
    assert_unknown(&e, &KINDS, "connection broke mid-response");
    let cut_head = b"HTTP/1.1 200 OK\r\nContent-Le".to_vec();
    let e = evaluate_against(Remote::Raw(cut_head), "2s").await;
    assert_unknown(&e, &KINDS, "bad HTTP response");
}

#[tokio::test]
async fn secrets_never_reach_evidence() {
    // SAFETY of the test: a variable name no other test uses.
    std::env::set_var("LIFTOFF_BAD_SERVERS_TOKEN", "tok-3f9a1c7e5b");
    std::env::set_var("LIFTOFF_BAD_SERVERS_KEY", "key-77d0e4a2c1");
    // Each remote echoes back what its client sent, secrets included.
    let prom = bad_server(Remote::Raw(ok_with_body(
        b"you sent Bearer tok-3f9a1c7e5b, so: tok-3f9a1c7e5b",
    )))
    .await;
    let status = bad_server(Remote::Raw(ok_with_body(
        br#"{"echo": "you sent Bearer tok-3f9a1c7e5b and X-Api-Key key-77d0e4a2c1"}"#,
    )))
    .await;
    let text = format!(
        r#"
[release]
name = "secrets"

[source.prom]
kind = "prometheus"
url = "http://127.0.0.1:{}"
token_env = "LIFTOFF_BAD_SERVERS_TOKEN"

[source.status]
kind = "http"
url = "http://127.0.0.1:{}/ops/status"
token_env = "LIFTOFF_BAD_SERVERS_TOKEN"
headers = {{ X-Api-Key = "LIFTOFF_BAD_SERVERS_KEY" }}

[[check]]
id = "prom"
source = "prom"
query = "up"
pass = "value == 1.0"

[[check]]
id = "status"
source = "status"
pass = "status == 200"
"#,
        prom.port, status.port
    );
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook::load(dir.path(), &text);
    let e = evaluate(&pb).await;
    assert_eq!(e.status("prom"), Status::Unknown);
    assert_eq!(e.status("status"), Status::Pass);
    let everything = format!(
        "{}\n{}",
        serde_json::to_string(&e.observations).unwrap(),
        serde_json::to_string(&e.verdicts).unwrap()
    );
    assert!(
        everything.contains("you sent Bearer <redacted>"),
        "{everything}"
    );
    for secret in ["tok-3f9a1c7e5b", "key-77d0e4a2c1"] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked: {everything}"
        );
    }
}
