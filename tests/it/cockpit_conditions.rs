//! The cockpit's lasting status-line conditions, through the same functions
//! the cockpit's run loop starts: its own journal events reach the playbook's
//! webhooks (a receiver on loopback), a failing webhook shows on the status
//! line, and (with the etcd feature) an unreachable journal shows at once.

use crate::support;

use liftoff::journal::event::Fired;
use liftoff::journal::{self, Actor, Event, NewEvent};
use liftoff::supervisor::conditions;
use liftoff::supervisor::event::SupervisorEvent;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::webhook::{Answer, Receiver};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn playbook(dir: &std::path::Path, extra: &str) -> Arc<liftoff::playbook::LoadedPlaybook> {
    let text = format!(
        "[release]\nname = \"conditions\"\n\n[source.s]\nkind = \"command\"\nrun = [\"true\"]\n\n[[check]]\nid = \"c\"\nsource = \"s\"\npass = \"exit_code == 0\"\n\n{extra}\n"
    );
    Arc::new(support::playbook::load(dir, &text))
}

fn fired() -> Event {
    Event::KillFired(Fired {
        target: None,
        reason: Some("conditions test".into()),
        actions: 1,
        dispatched_us: 40,
    })
}

/// The next `Condition` for `topic`, skipping other events, within `within`.
async fn condition(
    rx: &mut mpsc::Receiver<SupervisorEvent>,
    topic: &str,
    within: Duration,
) -> Option<String> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, rx.recv()).await.ok()?? {
            SupervisorEvent::Condition { topic: t, text } if t == topic => return text,
            _ => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cockpits_own_events_reach_its_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let hook = Receiver::start(Answer::Ok, "/liftoff-hook").await;
    std::fs::write(dir.path().join("hook.url"), &hook.url).unwrap();
    let pb = playbook(
        dir.path(),
        "[[notify]]\nkind = \"webhook\"\nurl_file = \"hook.url\"\n",
    );
    let j = journal::open(&pb.journal_config()).unwrap();
    let (tx, _rx) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    conditions::start_webhooks(pb.clone(), j.clone(), tx, cancel.clone());
    // The notifier follows from where the journal stood when it started:
    // append until one of our events is delivered (awaited, with a deadline).
    let me = Actor::here(Some("ana"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while hook.count() == 0 {
        assert!(Instant::now() < deadline, "no webhook message arrived");
        j.append(NewEvent::new(&me, &fired())).unwrap();
        let seen = Instant::now() + Duration::from_millis(300);
        while hook.count() == 0 && Instant::now() < seen {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let body = hook.requests()[0].json();
    assert_eq!(body["kind"], "kill_fired", "{body}");
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_webhook_shows_on_the_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let hook = Receiver::start(Answer::Status(500), "/broken").await;
    std::fs::write(dir.path().join("hook.url"), &hook.url).unwrap();
    let pb = playbook(
        dir.path(),
        "[[notify]]\nkind = \"slack\"\nurl_file = \"hook.url\"\n",
    );
    let j = journal::open(&pb.journal_config()).unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    conditions::start_webhooks(pb.clone(), j.clone(), tx, cancel.clone());
    let me = Actor::here(Some("ana"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        assert!(Instant::now() < deadline, "no webhook failure was shown");
        j.append(NewEvent::new(&me, &fired())).unwrap();
        if let Some(text) = condition(&mut rx, "webhooks", Duration::from_secs(2)).await {
            if text.contains("failed") {
                break text;
            }
        }
    };
    assert!(text.starts_with("webhooks:"), "{text}");
    assert!(
        !text.contains("/broken"),
        "the webhook URL is a secret: {text}"
    );
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_file_journal_raises_no_condition() {
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), "");
    let j = journal::open(&pb.journal_config()).unwrap();
    let (tx, mut rx) = mpsc::channel(8);
    let cancel = CancellationToken::new();
    conditions::watch_journal(j, tx, cancel.clone());
    assert_eq!(
        condition(&mut rx, "journal", Duration::from_secs(2)).await,
        None
    );
    cancel.cancel();
}

/// etcd on a port nothing listens on: the first append fails loudly, and the
/// status line says the journal is unreachable.
#[cfg(feature = "etcd")]
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_etcd_journal_shows_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = support::net::free_port();
    let pb = Arc::new(support::playbook::load(
        dir.path(),
        &format!(
            "[release]\nname = \"conditions\"\njournal = \"etcd://127.0.0.1:{port}/liftoff-test\"\n\n[source.s]\nkind = \"command\"\nrun = [\"true\"]\n\n[[check]]\nid = \"c\"\nsource = \"s\"\npass = \"exit_code == 0\"\n"
        ),
    ));
    let j = journal::open(&pb.journal_config()).unwrap();
    let (tx, mut rx) = mpsc::channel(8);
    let cancel = CancellationToken::new();
    conditions::watch_journal(j.clone(), tx, cancel.clone());
    let writer = j.clone();
    let appended = tokio::task::spawn_blocking(move || {
        writer.append(NewEvent::new(&Actor::here(Some("ana")), &fired()))
    })
    .await
    .unwrap();
    assert!(
        appended.is_err(),
        "an append to a dead etcd must fail loudly"
    );
    let text = condition(&mut rx, "journal", Duration::from_secs(10)).await;
    assert!(
        text.as_deref()
            .is_some_and(|t| t.contains("JOURNAL UNREACHABLE")),
        "{text:?}"
    );
    cancel.cancel();
}
