//! Guards: the `for` count with explicit timestamps (pure), and a tripped
//! `on_trip = "kill"` guard firing the real kill switch while a real ramp
//! stage runs (awaiting the journal events, never sleeping).

use crate::support;

use chrono::{DateTime, Duration as Cd, Utc};
use liftoff::act::guards::{answer_alarm, on_trip, TripOutcome};
use liftoff::act::{stage, ActContext};
use liftoff::expr::bind::Surroundings;
use liftoff::guard::{judge_trip, stale_after, Tracker, Trip, Update};
use liftoff::journal::{self, Actor, Followed, SharedJournal};
use liftoff::playbook::{CompiledGuard, LoadedPlaybook};
use liftoff::release::{KillState, ReleaseState};
use liftoff::source::{Observation, Payload, Sample, SourceError};
use std::sync::Arc;
use std::time::Duration;

fn t(sec: i64) -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + Cd::seconds(sec)
}

const PLAYBOOK: &str = r#"
[release]
name = "guards"

[source.pct]
kind = "command"
run = ["cat", "pct.txt"]
timeout = "2s"

[source.policy]
kind = "command"
run = ["cat", "entropy.txt"]
interval = "5s"
timeout = "2s"

[source.scraped]
kind = "scrape"
url = "http://127.0.0.1:1/metrics"

[ramp]
set = { kind = "command", run = ["sh", "-c", "echo {percent} > pct.txt"] }
readback = { source = "pct", pass = "json == percent", timeout = "10s" }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10

[[guard]]
id = "entropy-floor"
source = "policy"
trip = "json < 0.8"
on_trip = "kill"

[[guard]]
id = "entropy-slow"
source = "scraped"
query = "policy_entropy"
trip = "value < 0.8"
for = "30s"
on_trip = "alarm"

[kill_switch]
actions = [{ kind = "command", run = ["sh", "-c", "echo 0 > pct.txt"] }]
verify = { source = "pct", pass = "json == 0", timeout = "10s" }
"#;

fn loaded(dir: &std::path::Path) -> LoadedPlaybook {
    support::playbook::load(dir, PLAYBOOK)
}

fn guard<'a>(pb: &'a LoadedPlaybook, id: &str) -> &'a CompiledGuard {
    pb.guards.iter().find(|g| g.spec.id == id).unwrap()
}

#[test]
fn trips_only_after_holding_for_its_for() {
    let pb = loaded(std::path::Path::new("/tmp"));
    let g = &guard(&pb, "entropy-slow").spec;
    let mut tr = Tracker::new();
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(0), true),
        Update::Pending {
            since: t(0),
            left: Duration::from_secs(30)
        }
    );
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(10), true),
        Update::Pending {
            since: t(0),
            left: Duration::from_secs(20)
        }
    );
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(30), true),
        Update::Tripped {
            since: t(0),
            at: t(30)
        }
    );
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(35), true),
        Update::StillTripped { since: t(0) }
    );
}

#[test]
fn recovering_sooner_resets_the_count() {
    let pb = loaded(std::path::Path::new("/tmp"));
    let g = &guard(&pb, "entropy-slow").spec;
    let mut tr = Tracker::new();
    tr.observe(g, &Trip::Holds, t(0), true);
    tr.observe(g, &Trip::Holds, t(25), true);
    assert_eq!(tr.observe(g, &Trip::Clear, t(29), true), Update::Clear);
    assert!(
        matches!(tr.observe(g, &Trip::Holds, t(31), true), Update::Pending { since, .. } if since == t(31))
    );
    assert!(matches!(
        tr.observe(g, &Trip::Holds, t(60), true),
        Update::Pending { .. }
    ));
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(61), true),
        Update::Tripped {
            since: t(31),
            at: t(61)
        }
    );
    // After recovery it may trip again (a new episode).
    tr.observe(g, &Trip::Clear, t(70), true);
    tr.observe(g, &Trip::Holds, t(80), true);
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(110), true),
        Update::Tripped {
            since: t(80),
            at: t(110)
        }
    );
}

