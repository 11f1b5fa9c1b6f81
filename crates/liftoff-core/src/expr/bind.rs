//! Observation -> the variables a condition sees.

use crate::source::selector::Selector;
use crate::source::{Alert, FileInfo, Payload, Sample};
use cel::objects::{Key, Map};
use cel::Value;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::Vars;

/// What a condition sees around its observation: the release's ramp
/// (`percent`, `stage`) and the baseline the check or guard names. Bound as
/// the CEL variables of the same names; none of them comes from the poll.
#[derive(Debug, Clone, Default)]
pub struct Surroundings {
    /// The ramp's current traffic share and stage name, while a ramp runs.
    pub percent: Option<f64>,
    pub stage: Option<String>,
    /// The baseline value the check names, if one was recorded.
    pub baseline: Option<f64>,
}

impl Surroundings {
    /// These surroundings with the baseline named `name` looked up in
    /// `baselines` (None if not recorded), for a check or a guard naming it.
    pub fn with_baseline_named(
        &self,
        name: Option<&str>,
        baselines: &std::collections::BTreeMap<String, f64>,
    ) -> Surroundings {
        Surroundings {
            baseline: name.and_then(|n| baselines.get(n).copied()),
            ..self.clone()
        }
    }
}

/// Binds the payload for one check. `query` is the check's query (PromQL for
/// prometheus, a selector for scrape). Errors explain why nothing could be bound.
pub fn bind(
    payload: &Payload,
    query: Option<&str>,
    now: DateTime<Utc>,
    around: &Surroundings,
) -> Result<Vars, String> {
    let mut vars = Vars::default();
    vars.set("now", Value::Timestamp(now.fixed_offset()));
    if let Some(p) = around.percent {
        vars.set("percent", Value::Float(p));
    }
    if let Some(s) = &around.stage {
        vars.set("stage", s.as_str());
    }
    if let Some(b) = around.baseline {
        vars.set("baseline", Value::Float(b));
    }
    match payload {
        Payload::Prometheus { results } => {
            let q = query.ok_or("a prometheus check needs a `query`")?;
            match results.get(q) {
                Some(Ok(samples)) => bind_samples(&mut vars, samples.iter()),
                Some(Err(e)) => return Err(format!("query `{q}` failed: {e}")),
                None => return Err(format!("query `{q}` was not polled")),
            }
        }
        Payload::Scrape { samples } => match query {
            Some(q) => {
                let sel = Selector::parse_cached(q)?;
                bind_samples(&mut vars, samples.iter().filter(|s| sel.matches(&s.labels)));
            }
            None => bind_samples(&mut vars, samples.iter()),
        },
        Payload::Alerts { alerts } => {
            vars.set("count", Value::Int(alerts.len() as i64));
            vars.set("alerts", list(alerts.iter().map(alert_value)));
        }
        Payload::Http(reply) => {
            vars.set("status", Value::Int(reply.status as i64));
            vars.set("latency", duration(reply.latency));
            vars.set("body", reply.body.as_str());
            vars.set("json", json(reply.json.as_ref()));
        }
        Payload::Command(out) => {
            vars.set(
                "exit_code",
                out.exit_code
                    .map(|c| Value::Int(c as i64))
                    .unwrap_or(Value::Null),
            );
            vars.set("stdout", out.stdout.as_str());
            vars.set("stderr", out.stderr.as_str());
            vars.set("json", json(out.json.as_ref()));
        }
        Payload::Files { files } => {
            vars.set("count", Value::Int(files.len() as i64));
            vars.set("files", list(files.iter().map(|f| file_value(f, now))));
            let newest = files.iter().max_by_key(|f| f.modified);
            vars.set(
                "newest",
                newest.map(|f| file_value(f, now)).unwrap_or(Value::Null),
            );
        }
        Payload::Objects { items } => {
            vars.set("count", Value::Int(items.len() as i64));
            vars.set("items", list(items.iter().map(|i| json(Some(i)))));
        }
        Payload::Rows { rows, columns } => {
            vars.set("count", Value::Int(rows.len() as i64));
            // The query's first column (a map's own order is alphabetical).
            let first = rows
                .first()
                .zip(columns.first())
                .and_then(|(r, c)| r.get(c))
                .map(|v| json(Some(v)))
                .unwrap_or(Value::Null);
            vars.set("value", first);
            vars.set(
                "rows",
                list(
                    rows.iter()
                        .map(|r| json(Some(&serde_json::Value::Object(r.clone())))),
                ),
            );
        }
        Payload::Manual(m) => {
            vars.set("checked", Value::Bool(m.checked));
            vars.set(
                "by",
                m.by.as_deref().map(Value::from).unwrap_or(Value::Null),
            );
            vars.set(
                "at",
                m.at.map(|t| Value::Timestamp(t.fixed_offset()))
                    .unwrap_or(Value::Null),
            );
        }
    }
    Ok(vars)
}

