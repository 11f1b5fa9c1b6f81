//! Numbers behave as numbers from every source that yields them: `+ - * /`
//! and comparisons on ints and doubles mixed, whether the data held 3 or 3.0
//! (docs/playbook.md, "Numbers"). Real sources: an HTTP server, child
//! processes, SQLite and PostgreSQL, files, the local Kubernetes API server,
//! and Prometheus scraping an exporter.

use crate::support;

use liftoff::engine::Status;
use serde_json::json;
use support::exporter::Exporter;
use support::kube_api::{KubeApi, ADMIN, NAMESPACE};
use support::metrics_server::MetricsServer;
use support::playbook::{evaluate, load};
use support::postgres::Postgres;
use support::prometheus::Prometheus;

/// Arithmetic and comparisons on `A` (3 or 3.0) and `B` (5).
fn arithmetic(a: &str, b: &str) -> String {
    format!(
        "{a} + 1 == 4 && {a} * 1.5 == 4.5 && {a} - {b} == -2 && {b} - {a} == 2 \
         && {b} / {a} >= 1 && {a} / 2.0 == 1.5 && {a} * {b} == 15 \
         && {a} < {b} && {a} >= 3 && {a} == 3.0 && {a} + 0.5 > 3"
    )
}

fn check(id: &str, source: &str, a: &str, b: &str) -> String {
    format!(
        "[[check]]\nid = \"{id}\"\nsource = \"{source}\"\npass = '{}'\n\n",
        arithmetic(a, b)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arithmetic_works_on_numbers_from_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::new();

    // http: a JSON body with ints, one with doubles.
    let http_int = MetricsServer::start(|| r#"{"a": 3, "b": 5}"#.into());
    let http_float = MetricsServer::start(|| r#"{"a": 3.0, "b": 5}"#.into());
    for (id, server) in [("http_int", &http_int), ("http_float", &http_float)] {
        body += &format!(
            "[source.{id}]\nkind = \"http\"\nurl = \"{}\"\n\n",
            server.url()
        );
        body += &check(id, id, "json.a", "json.b");
    }

    // command: JSON on stdout, and a bare number on stdout.
    for (id, out) in [
        ("cmd_int", r#"{"a": 3, "b": 5}"#),
        ("cmd_float", r#"{"a": 3.0, "b": 5.0}"#),
    ] {
        body += &format!("[source.{id}]\nkind = \"command\"\nrun = [\"echo\", '{out}']\n\n");
        body += &check(id, id, "json.a", "json.b");
    }
    body += "[source.cmd_bare]\nkind = \"command\"\nrun = [\"echo\", \"3\"]\n\n";
    body += &check("cmd_bare", "cmd_bare", "json", "5");

    // artifacts: a file's JSON.
    std::fs::create_dir_all(dir.path().join("art")).unwrap();
    std::fs::write(dir.path().join("art/n.json"), r#"{"a": 3, "b": 5.0}"#).unwrap();
    body += "[source.art]\nkind = \"artifacts\"\ndir = \"art\"\nglob = \"*.json\"\n\n";
    body += &check("art", "art", "newest.json.a", "newest.json.b");

    // sql: SQLite integers and reals, PostgreSQL int4/int8/float8/numeric.
    let db = support::autopack::sqlite(
        dir.path(),
        "n.db",
        &["CREATE TABLE n (a INTEGER, b REAL); INSERT INTO n VALUES (3, 5.0);"],
    )
    .await;
    std::fs::write(
        dir.path().join("sqlite.url"),
        format!("sqlite://{}", db.display()),
    )
    .unwrap();
    body += "[source.sqlite]\nkind = \"sql\"\nurl_file = \"sqlite.url\"\nquery = \"SELECT a, b FROM n\"\n\n";
    body += &check("sqlite_rows", "sqlite", "rows[0].a", "rows[0].b");
    body += &check("sqlite_value", "sqlite", "value", "rows[0].b");
    let pg = Postgres::start().await;
    pg.database("numbers", &["SELECT 1"]).await;
    std::fs::write(dir.path().join("pg.url"), pg.url("numbers")).unwrap();
    body += "[source.pg]\nkind = \"sql\"\nurl_file = \"pg.url\"\nquery = \"SELECT 3::int4 AS a, 5::int8 AS b, 3.0::float8 AS c, 5.00::numeric AS d, 3.5::numeric AS e\"\n\n";
    body += &check("pg_ints", "pg", "rows[0].a", "rows[0].b");
    body += &check("pg_mixed", "pg", "rows[0].c", "rows[0].d");
    body += &check("pg_value", "pg", "value", "rows[0].d");
    body += "[[check]]\nid = \"pg_fraction\"\nsource = \"pg\"\npass = 'rows[0].e * 2 == 7 && rows[0].e - rows[0].a == 0.5'\n\n";

    // kubernetes: integers in objects (restartCount).
    let api = KubeApi::start("healthy").await;
    let mut pod = api
        .get("pods", NAMESPACE, "strategy-engine-7c5d9f8b6-q7m2n")
        .unwrap();
    pod["status"]["containerStatuses"][0]["restartCount"] = json!(3);
    api.put(pod);
    let kc = api.kubeconfig(dir.path(), ADMIN);
    body += &format!(
        "[source.kube]\nkind = \"kubernetes\"\nkubeconfig = \"{}\"\nresource = \"pods\"\nname = \"strategy-engine-7c5d9f8b6-q7m2n\"\n\n",
        kc.display()
    );
    body += &check(
        "kube",
        "kube",
        "items[0].status.containerStatuses[0].restartCount",
        "5",
    );
    body += "[[check]]\nid = \"kube_helper\"\nsource = \"kube\"\npass = 'containers(items[0]).size() * 1.5 >= 1.5'\n\n";

    // prometheus: a double from a real Prometheus, with int literals.
    let exporter = Exporter::start(&[("three", 3.0)]);
    let prom = Prometheus::start("numbers", &exporter.target(), None, "").await;
    prom.wait_value("three", 3.0).await;
    body += &format!(
        "[source.prom]\nkind = \"prometheus\"\nurl = \"{}\"\n\n",
        prom.url()
    );
    body += "[[check]]\nid = \"prom\"\nsource = \"prom\"\nquery = \"three\"\n";
    body += &format!("pass = '{}'\n\n", arithmetic("value", "5"));

    let text = format!("[release]\nname = \"numbers\"\n\n{body}");
    let ev = evaluate(&load(dir.path(), &text)).await;
    for v in &ev.verdicts {
        assert_eq!(
            v.status,
            Status::Pass,
            "{}: {} ({:?})",
            v.check,
            v.evidence.reason,
            ev.observations[&v.evidence.source].outcome
        );
    }
    assert_eq!(ev.verdicts.len(), 15);
}

#[tokio::test]
async fn an_arithmetic_type_error_is_unknown_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"[release]
name = "numbers"

[source.cmd]
kind = "command"
run = ["echo", '{"a": "3"}']

[[check]]
id = "string-plus-int"
source = "cmd"
pass = "json.a + 1 == 4"
"#;
    let ev = evaluate(&load(dir.path(), text)).await;
    assert_eq!(
        ev.status("string-plus-int"),
        Status::Unknown,
        "{}",
        ev.summary()
    );
}
