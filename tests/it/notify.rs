//! Notifications against webhook receivers on loopback: one well-formed
//! message per event, retries and a journaled failure that never shows the
//! URL, and a receiver that hangs never delaying the kill switch (in process
//! and through `liftoff kill`).

use crate::support;

use chrono::Utc;
use liftoff::act::{kill, ActContext};
use liftoff::journal::event::*;
use liftoff::journal::{self, Actor, Event, NewEvent, SharedJournal};
use liftoff::notify::{self, Options, Retry, Scope};
use liftoff::playbook::LoadedPlaybook;
use liftoff::release::KillState;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::net::wait_until;
use support::webhook::{Answer, Receiver};

const SECRET_PATH: &str = "/services/T0001/B0002/s3cr3t-hook-token";

fn playbook(dir: &Path, notify: &str) -> Arc<LoadedPlaybook> {
    let text = format!(
        r#"
[release]
name = "notify test"

[source.halted]
kind = "command"
run = ["cat", "halted.flag"]
timeout = "2s"

[[check]]
id = "halted"
source = "halted"
pass = "exit_code == 0"

[kill_switch]
actions = [{{ kind = "command", run = ["true"] }}]
verify = {{ source = "halted", pass = 'exit_code == 0 && stdout.startsWith("HALTED")', timeout = "30s", every = "50ms" }}

{notify}
"#
    );
    Arc::new(support::playbook::load(dir, &text))
}

fn fast() -> Options {
    Options {
        scope: Scope::OwnEvents {
            since: Utc::now() - chrono::Duration::seconds(1),
        },
        retry: Retry {
            attempts: 3,
            backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
        },
        ..Options::default()
    }
}

fn follow(
    pb: &LoadedPlaybook,
) -> (
    SharedJournal,
    tokio::sync::mpsc::Receiver<journal::Followed>,
) {
    let j = journal::open(pb).unwrap();
    let cursor = j.read_all().unwrap().cursor;
    let rx = j.follow(cursor).unwrap();
    (j, rx)
}

fn append(j: &SharedJournal, actor: &Actor, e: Event) -> u64 {
    j.append(NewEvent::new(actor, &e)).unwrap().id
}

/// Every notifiable kind once, plus kinds that are never sent.
fn every_event() -> Vec<Event> {
    let fired = |target: Option<&str>| Fired {
        target: target.map(str::to_string),
        reason: Some("pages firing".into()),
        actions: 1,
        dispatched_us: 40,
    };
    vec![
        Event::Ack(Ack {
            role: "captain".into(),
            comment: None,
            stage: None,
        }),
        Event::Decision(Decision {
            decision: "GO".into(),
            justification: Some("all green".into()),
            next_review: None,
            holds: vec![],
            record: None,
        }),
        Event::StageEntered(StageEntered {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            verified: true,
            took_ms: 80,
            back: false,
        }),
        Event::DecisionPoint(DecisionPoint {
            stage: "10%".into(),
            offset_ms: 1_800_000,
            decision: "GO".into(),
            checks: vec![],
        }),
        Event::GuardTripped(GuardTripped {
            guard: "entropy-floor".into(),
            on_trip: "alarm".into(),
            value: Some("0.7".into()),
            reason: "value < 0.8 for 30s".into(),
            since: Utc::now(),
        }),
        Event::KillFired(fired(None)),
        Event::KillVerified(Verified {
            target: None,
            took_ms: 120,
        }),
        Event::KillFailed(Failed {
            target: None,
            why: "readback never passed".into(),
        }),
        Event::RollbackFired(fired(Some("telemetry-only"))),
        Event::RollbackVerified(Verified {
            target: Some("telemetry-only".into()),
            took_ms: 90,
        }),
        Event::RollbackFailed(Failed {
            target: Some("no-extended-contexts".into()),
            why: "sed failed".into(),
        }),
        Event::ManualTicked(Manual {
            item: "rollback_plan".into(),
            role: None,
        }),
        Event::BaselineRecorded(Baseline {
            name: "rate".into(),
            value: 0.9,
            ..Default::default()
        }),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn each_webhook_gets_one_well_formed_message_per_event() {
    let dir = tempfile::tempdir().unwrap();
    let slack = Receiver::start(Answer::Ok, SECRET_PATH).await;
    let hook = Receiver::start(Answer::Ok, "/liftoff").await;
    std::fs::write(dir.path().join("slack.url"), &slack.url).unwrap();
    std::fs::write(dir.path().join("hook.url"), &hook.url).unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[[notify]]
kind = "slack"
url_file = "slack.url"

[[notify]]
kind = "webhook"
url_file = "hook.url"
events = ["kill_fired", "kill_verified", "rollback"]
"#,
    );
    let (j, rx) = follow(&pb);
    let handle = notify::spawn_with(pb.clone(), j.clone(), rx, fast());
    let me = Actor::here(Some("ana")).with_role(Some("captain"));
    for e in every_event() {
        append(&j, &me, e);
    }
    // Another process's event is that process's to tell.
    let other = Actor {
        pid: std::process::id() + 1,
        ..me.clone()
    };
    let last = append(
        &j,
        &other,
        Event::KillVerified(Verified {
            target: None,
            took_ms: 5,
        }),
    );
    assert!(
        handle.settle(last, Duration::from_secs(20)).await,
        "{:?}",
        handle.status()
    );

    let texts: Vec<String> = slack
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.path, SECRET_PATH);
            assert_eq!(r.content_type.as_deref(), Some("application/json"));
            let body = r.json();
            let obj = body.as_object().expect("an object");
            assert_eq!(obj.len(), 1, "Slack gets only `text`: {body}");
            body["text"].as_str().expect("text is a string").to_string()
        })
        .collect();
    let expected = [
        "decision GO: all green",
        "entered stage 10% (10%)",
        "decision point T+30m at 10%: GO",
        "guard entropy-floor tripped (alarm)",
        "KILL SWITCH fired (1 actions): pages firing",
        "KILL SWITCH verified HALTED",
        "KILL SWITCH FAILED: readback never passed",
        "rollback telemetry-only fired",
        "rollback telemetry-only verified",
        "rollback no-extended-contexts FAILED: sed failed",
    ];
    assert_eq!(texts.len(), expected.len(), "{texts:#?}");
    for (t, want) in texts.iter().zip(expected) {
        assert!(t.contains(want), "{t} should say {want}");
        assert!(t.starts_with(":") || t.starts_with("[notify test]"), "{t}");
        assert!(t.contains("ana (captain)"), "{t}");
    }

    let kinds: Vec<String> = hook
        .requests()
        .iter()
        .map(|r| {
            let v = r.json();
            assert_eq!(v["release"], "notify test");
            assert!(
                v["id"].as_u64().is_some() && v["hash"].as_str().is_some_and(|h| h.len() == 64),
                "{v}"
            );
            assert_eq!(v["actor"]["name"], "ana");
            v["kind"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "kill_fired",
            "kill_verified",
            "rollback_fired",
            "rollback_verified",
            "rollback_failed"
        ]
    );
    let s = handle.status();
    assert_eq!((s.sent, s.failed, s.pending), (15, 0, 0), "{s:?}");
    assert_eq!(s.line(), None);
}