/// `value` is bound only when there is a first sample, so that `value >= 0.9`
/// over no data is an error (UNKNOWN), never a silent pass or fail.
fn bind_samples<'a>(vars: &mut Vars, samples: impl Iterator<Item = &'a Sample>) {
    let samples: Vec<&Sample> = samples.collect();
    vars.set("count", Value::Int(samples.len() as i64));
    if let Some(first) = samples.first() {
        vars.set("value", Value::Float(first.value));
    }
    vars.set("series", list(samples.iter().map(|s| sample_value(s))));
}

pub fn map(pairs: Vec<(&str, Value)>) -> Value {
    let m: HashMap<Key, Value> = pairs
        .into_iter()
        .map(|(k, v)| (Key::from(k.to_string()), v))
        .collect();
    Value::Map(Map { map: Arc::new(m) })
}

fn list(items: impl Iterator<Item = Value>) -> Value {
    Value::List(Arc::new(items.collect()))
}

fn string_map(m: &BTreeMap<String, String>) -> Value {
    let m: HashMap<Key, Value> = m
        .iter()
        .map(|(k, v)| (Key::from(k.clone()), Value::from(v.clone())))
        .collect();
    Value::Map(Map { map: Arc::new(m) })
}

fn duration(d: std::time::Duration) -> Value {
    Value::Duration(chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX))
}

fn sample_value(s: &Sample) -> Value {
    map(vec![
        ("labels", string_map(&s.labels)),
        ("value", Value::Float(s.value)),
    ])
}

fn alert_value(a: &Alert) -> Value {
    map(vec![
        ("labels", string_map(&a.labels)),
        ("annotations", string_map(&a.annotations)),
        (
            "startsAt",
            a.starts_at
                .map(|t| Value::Timestamp(t.fixed_offset()))
                .unwrap_or(Value::Null),
        ),
        ("state", Value::from(a.state.clone())),
    ])
}

fn file_value(f: &FileInfo, now: DateTime<Utc>) -> Value {
    let age = (now - f.modified).max(chrono::Duration::zero());
    map(vec![
        ("name", Value::from(f.name.clone())),
        ("path", Value::from(f.path.clone())),
        ("size", Value::Int(f.size as i64)),
        ("age", Value::Duration(age)),
        ("modified", Value::Timestamp(f.modified.fixed_offset())),
        ("json", json(f.json.as_ref())),
    ])
}

/// JSON as CEL sees it: objects -> maps, arrays -> lists, whole numbers that
/// fit an i64 -> int, other numbers -> double (see `numbers`).
pub fn json(v: Option<&serde_json::Value>) -> Value {
    match v {
        None => Value::Null,
        Some(v) => super::numbers::from_json(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;
    use crate::source::{FileInfo, HttpReply};

    fn now() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    fn sample(name: &str, v: f64) -> Sample {
        Sample {
            labels: [("__name__".to_string(), name.to_string())].into(),
            value: v,
        }
    }

    #[test]
    fn scrape_selector_picks_series() {
        let p = Payload::Scrape {
            samples: vec![sample("a", 1.0), sample("b", 2.0)],
        };
        let vars = bind(&p, Some("b"), now(), &Surroundings::default()).unwrap();
        assert!(compile("value == 2.0 && count == 1")
            .unwrap()
            .eval_bool(&vars)
            .unwrap());
    }

    #[test]
    fn no_samples_leaves_value_unbound() {
        let p = Payload::Scrape { samples: vec![] };
        let vars = bind(&p, Some("missing"), now(), &Surroundings::default()).unwrap();
        assert!(!vars.has("value"));
        assert!(compile("count == 0").unwrap().eval_bool(&vars).unwrap());
    }

    #[test]
    fn files_have_age_and_json() {
        let f = FileInfo {
            name: "v1.json".into(),
            path: "/x/v1.json".into(),
            size: 10,
            modified: now() - chrono::Duration::hours(3),
            json: Some(serde_json::json!({"status": "PASS", "hours": 48})),
            json_error: None,
        };
        let p = Payload::Files { files: vec![f] };
        let vars = bind(&p, None, now(), &Surroundings::default()).unwrap();
        let e = compile(
            r#"files.filter(f, f.json.status == "PASS" && f.age < duration("48h")).size() >= 1 && newest.json.hours == 48"#,
        )
        .unwrap();
        assert!(e.eval_bool(&vars).unwrap());
    }

    #[test]
    fn http_latency_is_a_duration() {
        let p = Payload::Http(HttpReply {
            status: 200,
            latency: std::time::Duration::from_millis(30),
            body: "{}".into(),
            json: Some(serde_json::json!({"ok": true})),
        });
        let vars = bind(&p, None, now(), &Surroundings::default()).unwrap();
        let e = compile(r#"status == 200 && latency < duration("100ms") && json.ok"#).unwrap();
        assert!(e.eval_bool(&vars).unwrap());
    }

    #[test]
    fn prometheus_query_error_is_reported() {
        let p = Payload::Prometheus {
            results: [("up".to_string(), Err("bad_data".to_string()))].into(),
        };
        let err = bind(&p, Some("up"), now(), &Surroundings::default()).unwrap_err();
        assert!(err.contains("bad_data"));
    }
}
