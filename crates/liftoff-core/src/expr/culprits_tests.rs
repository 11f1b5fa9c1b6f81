//! Culprits over the shapes sources bind: pods, series, files, rows.

use super::*;
use crate::expr::bind::json;
use crate::expr::compile;

fn vars(name: &str, v: serde_json::Value) -> Vars {
    let mut vars = Vars::default();
    vars.set(name, json(Some(&v)));
    vars
}

fn culprits(cond: &str, vars: &Vars) -> Vec<String> {
    let e = compile(cond).unwrap();
    assert!(!e.eval_bool(vars).unwrap(), "{cond} should be false");
    e.culprits(vars, &Hint::default())
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn pod(ns: &str, name: &str, reason: Option<&str>) -> serde_json::Value {
    let state = match reason {
        Some(r) => serde_json::json!({"waiting": {"reason": r}}),
        None => serde_json::json!({"running": {}}),
    };
    serde_json::json!({"metadata": {"namespace": ns, "name": name},
        "status": {"containerStatuses": [{"name": "app", "state": state}]}})
}

#[test]
fn a_crash_looping_pod_is_named_with_what_was_read() {
    let v = vars(
        "items",
        serde_json::json!([
            pod("prod", "api-1", None),
            pod("prod", "api-2", Some("CrashLoopBackOff"))
        ]),
    );
    let found = culprits(
        r#"size(items) > 0 && items.all(p, p.status.containerStatuses.all(c, !has(c.state.waiting) || c.state.waiting.reason != "CrashLoopBackOff"))"#,
        &v,
    );
    assert_eq!(
        found,
        vec![
            r#"items: prod/api-2 (p.status.containerStatuses: app (c.state.waiting.reason = "CrashLoopBackOff"))"#
        ]
    );
}

#[test]
fn series_are_named_by_labels_and_the_value_read() {
    let v = vars(
        "series",
        serde_json::json!([
            {"labels": {"__name__": "err", "route": "/a"}, "value": 0.1},
            {"labels": {"__name__": "err", "route": "/b"}, "value": 0.9}
        ]),
    );
    assert_eq!(
        culprits("series.all(s, s.value < 0.5)", &v),
        vec![r#"series: err{route="/b"} (s.value = 0.9)"#]
    );
}

#[test]
fn many_failures_are_capped_and_counted() {
    let files: Vec<_> = (0..8)
        .map(|i| serde_json::json!({"name": format!("f{i}.json"), "size": 0}))
        .collect();
    let found = culprits("files.all(f, f.size > 0)", &vars("files", files.into()));
    assert_eq!(found.len(), MAX_NAMED + 1);
    assert_eq!(found[0], "files: f0.json (f.size = 0)");
    assert_eq!(found[MAX_NAMED], "files: and 3 more");
}

#[test]
fn rows_are_named_by_their_first_column() {
    let v = vars(
        "rows",
        serde_json::json!([{"region": "eu", "lag": 3}, {"region": "us", "lag": 90}]),
    );
    let e = compile("rows.all(r, r.lag < 60)").unwrap();
    let hint = Hint {
        first_column: Some("region".into()),
    };
    let found: Vec<String> = e
        .culprits(&v, &hint)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, vec![r#"rows: region="us" (r.lag = 90)"#]);
}

#[test]
fn exists_says_none_matched_and_exists_one_how_many() {
    let v = vars(
        "alerts",
        serde_json::json!([{"labels": {"alertname": "A"}}]),
    );
    assert_eq!(
        culprits(r#"alerts.exists(a, a.labels.alertname == "B")"#, &v),
        vec!["alerts: none of 1 matched"]
    );
    let v = vars("xs", serde_json::json!([1, 2, 3]));
    assert_eq!(
        culprits("xs.exists_one(x, x > 1)", &v),
        vec!["xs: 2 of 3 matched, not exactly one", "xs: 2", "xs: 3"]
    );
    assert_eq!(culprits("!xs.exists(x, x == 2)", &v), vec!["xs: 2"]);
}

#[test]
fn conditions_without_lists_have_none() {
    let v = vars("json", serde_json::json!({"a": 1}));
    assert!(compile("json.a > 2")
        .unwrap()
        .culprits(&v, &Hint::default())
        .is_empty());
}