#[test]
fn unknown_never_trips_is_reported_and_breaks_the_count() {
    let pb = loaded(std::path::Path::new("/tmp"));
    let g = &guard(&pb, "entropy-slow").spec;
    let mut tr = Tracker::new();
    tr.observe(g, &Trip::Holds, t(0), true);
    let u = tr.observe(
        g,
        &Trip::Unknown("source failed: timed out".into()),
        t(20),
        true,
    );
    assert_eq!(
        u,
        Update::Unknown {
            reason: "source failed: timed out".into()
        }
    );
    for s in 21..100 {
        let u = tr.observe(g, &Trip::Unknown("no data".into()), t(s), true);
        assert!(matches!(u, Update::Unknown { .. }));
    }
    assert!(
        matches!(tr.observe(g, &Trip::Holds, t(100), true), Update::Pending { since, .. } if since == t(100))
    );
}

#[test]
fn guards_watch_only_while_a_ramp_runs_and_for_defaults_to_zero() {
    let pb = loaded(std::path::Path::new("/tmp"));
    let g = &guard(&pb, "entropy-floor").spec;
    let mut tr = Tracker::new();
    assert_eq!(tr.observe(g, &Trip::Holds, t(0), false), Update::Idle);
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(1), true),
        Update::Tripped {
            since: t(1),
            at: t(1)
        }
    );
    assert_eq!(tr.observe(g, &Trip::Holds, t(2), false), Update::Idle);
    assert_eq!(
        tr.observe(g, &Trip::Holds, t(3), true),
        Update::Tripped {
            since: t(3),
            at: t(3)
        }
    );
}

fn scrape(value: Option<f64>, at: DateTime<Utc>) -> Observation {
    let samples = value
        .map(|v| Sample {
            labels: [("__name__".to_string(), "policy_entropy".to_string())].into(),
            value: v,
        })
        .into_iter()
        .collect();
    Observation {
        source: "scraped".into(),
        at,
        took: Duration::from_millis(3),
        origin: "test".into(),
        outcome: Ok(Payload::Scrape { samples }),
    }
}

#[test]
fn the_trip_condition_over_observations() {
    let pb = loaded(std::path::Path::new("/tmp"));
    let g = guard(&pb, "entropy-slow");
    let stale = stale_after(&pb.sources["scraped"]);
    let x = Surroundings::default();
    let r = judge_trip(g, Some(&scrape(Some(0.7), t(0))), t(1), &x, stale);
    assert_eq!(r.trip, Trip::Holds);
    assert_eq!(r.value.as_deref(), Some("0.7"));
    assert_eq!(
        judge_trip(g, Some(&scrape(Some(0.9), t(0))), t(1), &x, stale).trip,
        Trip::Clear
    );
    let unknown = |r: liftoff::guard::Reading| match r.trip {
        Trip::Unknown(why) => why,
        other => panic!("{other:?}"),
    };
    assert!(unknown(judge_trip(g, Some(&scrape(None, t(0))), t(1), &x, stale)).contains("no data"));
    assert!(unknown(judge_trip(
        g,
        Some(&scrape(Some(0.1), t(0))),
        t(600),
        &x,
        stale
    ))
    .contains("stale"));
    assert!(unknown(judge_trip(g, None, t(0), &x, stale)).contains("no data yet"));
    let mut failed = scrape(None, t(0));
    failed.outcome = Err(SourceError::Connect("refused".into()));
    assert!(unknown(judge_trip(g, Some(&failed), t(1), &x, stale)).contains("refused"));
}

async fn next_kind(
    rx: &mut tokio::sync::mpsc::Receiver<Followed>,
    state: &mut ReleaseState,
) -> String {
    let item = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("a journal event arrives")
        .expect("the follower is open");
    state.apply_followed(&item);
    match item {
        Followed::Event(e) => e.kind,
        Followed::Warning(w) => panic!("{w}"),
    }
}

