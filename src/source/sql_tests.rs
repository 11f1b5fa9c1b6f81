//! The `sql` source against real SQLite files (PostgreSQL: tests/it/sql_autopack.rs).

use super::*;
use crate::playbook::{Dur, Source, SourceConfig, SourceKind, SourceSpec};
use serde_json::json;
use std::path::Path;

/// A SQLite file made with a writable connection, as the application would.
async fn database(dir: &Path, sql: &str) -> PathBuf {
    let path = dir.join("t.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    path
}

fn spec(dir: &Path, url: &str, query: &str) -> Source {
    std::fs::write(dir.join("db.url"), url).unwrap();
    Source::from(&SourceSpec {
        kind: Some(SourceKind::Sql),
        url_file: Some("db.url".into()),
        query: Some(query.into()),
        timeout: Some(Dur::secs(5)),
        ..Default::default()
    })
}

/// One poll of a sql source, as the poller makes it.
async fn poll(ctx: &PollContext, source: &Source) -> Result<Payload, SourceError> {
    let SourceConfig::Sql(sql) = &source.config else {
        panic!("not a sql source: {source:?}");
    };
    super::poll(ctx, &source.polling, sql).await
}

fn rows(p: Payload) -> Vec<Row> {
    match p {
        Payload::Rows { rows, .. } => rows,
        other => panic!("expected rows, got {other:?}"),
    }
}

const TABLE: &str =
    "CREATE TABLE t (zeta TEXT, alpha INTEGER, ok BOOLEAN, ratio REAL, at DATETIME, note TEXT);
    INSERT INTO t VALUES ('r-1', 7, 1, 0.5, '2025-12-31 10:00:00', NULL);
    INSERT INTO t VALUES ('r-2', 8, 0, 1.25, '2025-12-31T11:00:00+01:00', 'x');";

/// Callers spawn polls (the cockpit, the kill switch's readback).
#[test]
fn a_poll_can_be_spawned() {
    fn send<T: Send>(_: &T) {}
    let ctx = PollContext::new(Path::new("."));
    let dir = tempfile::tempdir().unwrap();
    let source = spec(dir.path(), "sqlite::memory:", "SELECT 1");
    send(&crate::source::poll(&ctx, "db", &source, &[]));
}

#[tokio::test]
async fn sqlite_rows_keep_types_and_column_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), TABLE).await;
    let ctx = PollContext::new(dir.path());
    let url = format!("sqlite://{}", db.display());
    let payload = poll(
        &ctx,
        &spec(dir.path(), &url, "SELECT * FROM t ORDER BY alpha"),
    )
    .await
    .unwrap();
    // `value` is the query's first column, not the alphabetically first.
    let vars =
        crate::expr::bind::bind(&payload, None, chrono::Utc::now(), &Default::default()).unwrap();
    assert_eq!(vars.get("value"), Some(&cel::Value::from("r-1")));
    let Payload::Rows { columns, .. } = &payload else {
        panic!("{payload:?}")
    };
    assert_eq!(columns, &["zeta", "alpha", "ok", "ratio", "at", "note"]);
    let got = rows(payload);
    assert_eq!(got.len(), 2);
    let first = serde_json::Value::Object(got[0].clone());
    assert_eq!(
        first,
        json!({"zeta": "r-1", "alpha": 7, "ok": true, "ratio": 0.5, "at": "2025-12-31T10:00:00Z", "note": null})
    );
    assert_eq!(got[1]["at"], json!("2025-12-31T10:00:00Z"));
    assert_eq!(got[1]["ok"], json!(false));
}

#[tokio::test]
async fn relative_sqlite_paths_start_at_the_playbook() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path(), TABLE).await;
    let ctx = PollContext::new(dir.path());
    let got = rows(
        poll(
            &ctx,
            &spec(dir.path(), "sqlite:t.db", "SELECT count(*) AS n FROM t"),
        )
        .await
        .unwrap(),
    );
    assert_eq!(got[0]["n"], json!(2));
}

#[tokio::test]
async fn nothing_can_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), TABLE).await;
    let ctx = PollContext::new(dir.path());
    let url = format!("sqlite://{}", db.display());
    let err = poll(&ctx, &spec(dir.path(), &url, "DELETE FROM t"))
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Query(_)), "{err}");
    assert!(err.to_string().contains("readonly"), "{err}");
    let still = rows(
        poll(&ctx, &spec(dir.path(), &url, "SELECT count(*) FROM t"))
            .await
            .unwrap(),
    );
    assert_eq!(still[0].values().next(), Some(&json!(2)));
}

#[tokio::test]
async fn a_missing_database_is_named_and_never_created() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = PollContext::new(dir.path());
    let err = poll(&ctx, &spec(dir.path(), "sqlite:nope.db", "SELECT 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Connect(_)), "{err}");
    assert!(err.to_string().contains("nope.db"), "{err}");
    assert!(!dir.path().join("nope.db").exists());
}

#[tokio::test]
async fn too_many_rows_is_an_error_not_a_short_list() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = PollContext::new(dir.path());
    let q = format!(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {}) SELECT x FROM c",
        MAX_ROWS + 1
    );
    let err = poll(&ctx, &spec(dir.path(), "sqlite::memory:", &q))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("more than 10000 rows"), "{err}");
    let mut s = spec(dir.path(), "sqlite::memory:", "SELECT 'abcdefghij' AS t");
    s.polling.max_bytes = 5;
    let err = poll(&ctx, &s).await.unwrap_err();
    assert_eq!(err, SourceError::TooLarge { limit: 5 });
}

#[tokio::test]
async fn a_runaway_statement_is_stopped_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = PollContext::new(dir.path());
    let mut s = spec(
        dir.path(),
        "sqlite::memory:",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    );
    s.polling.timeout = Dur(Duration::from_millis(300));
    let err = poll(&ctx, &s).await.unwrap_err();
    assert!(matches!(err, SourceError::Timeout(_)), "{err}");
}

#[tokio::test]
async fn the_connection_string_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = PollContext::new(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://app:hunter2-secret@127.0.0.1:{port}/autopack");
    let err = poll(&ctx, &spec(dir.path(), &url, "SELECT 1"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, SourceError::Connect(_)), "{text}");
    assert!(!text.contains("hunter2-secret"), "{text}");
    let err = poll(&ctx, &spec(dir.path(), "mysql://root:pw@db/x", "SELECT 1"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`mysql`"), "{err}");
    assert!(!err.to_string().contains("root:pw"), "{err}");
}

#[tokio::test]
async fn a_missing_url_env_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = PollContext::new(dir.path());
    let s = Source::from(&SourceSpec {
        kind: Some(SourceKind::Sql),
        url_env: Some("LIFTOFF_TEST_NO_SUCH_DATABASE_URL".into()),
        query: Some("SELECT 1".into()),
        ..Default::default()
    });
    let err = poll(&ctx, &s).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("LIFTOFF_TEST_NO_SUCH_DATABASE_URL"),
        "{err}"
    );
}
