//! The kill switch, for real: child processes, files, and (for the http action)
//! a loopback server playing the service that halts. Every other source of the
//! playbook is dead (ports closed): the kill switch must not care.

use crate::support;

use liftoff::act::readback::ReadbackResult;
use liftoff::act::{kill, ActContext};
use liftoff::journal::{self, Actor, Followed};
use liftoff::release::{KillState, ReleaseState};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::net::free_port;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn liftoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .output()
        .expect("run liftoff")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A playbook whose monitoring sources all point at closed ports, with the given kill switch.
fn playbook(kill_switch: &str) -> String {
    let dead = |path: &str| format!("http://127.0.0.1:{}{path}", free_port());
    format!(
        r#"
[release]
name = "kill test"

[source.prom]
kind = "prometheus"
url = "{prom}"
[source.pages]
kind = "alertmanager"
url = "{am}"
[source.ops]
kind = "http"
url = "{ops}"
[source.halted]
kind = "command"
run = ["cat", "halted.flag"]
timeout = "2s"

[[check]]
id = "entropy"
source = "prom"
query = "policy_entropy"
pass = "value >= 0.9"

{kill_switch}
"#,
        prom = dead(""),
        am = dead(""),
        ops = dead("/ops/status"),
    )
}

const FLAG_READBACK: &str = r#"verify = { source = "halted", pass = "exit_code == 0 && stdout.startsWith(\"HALTED\")", timeout = "10s" }"#;

