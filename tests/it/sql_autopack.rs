//! Seed 003 end to end: `liftoff check assets/playbooks/autopack-staged.toml`
//! against good and bad telemetry in SQLite (from the fixture files) and in a
//! real PostgreSQL started by the test; a database that is down is UNKNOWN,
//! so the decision is NO-GO.

use crate::support;

use serde_json::Value;
use std::process::Output;
use support::autopack::{self, text, World, BAD, GOOD, SCHEMA};
use support::postgres::Postgres;

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", text(out)))
}

fn criterion<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["criteria"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no criterion {id} in {r:#}"))
}

fn status(r: &Value, id: &str) -> String {
    criterion(r, id)["status"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

fn shown(r: &Value, id: &str) -> String {
    criterion(r, id)["evidence"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn summary(r: &Value) -> String {
    r["criteria"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    format!(
                        "{} {} {} ({})",
                        c["id"], c["status"], c["evidence"]["value"], c["evidence"]["reason"]
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// The checks every telemetry database must pass for a GO.
const TELEMETRY_CHECKS: &[&str] = &[
    "database",
    "telemetry-recorded",
    "telemetry-duplicates",
    "telemetry-completeness",
    "history-pack-caps",
    "sot-only-substitution",
    "phase-success-rate",
];

/// GO on the good data; on the bad data NO-GO with every broken criterion
/// named, the duplicate naming its run and phase.
fn assert_good_then_bad(world: &mut World, bad_url: String) {
    world.prepare_go();
    let out = world.liftoff("check", &["--format", "json"]);
    let r = report(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "good telemetry must be GO:\n{}",
        summary(&r)
    );
    assert_eq!(r["decision"], "GO");
    for id in TELEMETRY_CHECKS {
        assert_eq!(status(&r, id), "PASS", "{id}:\n{}", summary(&r));
    }
    assert_eq!(shown(&r, "phase-success-rate"), "0.9");
    assert_eq!(shown(&r, "telemetry-duplicates"), "no duplicates");

    world.database_url = bad_url;
    let out = world.liftoff("check", &["--format", "json"]);
    let r = report(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad telemetry must be NO-GO:\n{}",
        summary(&r)
    );
    assert_eq!(r["decision"], "NO-GO");
    assert_eq!(status(&r, "telemetry-duplicates"), "FAIL");
    assert_eq!(
        shown(&r, "telemetry-duplicates"),
        "run r-103 phase F4.2 (FAILED) recorded 2 times"
    );
    assert_eq!(status(&r, "telemetry-completeness"), "FAIL");
    assert!(
        shown(&r, "telemetry-completeness").contains("missing r-103/F4.4"),
        "{}",
        summary(&r)
    );
    assert_eq!(status(&r, "history-pack-caps"), "FAIL");
    assert!(
        shown(&r, "history-pack-caps").starts_with("run r-103 phase F4.2: 7/5 tiers, 14/10 phases")
    );
    assert_eq!(status(&r, "sot-only-substitution"), "FAIL");
    assert!(shown(&r, "sot-only-substitution").contains("src/autopack/main.py"));
    // 8 of 11 terminal phases in the three latest runs, against a 0.9 baseline.
    assert_eq!(status(&r, "phase-success-rate"), "FAIL");
    assert_eq!(shown(&r, "phase-success-rate"), "0.7273");
    let holds = r["holds"].to_string();
    assert!(holds.contains("telemetry-duplicates"), "{holds}");

    // The text report names the run and phase too.
    let out = world.liftoff("check", &[]);
    assert!(
        text(&out).contains("run r-103 phase F4.2 (FAILED) recorded 2 times"),
        "{}",
        text(&out)
    );
}

/// With the database down every telemetry check is UNKNOWN, saying why, and the decision is NO-GO.
fn assert_database_down_is_unknown(world: &mut World, down_url: String, why: &str) {
    world.database_url = down_url;
    let out = world.liftoff("check", &["--format", "json"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{}", summary(&r));
    assert_eq!(r["decision"], "NO-GO");
    for id in TELEMETRY_CHECKS {
        assert_eq!(status(&r, id), "UNKNOWN", "{id}:\n{}", summary(&r));
        let reason = criterion(&r, id)["evidence"]["reason"]
            .as_str()
            .unwrap_or("");
        assert!(reason.contains(why), "{id}: {reason}");
    }
    assert_eq!(
        status(&r, "smoke-test"),
        "PASS",
        "other sources are unaffected"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_telemetry_good_bad_and_missing() {
    let data = tempfile::tempdir().unwrap();
    let good = autopack::sqlite(data.path(), "good.db", &[SCHEMA, GOOD]).await;
    let bad = autopack::sqlite(data.path(), "bad.db", &[SCHEMA, GOOD, BAD]).await;
    let mut world = World::new(&format!("sqlite://{}", good.display()));
    assert_good_then_bad(&mut world, format!("sqlite://{}", bad.display()));
    let gone = data.path().join("moved-away.db");
    assert_database_down_is_unknown(
        &mut world,
        format!("sqlite://{}", gone.display()),
        "does not exist",
    );
    // Polling never wrote to the databases (read-only): still the fixture's rows.
    assert!(!gone.exists());
}

/// The real Autopack schema on PostgreSQL keeps `phases.state` as an enum.
const PG_ENUM: &str = "CREATE TYPE phasestate AS ENUM ('QUEUED', 'EXECUTING', 'GATE', 'CI_RUNNING', 'COMPLETE', 'FAILED', 'SKIPPED');
ALTER TABLE phases ALTER COLUMN state TYPE phasestate USING state::phasestate;";

#[tokio::test(flavor = "multi_thread")]
async fn postgres_telemetry_good_bad_and_down() {
    let mut pg = Postgres::start().await;
    pg.database("autopack_good", &[SCHEMA, PG_ENUM, GOOD]).await;
    pg.database("autopack_bad", &[SCHEMA, PG_ENUM, GOOD, BAD])
        .await;
    let mut world = World::new(&pg.url("autopack_good"));
    assert_good_then_bad(&mut world, pg.url("autopack_bad"));
    pg.stop();
    assert_database_down_is_unknown(&mut world, pg.url("autopack_good"), "cannot connect");
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_values_read_only_and_timeout() {
    use liftoff::playbook::{Dur, Source, SourceKind, SourceSpec};
    use liftoff::source::{poll, Payload, PollContext, SourceError};
    let pg = Postgres::start().await;
    pg.database(
        "types",
        &[SCHEMA, PG_ENUM, GOOD, "CREATE TABLE t (n NUMERIC(10,2), big BIGINT, f REAL, ok BOOLEAN, at TIMESTAMPTZ, j JSONB, u UUID);
           INSERT INTO t VALUES (12.50, 9000000000, 0.25, TRUE, '2025-12-31 10:00:00+02', '{\"a\": [1, 2]}', '00010203-0405-0607-0809-0a0b0c0d0e0f');"],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.url"), pg.url("types")).unwrap();
    let ctx = PollContext::new(dir.path());
    let spec = |q: &str, timeout: Dur| {
        Source::from(&SourceSpec {
            kind: Some(SourceKind::Sql),
            url_file: Some("db.url".into()),
            query: Some(q.into()),
            timeout: Some(timeout),
            ..Default::default()
        })
    };
    let obs = poll(&ctx, "t", &spec("SELECT n, big, f, ok, at, j, u, 7::int2 AS small, NULL::text AS nothing, (SELECT state FROM phases ORDER BY run_id, phase_id LIMIT 1) AS state, SUM(big) AS total FROM t GROUP BY n, big, f, ok, at, j, u", Dur::secs(10)), &[]).await;
    let Ok(Payload::Rows { rows, .. }) = &obs.outcome else {
        panic!("{:?}", obs.outcome)
    };
    assert_eq!(
        Value::Object(rows[0].clone()),
        serde_json::json!({
            "n": 12.5, "big": 9000000000i64, "f": 0.25, "ok": true,
            "at": "2025-12-31T08:00:00Z", "j": {"a": [1, 2]},
            "u": "00010203-0405-0607-0809-0a0b0c0d0e0f", "small": 7, "nothing": null,
            "state": "COMPLETE", "total": 9000000000i64
        })
    );

    let obs = poll(&ctx, "t", &spec("DELETE FROM phases", Dur::secs(10)), &[]).await;
    let err = obs.outcome.unwrap_err();
    assert!(err.to_string().contains("read-only transaction"), "{err}");
    let obs = poll(
        &ctx,
        "t",
        &spec("SELECT count(*) FROM phases", Dur::secs(10)),
        &[],
    )
    .await;
    let Ok(Payload::Rows { rows, .. }) = &obs.outcome else {
        panic!("{:?}", obs.outcome)
    };
    assert_eq!(rows[0]["count"], 11, "nothing was deleted");

    let obs = poll(
        &ctx,
        "t",
        &spec(
            "SELECT pg_sleep(30)",
            Dur(std::time::Duration::from_millis(700)),
        ),
        &[],
    )
    .await;
    assert!(
        matches!(obs.outcome, Err(SourceError::Timeout(_))),
        "{:?}",
        obs.outcome
    );
}