fn journal_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("artifacts/audit/journal.jsonl")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_retried_then_journaled_without_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let broken = Receiver::start(Answer::Status(500), SECRET_PATH).await;
    let gone = Receiver::start(Answer::Status(404), SECRET_PATH).await;
    std::fs::write(dir.path().join("broken.url"), &broken.url).unwrap();
    std::fs::write(dir.path().join("gone.url"), &gone.url).unwrap();
    let pb = playbook(
        dir.path(),
        r#"
[[notify]]
kind = "slack"
url_file = "broken.url"

[[notify]]
kind = "webhook"
url_file = "gone.url"

[[notify]]
kind = "slack"
url_env = "LIFTOFF_TEST_SURELY_UNSET_WEBHOOK"
"#,
    );
    let (j, rx) = follow(&pb);
    let handle = notify::spawn_with(pb.clone(), j.clone(), rx, fast());
    let id = append(
        &j,
        &Actor::here(Some("ana")),
        Event::KillVerified(Verified {
            target: None,
            took_ms: 9,
        }),
    );
    assert!(
        handle.settle(id, Duration::from_secs(20)).await,
        "{:?}",
        handle.status()
    );

    assert_eq!(broken.count(), 3, "a 500 is retried up to the attempts");
    assert_eq!(gone.count(), 1, "a 404 will not get better: no retry");
    let s = handle.status();
    assert_eq!((s.sent, s.failed, s.pending), (0, 3, 0), "{s:?}");
    assert!(
        s.line().is_some_and(|l| l.contains("webhooks: 3 failed")),
        "{s:?}"
    );

    // Each failure is in the journal, for every process sharing it.
    wait_until(
        Duration::from_secs(10),
        "three notify_failed events",
        || async {
            journal_text(dir.path())
                .matches("\"notify_failed\"")
                .count()
                == 3
        },
    )
    .await;
    let events = j.read_all().unwrap().events;
    let failed: Vec<NotifyFailed> = events
        .iter()
        .filter_map(|e| match e.event() {
            Some(Event::NotifyFailed(n)) => Some(n),
            _ => None,
        })
        .collect();
    let by = |t: &str| {
        failed
            .iter()
            .find(|n| n.target == t)
            .unwrap_or_else(|| panic!("{failed:?}"))
    };
    assert_eq!(by("slack#1").attempts, 3);
    assert!(
        by("slack#1").why.contains("HTTP 500"),
        "{:?}",
        by("slack#1")
    );
    assert_eq!(by("slack#1").event_kind.as_deref(), Some("kill_verified"));
    assert_eq!(by("webhook#2").attempts, 1);
    assert!(by("slack#3")
        .why
        .contains("LIFTOFF_TEST_SURELY_UNSET_WEBHOOK"));
    let journal = journal_text(dir.path());
    assert!(
        !journal.contains("s3cr3t-hook-token"),
        "the URL leaked: {journal}"
    );
    let state = liftoff::release::ReleaseState::fold(&events);
    assert_eq!(state.notify_failures, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_webhook_never_delays_the_kill_switch() {
    let dir = tempfile::tempdir().unwrap();
    let hang = Receiver::start(Answer::Hang, SECRET_PATH).await;
    std::fs::write(dir.path().join("slack.url"), &hang.url).unwrap();
    let pb = playbook(
        dir.path(),
        "[[notify]]\nkind = \"slack\"\nurl_file = \"slack.url\"\ntimeout = \"60s\"\n",
    );
    let (j, rx) = follow(&pb);
    let handle = notify::spawn(pb.clone(), j.clone(), rx);
    let ctx = ActContext::new(pb.clone(), j.clone(), Actor::here(Some("ana")));
    let firing = tokio::spawn(kill::fire(ctx, Some("test".into())));

    // The webhook has kill_fired and is sitting on it...
    wait_until(
        Duration::from_secs(20),
        "the webhook to receive kill_fired",
        || async { hang.count() >= 1 },
    )
    .await;
    assert!(hang.requests()[0].json()["text"]
        .as_str()
        .unwrap()
        .contains("KILL SWITCH fired"));
    assert!(
        !firing.is_finished(),
        "the readback waits for the world to halt"
    );
    // ...when the world halts: the readback passes and the kill switch is verified.
    std::fs::write(dir.path().join("halted.flag"), "HALTED\n").unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(20), firing)
        .await
        .expect("the kill switch finished while the webhook hangs")
        .unwrap();
    assert!(
        matches!(outcome.state, KillState::Halted { .. }),
        "{:?}",
        outcome.state
    );
    assert_eq!(hang.answered(), 0, "the webhook never answered");
    let s = handle.status();
    assert!(s.pending >= 1, "still sending: {s:?}");
    assert_eq!(s.sent, 0);
}