fn kinds(dir: &Path) -> Vec<String> {
    let pb = liftoff::playbook::load(&dir.join("liftoff.toml")).unwrap();
    journal::open(&pb)
        .unwrap()
        .read_all()
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn halts_with_every_source_dead_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let ks = format!(
        "[kill_switch]\nactions = [{{ kind = \"command\", run = [\"sh\", \"-c\", \"echo HALTED > halted.flag\"] }}]\n{FLAG_READBACK}\n"
    );
    let pb = support::playbook::write(dir.path(), &playbook(&ks));
    let out = liftoff(&[
        "kill",
        pb.to_str().unwrap(),
        "--as",
        "ana",
        "--reason",
        "pages firing",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("HALTED: verified by the readback"),
        "{}",
        text(&out)
    );
    assert_eq!(kinds(dir.path()), ["kill_fired", "kill_verified"]);

    let status = liftoff(&["status", pb.to_str().unwrap()]);
    assert!(
        text(&status).contains("kill:    HALTED"),
        "{}",
        text(&status)
    );
}

#[test]
fn exits_1_with_why_when_the_readback_never_passes() {
    let dir = tempfile::tempdir().unwrap();
    let ks = r#"[kill_switch]
actions = [{ kind = "command", run = ["true"] }]
verify = { source = "halted", pass = "exit_code == 0", timeout = "1s", every = "100ms" }
"#;
    let pb = support::playbook::write(dir.path(), &playbook(ks));
    let out = liftoff(&["kill", pb.to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("FAILED: the world is NOT proven halted"), "{t}");
    assert!(t.contains("did not pass within 1s"), "{t}");
    assert!(
        t.contains("`exit_code == 0` is false"),
        "the last reading is evidence: {t}"
    );
    assert_eq!(kinds(dir.path()), ["kill_fired", "kill_failed"]);
    let status = liftoff(&["status", pb.to_str().unwrap()]);
    assert!(
        text(&status).contains("kill:    FAILED"),
        "{}",
        text(&status)
    );
}

#[test]
fn a_failing_action_fails_the_kill_even_when_the_readback_passes() {
    let dir = tempfile::tempdir().unwrap();
    let ks = format!(
        r#"[kill_switch]
actions = [
  {{ kind = "command", run = ["sh", "-c", "echo HALTED > halted.flag"] }},
  {{ kind = "command", run = ["sh", "-c", "echo nope >&2; echo 'at line 2' >&2; exit 3"] }},
  {{ kind = "kubernetes", namespace = "trading-floor", resource = "configmaps", name = "kill", patch = {{ data = {{ HALTED = "1" }} }}, kubeconfig = "no-such-kubeconfig" }},
]
{FLAG_READBACK}
"#
    );
    let pb = support::playbook::write(dir.path(), &playbook(&ks));
    let out = liftoff(&["kill", pb.to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("exited with 3: nope"), "{t}");
    let after = &t[t.find("exited with 3: nope").unwrap()..];
    assert!(
        after
            .lines()
            .nth(1)
            .is_some_and(|l| l.trim() == "at line 2"),
        "stderr keeps its newlines: {t}"
    );
    assert!(
        t.contains("misconfigured: kubeconfig") && t.contains("no-such-kubeconfig"),
        "{t}"
    );
    assert!(t.contains("readback passed"), "both are reported: {t}");
    assert!(
        dir.path().join("halted.flag").exists(),
        "the other actions still ran"
    );
}

/// An action that fails at once gives the room KILL FAILED at once: the
/// readback reads the world once for the report instead of waiting out its
/// (here two-minute) timeout for a pass that cannot change the verdict.
#[test]
fn a_failed_action_does_not_wait_out_the_readback() {
    let dir = tempfile::tempdir().unwrap();
    let ks = r#"[kill_switch]
actions = [{ kind = "command", run = ["sh", "-c", "echo no such rule >&2; exit 2"] }]
verify = { source = "halted", pass = "exit_code == 0", timeout = "120s", every = "100ms" }
"#;
    let pb = support::playbook::write(dir.path(), &playbook(ks));
    let out = liftoff(&["kill", pb.to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("exited with 2: no such rule"), "{t}");
    assert!(t.contains("read once"), "one read, not a wait: {t}");
    assert!(!t.contains("did not pass within"), "{t}");
    assert_eq!(kinds(dir.path()), ["kill_fired", "kill_failed"]);
}

#[test]
fn no_kill_switch_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let pb = support::playbook::write(dir.path(), &playbook(""));
    let out = liftoff(&["kill", pb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no [kill_switch]"));
}

/// The service the kill switch halts: POST /halt (bearer token required) and GET /status.
async fn halt_service(token: &'static str) -> (u16, Arc<AtomicBool>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let halted = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicUsize::new(0));
    let (h, r) = (halted.clone(), refused.clone());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (h, r) = (h.clone(), r.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut n = 0;
                while !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => n += k,
                    }
                }
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let authorized = req
                    .lines()
                    .any(|l| l.eq_ignore_ascii_case(&format!("authorization: Bearer {token}")));
                let (code, body) = if req.starts_with("POST /halt ") && authorized {
                    h.store(true, Ordering::SeqCst);
                    ("200 OK", "{\"ok\":true}".to_string())
                } else if req.starts_with("POST /halt ") {
                    r.fetch_add(1, Ordering::SeqCst);
                    ("401 Unauthorized", "{}".to_string())
                } else {
                    (
                        "200 OK",
                        format!("{{\"halted\":{}}}", h.load(Ordering::SeqCst)),
                    )
                };
                let reply = format!(
                    "HTTP/1.1 {code}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    (port, halted, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_action_and_http_readback_through_the_library_with_journal_events() {
    const TOKEN: &str = "s3cret-halt-token";
    let (port, halted, refused) = halt_service(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("halt.token"), TOKEN).unwrap();
    let ks = format!(
        r#"[source.service]
kind = "http"
url = "http://127.0.0.1:{port}/status"
timeout = "2s"

[kill_switch]
actions = [{{ kind = "http", method = "POST", url = "http://127.0.0.1:{port}/halt", token_file = "halt.token" }}]
verify = {{ source = "service", pass = "status == 200 && json.halted == true", timeout = "10s" }}
"#
    );
    let pb = support::playbook::write(dir.path(), &playbook(&ks));
    let pb = Arc::new(liftoff::playbook::load(&pb).unwrap());
    let journal = journal::open(&pb).unwrap();
    let mut follower = journal.follow(Default::default()).unwrap();
    let ctx = ActContext::new(pb.clone(), journal.clone(), Actor::here(Some("ana")));

    let outcome = tokio::spawn(kill::fire(ctx, Some("guard".into())))
        .await
        .unwrap();
    assert!(outcome.halted(), "{outcome:#?}");
    assert!(halted.load(Ordering::SeqCst));
    assert_eq!(refused.load(Ordering::SeqCst), 0, "the token was sent");
    assert!(matches!(
        outcome.fired.readback,
        ReadbackResult::Passed { .. }
    ));
    let t = outcome.timings();
    assert!(t.dispatched <= t.actions_done && t.verified.is_some_and(|v| v >= t.actions_done));
    assert!(
        outcome.journal_errors.is_empty(),
        "{:?}",
        outcome.journal_errors
    );
    let shown = format!("{outcome:?}");
    assert!(!shown.contains(TOKEN), "the token never shows: {shown}");

    // Another reader sees FIRING then HALTED through the journal.
    let mut state = ReleaseState::default();
    for expected in ["kill_fired", "kill_verified"] {
        let item = tokio::time::timeout(Duration::from_secs(30), follower.recv())
            .await
            .expect("the journal event arrives")
            .expect("follower open");
        let Followed::Event(e) = &item else {
            panic!("{item:?}")
        };
        assert_eq!(e.kind, expected);
        state.apply_followed(&item);
        if expected == "kill_fired" {
            assert!(matches!(state.kill, KillState::Firing { .. }));
        }
    }
    assert!(matches!(state.kill, KillState::Halted { .. }));
}