async fn running_ramp(dir: &std::path::Path) -> (ActContext, SharedJournal, ReleaseState) {
    let pb = Arc::new(loaded(dir));
    let journal = journal::open(&pb.journal_config()).unwrap();
    let ctx = ActContext::new(pb, journal.clone(), Actor::here(Some("guard-bot")));
    for index in [0, 1] {
        let entered = stage::enter(ctx.clone(), index, false).await.unwrap();
        assert!(entered.entered, "{entered:#?}");
    }
    let state = ReleaseState::from_read(&journal.read_all().unwrap());
    assert_eq!(state.stage.as_ref().map(|s| s.percent), Some(10.0));
    assert!(state.ramp_running());
    (ctx, journal, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_guard_fires_the_kill_switch_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, journal, mut state) = running_ramp(dir.path()).await;
    let mut follower = journal.follow(journal.read_all().unwrap().cursor).unwrap();

    // The data crosses the threshold; a real poll of the guard's source sees it.
    std::fs::write(dir.path().join("entropy.txt"), "0.5\n").unwrap();
    let g = guard(&ctx.pb, "entropy-floor").clone();
    let spec = &ctx.pb.sources["policy"];
    let obs = liftoff::source::poll(&ctx.poll, "policy", spec, &[]).await;
    let reading = judge_trip(
        &g,
        Some(&obs),
        Utc::now(),
        &Surroundings::default(),
        stale_after(spec),
    );
    assert_eq!(reading.trip, Trip::Holds, "{obs:?}");
    let mut tracker = Tracker::new();
    let Update::Tripped { since, .. } =
        tracker.observe(&g.spec, &reading.trip, obs.at, state.ramp_running())
    else {
        panic!("for = 0 trips at once")
    };
    let fired = tokio::spawn(on_trip(ctx.clone(), g.spec.clone(), since, reading.value));

    assert_eq!(next_kind(&mut follower, &mut state).await, "guard_tripped");
    assert_eq!(next_kind(&mut follower, &mut state).await, "kill_fired");
    assert!(matches!(state.kill, KillState::Firing { .. }));
    assert_eq!(next_kind(&mut follower, &mut state).await, "kill_verified");
    assert!(matches!(state.kill, KillState::Halted { .. }));
    assert!(!state.ramp_running(), "guards stop watching once halted");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pct.txt"))
            .unwrap()
            .trim(),
        "0"
    );
    let TripOutcome::Killed(outcome) = fired.await.unwrap() else {
        panic!("on_trip = kill must kill")
    };
    assert!(outcome.halted());
    assert!(outcome.fired.actions.iter().all(|a| a.outcome.is_ok()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_guard_raises_an_alarm_until_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, journal, mut state) = running_ramp(dir.path()).await;
    let mut follower = journal.follow(journal.read_all().unwrap().cursor).unwrap();
    let g = guard(&ctx.pb, "entropy-slow").spec.clone();
    let outcome = on_trip(ctx.clone(), g, t(0), Some("0.7".into())).await;
    assert!(
        matches!(outcome, TripOutcome::Alarmed(Ok(_))),
        "{outcome:?}"
    );
    assert_eq!(next_kind(&mut follower, &mut state).await, "guard_tripped");
    let alarm = state.alarm.clone().expect("an alarm is raised");
    assert!(
        alarm.contains("entropy-slow") && alarm.contains("value 0.7"),
        "{alarm}"
    );
    assert_eq!(state.kill, KillState::Ready, "an alarm does not kill");
    answer_alarm(
        ctx.acting_as(Actor::here(Some("captain-ana"))),
        Some("entropy-slow".into()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(next_kind(&mut follower, &mut state).await, "alarm_answered");
    assert!(state.alarm.is_none());
}
