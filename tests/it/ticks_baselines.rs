//! Manual items ticked from two processes, seen by both (and by a follower);
//! baselines recorded by `liftoff baseline` and on stage entry, and compared
//! with by checks and guards.

use crate::support;

use liftoff::act::{stage, ActContext};
use liftoff::engine::{self, Status};
use liftoff::expr::bind::Surroundings;
use liftoff::journal::{self, Actor};
use liftoff::release::ReleaseState;
use liftoff::source::poll::{poll_all, PollContext};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use support::autopack::{self, text, World, GOOD, SCHEMA};

async fn good_world() -> (tempfile::TempDir, World) {
    let data = tempfile::tempdir().unwrap();
    let db = autopack::sqlite(data.path(), "good.db", &[SCHEMA, GOOD]).await;
    let world = World::new(&format!("sqlite://{}", db.display()));
    (data, world)
}

fn status_json(world: &World) -> Value {
    let out = world.liftoff("status", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("status JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn ticks_from_two_processes_appear_in_both() {
    let (_data, world) = good_world().await;
    // A cockpit-like follower, started before either tick.
    let pb = liftoff::playbook::load(&world.playbook).unwrap();
    let j = journal::open(&pb.journal_config()).unwrap();
    let cursor = j.read_all().unwrap().cursor;
    let mut rx = j.follow(cursor).unwrap();

    // An item that names a role is ticked by that role's holder: refused
    // (exit 2, nothing written) until the person holds the ACK.
    let refused = world.liftoff("tick", &["--item", "provider_keys", "--as", "mallory"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("holds no valid ACK as oncall"),
        "{}",
        text(&refused)
    );
    for (role, by) in [("oncall", "bob"), ("captain", "ana")] {
        let out = world.liftoff("ack", &["--role", role, "--as", by]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }

    // Two people tick at the same moment, from two processes.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| world.liftoff("tick", &["--item", "provider_keys", "--as", "bob"]));
        let b = s.spawn(|| world.liftoff("tick", &["--item", "kill_switch_review", "--as", "ana"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));

    // Each of two further processes sees both ticks, with who.
    for _ in 0..2 {
        let out = world.liftoff("status", &[]);
        let t = text(&out);
        assert!(t.contains("manual provider_keys: ✔ ticked by bob"), "{t}");
        assert!(
            t.contains("manual kill_switch_review: ✔ ticked by ana"),
            "{t}"
        );
    }
    let s = status_json(&world);
    assert_eq!(s["state"]["manual"]["provider_keys"]["by"], "bob");
    assert_eq!(s["state"]["manual"]["kill_switch_review"]["checked"], true);

    // The follower got both, from the other processes.
    let mut seen = ReleaseState::default();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while seen.manual.len() < 2 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(item)) => seen.apply_followed(&item),
            _ => panic!("the follower saw {:?}", seen.manual),
        }
    }
    assert!(seen.manual["provider_keys"].checked && seen.manual["kill_switch_review"].checked);

    // `liftoff check` counts them; an untick is recorded and counted too.
    let out = world.liftoff("check", &[]);
    assert!(
        text(&out).contains("✔ PASS    LLM provider keys valid: ticked by bob"),
        "{}",
        text(&out)
    );
    let out = world.liftoff(
        "tick",
        &["--item", "provider_keys", "--as", "bob", "--untick"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = world.liftoff("check", &[]);
    assert!(
        text(&out).contains("✖ FAIL    LLM provider keys valid: not ticked"),
        "{}",
        text(&out)
    );
    assert!(text(&world.liftoff("status", &[])).contains("manual provider_keys: ✖ unticked by bob"));
    // Ticking something that is not a manual item is refused, in the
    // rule book's words (the cockpit's Space says the same).
    let out = world.liftoff("tick", &["--item", "duplicates"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("tick refused: `duplicates` is not a manual item: it is a"),
        "{}",
        text(&out)
    );
    let out = world.liftoff("tick", &["--item", "provider_key"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("did you mean `provider_keys`?"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn liftoff_baseline_records_measures_and_refuses() {
    let (data, mut world) = good_world().await;
    let out = world.liftoff("baseline", &["--check", "phase-sucess-rate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("did you mean `phase-success-rate`?"),
        "{}",
        text(&out)
    );
    let out = world.liftoff("baseline", &["--name", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // The check names its baseline: --name is optional.
    let out = world.liftoff(
        "baseline",
        &["--check", "phase-success-rate", "--as", "ana"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("baseline phase_success_rate = 0.9 recorded by ana"),
        "{}",
        text(&out)
    );
    // A source and a query of one's own.
    let out = world.liftoff(
        "baseline",
        &[
            "--source",
            "success_rate",
            "--query",
            "SELECT 0.5 AS r",
            "--name",
            "half",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let s = status_json(&world);
    assert_eq!(s["state"]["baselines"]["phase_success_rate"], 0.9);
    assert_eq!(s["state"]["baselines"]["half"], 0.5);
    assert_eq!(
        s["state"]["baseline_records"]["phase_success_rate"]["check"],
        "phase-success-rate"
    );
    assert_eq!(
        s["state"]["baseline_records"]["half"]["source"],
        "success_rate"
    );
    assert!(text(&world.liftoff("status", &[]))
        .contains("baseline phase_success_rate = 0.9 by ana from check phase-success-rate"));

    // No number, or no database: nothing is recorded, and it says why.
    let out = world.liftoff("baseline", &["--source", "smoke", "--name", "s"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("gave no value"), "{}", text(&out));
    world.database_url = format!("sqlite://{}", data.path().join("gone.db").display());
    let out = world.liftoff("baseline", &["--check", "phase-success-rate"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("NOT recorded"), "{}", text(&out));
    assert_eq!(
        status_json(&world)["state"]["baselines"]["phase_success_rate"],
        0.9
    );
}

const STAGED: &str = r#"
[release]
name = "baselines on stage entry"

[source.rate]
kind = "sql"
url_file = "db.url"
query = "SELECT rate FROM r"

[source.pct]
kind = "command"
run = ["cat", "pct.txt"]
timeout = "2s"

[[check]]
id = "rate"
source = "rate"
pass = "value >= baseline * 0.95"
baseline = "rate_at_shadow"

[[guard]]
id = "rate-collapse"
source = "rate"
trip = "value < baseline * 0.9"
baseline = "rate_at_shadow"
on_trip = "alarm"

[ramp]
set = { kind = "command", run = ["sh", "-c", "echo {percent} > pct.txt"] }
readback = { source = "pct", pass = "json == percent", timeout = "5s", every = "50ms" }

[[ramp.stage]]
name = "shadow"
percent = 0
record_baselines = ["rate_at_shadow"]

[[ramp.stage]]
name = "10%"
percent = 10
"#;

/// The application writes a new rate.
async fn set_rate(dir: &std::path::Path, rate: f64) {
    let sql = format!("DELETE FROM r; INSERT INTO r VALUES ({rate});");
    autopack::sqlite(dir, "t.db", &[&sql]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn entering_a_stage_records_its_baselines_and_checks_and_guards_compare() {
    let dir = tempfile::tempdir().unwrap();
    let db = autopack::sqlite(
        dir.path(),
        "t.db",
        &["CREATE TABLE r (rate REAL); INSERT INTO r VALUES (0.8);"],
    )
    .await;
    std::fs::write(
        dir.path().join("db.url"),
        format!("sqlite://{}", db.display()),
    )
    .unwrap();
    let pb = Arc::new(support::playbook::load(dir.path(), STAGED));
    let j = journal::open(&pb.journal_config()).unwrap();
    let ctx = ActContext::new(pb.clone(), j.clone(), Actor::here(Some("ana")));

    // Before: the check cannot compare with anything yet.
    let state = || ReleaseState::from_read(&j.read_all().unwrap());
    let evaluate = || async {
        let obs = poll_all(&PollContext::new(pb.base_dir()), &pb).await;
        let v = engine::assess(&pb, &obs, &state(), chrono::Utc::now()).verdicts;
        (v[0].clone(), obs)
    };
    let (v, _) = evaluate().await;
    assert_eq!(v.status, Status::Unknown);
    assert!(
        v.evidence.reason.contains("rate_at_shadow"),
        "{}",
        v.evidence.reason
    );

    let entered = stage::enter(ctx.clone(), 0, false).await.unwrap();
    assert!(entered.entered, "{:?}", entered.fired);
    assert_eq!(entered.baselines.len(), 1);
    assert_eq!(
        entered.baselines[0].recorded.as_ref().map(|(v, _)| *v),
        Ok(0.8)
    );
    let s = state();
    assert_eq!(s.baselines["rate_at_shadow"], 0.8);
    assert_eq!(
        s.baseline_records["rate_at_shadow"].stage.as_deref(),
        Some("shadow")
    );
    assert_eq!(
        s.baseline_records["rate_at_shadow"].check.as_deref(),
        Some("rate")
    );
    let kinds: Vec<String> = j
        .read_all()
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["stage_entered", "baseline_recorded"]);

    // A 5% dip passes, a 30% drop fails the check and trips the guard.
    set_rate(dir.path(), 0.77).await;
    assert_eq!(evaluate().await.0.status, Status::Pass);
    set_rate(dir.path(), 0.56).await;
    let (v, obs) = evaluate().await;
    assert_eq!(v.status, Status::Fail);
    let guard = &pb.guards[0];
    let around = Surroundings::default()
        .with_baseline_named(guard.spec.baseline.as_deref(), &state().baselines);
    let reading = liftoff::guard::judge_trip(
        guard,
        obs.get("rate"),
        chrono::Utc::now(),
        &around,
        Duration::from_secs(60),
    );
    assert_eq!(reading.trip, liftoff::guard::Trip::Holds);

    // Stepping back to the stage never re-records the (regressed) value.
    let back = stage::enter(ctx.clone(), 0, true).await.unwrap();
    assert!(back.entered && back.baselines.is_empty());
    assert_eq!(state().baselines["rate_at_shadow"], 0.8);

    // Going forward again does: the baseline is the value at entry.
    let again = stage::enter(ctx, 0, false).await.unwrap();
    assert_eq!(
        again.baselines[0].recorded.as_ref().map(|(v, _)| *v),
        Ok(0.56)
    );
    assert_eq!(state().baselines["rate_at_shadow"], 0.56);
}