fn kill_playbook(dir: &Path) -> std::path::PathBuf {
    support::playbook::write(
        dir,
        r#"
[release]
name = "kill notify"

[source.halted]
kind = "command"
run = ["cat", "halted.flag"]
timeout = "2s"

[kill_switch]
actions = [{ kind = "command", run = ["sh", "-c", "echo HALTED > halted.flag"] }]
verify = { source = "halted", pass = 'stdout.startsWith("HALTED")', timeout = "10s" }

[[notify]]
kind = "slack"
url_env = "LIFTOFF_TEST_HOOK"
timeout = "1s"
"#,
    )
}

async fn liftoff_kill(playbook: &Path, hook: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args([
            "kill",
            playbook.to_str().unwrap(),
            "--as",
            "ana",
            "--reason",
            "drill",
        ])
        .env("LIFTOFF_TEST_HOOK", hook)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run liftoff kill")
}

#[tokio::test(flavor = "multi_thread")]
async fn liftoff_kill_exits_on_its_verdict_while_the_webhook_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let hang = Receiver::start(Answer::Hang, SECRET_PATH).await;
    let pb = kill_playbook(dir.path());
    let out = liftoff_kill(&pb, &hang.url).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("HALTED: verified by the readback"),
        "{stdout}"
    );
    assert!(stderr.contains("still unanswered after 1s"), "{stderr}");
    assert!(hang.count() >= 1 && hang.answered() == 0);
    assert!(!format!("{stdout}{stderr}").contains("s3cr3t-hook-token"));
    let kinds: Vec<String> = liftoff::journal::open(&liftoff::playbook::load(&pb).unwrap())
        .unwrap()
        .read_all()
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(&kinds[..2], ["kill_fired", "kill_verified"], "{kinds:?}");
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("notify_failed"),
        "{kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn liftoff_kill_tells_the_webhook_after_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let slack = Receiver::start(Answer::Ok, SECRET_PATH).await;
    let pb = kill_playbook(dir.path());
    let out = liftoff_kill(&pb, &slack.url).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("notified: 2 webhook message(s) sent"),
        "{stderr}"
    );
    let texts: Vec<String> = slack
        .requests()
        .iter()
        .map(|r| r.json()["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].contains("KILL SWITCH fired (1 actions): drill"),
        "{texts:?}"
    );
    assert!(
        texts[1].contains("KILL SWITCH verified HALTED"),
        "{texts:?}"
    );
}
