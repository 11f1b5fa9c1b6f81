//! An `http` source whose server redirects, with two real loopback servers
//! on different ports: off by default; with `follow_redirects = true`, the
//! API key header and the bearer token never reach the other origin.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use liftoff::playbook::load;
use liftoff::source::poll::{poll, PollContext};
use liftoff::source::{Payload, SourceError};
use std::path::Path;
use std::sync::{Arc, Mutex};

const API_KEY: &str = "api-key-5e1d0c9b8a77";
const TOKEN: &str = "bearer-tok-0a1b2c3d4e";

/// The headers of every request a server got, by path.
type Seen = Arc<Mutex<Vec<(String, HeaderMap)>>>;

/// A loopback server: `/here` answers 200, `/hop` redirects to `/here` on
/// the same server, `/away` redirects to `target` (another server).
async fn server(target: Option<String>) -> (u16, Seen) {
    let seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
    let app = Router::new()
        .route(
            "/here",
            get(move |h: HeaderMap| {
                let seen = s1.clone();
                async move {
                    seen.lock().unwrap().push(("/here".into(), h));
                    (StatusCode::OK, "{\"ok\": true}").into_response()
                }
            }),
        )
        .route(
            "/hop",
            get(move |h: HeaderMap| {
                let seen = s2.clone();
                async move {
                    seen.lock().unwrap().push(("/hop".into(), h));
                    Redirect::temporary("/here").into_response()
                }
            }),
        )
        .route(
            "/away",
            get(move |h: HeaderMap| {
                let (seen, target) = (s3.clone(), target.clone());
                async move {
                    seen.lock().unwrap().push(("/away".into(), h));
                    match target {
                        Some(t) => Redirect::temporary(&t).into_response(),
                        None => Response::new("no target".into()),
                    }
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, seen)
}

fn playbook(dir: &Path, url: &str, follow: bool) -> liftoff::playbook::LoadedPlaybook {
    std::fs::write(dir.join("token"), TOKEN).unwrap();
    let path = dir.join("liftoff.toml");
    std::fs::write(
        &path,
        format!(
            r#"[release]
name = "redirects"

[source.api]
kind = "http"
url = "{url}"
token_file = "token"
headers = {{ X-Api-Key = "LIFTOFF_REDIRECT_TEST_KEY" }}
{follow}

[[check]]
id = "api"
title = "api answers"
source = "api"
pass = "status == 200"
"#,
            follow = if follow {
                "follow_redirects = true"
            } else {
                ""
            }
        ),
    )
    .unwrap();
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

async fn status_of(dir: &Path, url: &str, follow: bool) -> Result<u16, SourceError> {
    // Safety of set_var: every test here sets the same value.
    std::env::set_var("LIFTOFF_REDIRECT_TEST_KEY", API_KEY);
    let pb = playbook(dir, url, follow);
    let ctx = PollContext::new(pb.base_dir());
    match poll(&ctx, "api", &pb.sources["api"], &[]).await.outcome? {
        Payload::Http(reply) => Ok(reply.status),
        other => panic!("not an http reply: {other:?}"),
    }
}

fn carries_credentials(h: &HeaderMap) -> bool {
    h.get("x-api-key").is_some() || h.get("authorization").is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_not_followed_unless_asked() {
    let (b, b_seen) = server(None).await;
    let (a, a_seen) = server(Some(format!("http://127.0.0.1:{b}/here"))).await;
    let dir = tempfile::tempdir().unwrap();
    let status = status_of(dir.path(), &format!("http://127.0.0.1:{a}/away"), false).await;
    assert_eq!(status.unwrap(), 307);
    assert_eq!(a_seen.lock().unwrap().len(), 1);
    assert!(
        b_seen.lock().unwrap().is_empty(),
        "the other origin was asked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_followed_redirect_to_another_port_carries_no_credentials() {
    let (b, b_seen) = server(None).await;
    let (a, a_seen) = server(Some(format!("http://127.0.0.1:{b}/here"))).await;
    let dir = tempfile::tempdir().unwrap();
    let status = status_of(dir.path(), &format!("http://127.0.0.1:{a}/away"), true).await;
    assert_eq!(status.unwrap(), 200);
    let a_seen = a_seen.lock().unwrap();
    assert!(
        carries_credentials(&a_seen[0].1),
        "the configured origin gets them"
    );
    let b_seen = b_seen.lock().unwrap();
    assert_eq!(b_seen.len(), 1, "{b_seen:?}");
    assert!(
        !carries_credentials(&b_seen[0].1),
        "credentials followed the redirect: {:?}",
        b_seen[0].1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_same_origin_redirect_keeps_them_and_loops_are_capped() {
    let (a, a_seen) = server(None).await;
    let dir = tempfile::tempdir().unwrap();
    let status = status_of(dir.path(), &format!("http://127.0.0.1:{a}/hop"), true).await;
    assert_eq!(status.unwrap(), 200);
    let seen = a_seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|(_, h)| carries_credentials(h)), "{seen:?}");

    // A redirect to itself, forever.
    let looping = server_looping().await;
    let err = status_of(
        dir.path(),
        &format!("http://127.0.0.1:{looping}/loop"),
        true,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");
}

/// A server whose `/loop` redirects to itself.
async fn server_looping() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new().route("/loop", get(|| async { Redirect::temporary("/loop") }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}
