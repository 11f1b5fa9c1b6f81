//! The simulated Alertmanager: the v2 API's `/api/v2/alerts` (with its
//! `active`, `silenced`, `inhibited`, `unprocessed` and `filter` parameters)
//! and `/api/v2/silences`, in Alertmanager's JSON shapes.

use super::scenario::{AlertState, DemoAlert};
use super::world::World;
use crate::source::selector::parse_matchers;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The silence that mutes the demo's backfill page during the release window.
const SILENCE_ID: &str = "7d2e61f0-demo-release-window";

pub fn router(world: Arc<World>) -> Router {
    Router::new()
        .route("/api/v2/alerts", get(alerts))
        .route("/api/v2/silences", get(silences))
        .route("/api/v2/status", get(status))
        .route("/-/healthy", get(|| async { "OK" }))
        .route("/-/ready", get(|| async { "OK" }))
        .with_state(world)
}

/// Which alerts a request asks for (Alertmanager's defaults: all true).
struct Wanted {
    active: bool,
    silenced: bool,
    inhibited: bool,
    filters: Vec<String>,
}

fn wanted(raw: Option<&str>) -> Result<Wanted, String> {
    let mut w = Wanted {
        active: true,
        silenced: true,
        inhibited: true,
        filters: Vec::new(),
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let flag = |v: &str| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("{k} in query must be of type boolean: \"{other}\"")),
        };
        match k.as_ref() {
            "active" => w.active = flag(&v)?,
            "silenced" => w.silenced = flag(&v)?,
            "inhibited" => w.inhibited = flag(&v)?,
            "unprocessed" => {
                flag(&v)?;
            }
            "filter" => w.filters.push(v.into_owned()),
            _ => {} // Alertmanager ignores parameters it does not know.
        }
    }
    Ok(w)
}

async fn alerts(State(w): State<Arc<World>>, RawQuery(raw): RawQuery) -> Response {
    let want = match wanted(raw.as_deref()) {
        Ok(x) => x,
        Err(e) => return bad_request(&e),
    };
    let selector = if want.filters.is_empty() {
        None
    } else {
        match parse_matchers(&want.filters) {
            Ok(s) => Some(s),
            Err(e) => return bad_request(&format!("bad matcher format: {e}")),
        }
    };
    let now = Utc::now();
    let list: Vec<Value> = w
        .snapshot()
        .alerts
        .iter()
        .filter(|a| match a.state {
            AlertState::Active => want.active,
            AlertState::Silenced(_) => want.silenced,
            AlertState::Inhibited(_) => want.inhibited,
        })
        .filter(|a| selector.as_ref().is_none_or(|s| s.matches(&labels(a))))
        .map(|a| gettable_alert(&w, a, now))
        .collect();
    Json(Value::Array(list)).into_response()
}

fn labels(a: &DemoAlert) -> BTreeMap<String, String> {
    labels_of(a.name, a.severity)
}

fn labels_of(name: &str, severity: &str) -> BTreeMap<String, String> {
    [
        ("alertname", name),
        ("severity", severity),
        ("service", "rl-policy"),
        ("team", "ml-platform"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (k, v) in labels {
        h.update(k.as_bytes());
        h.update([0xff]);
        h.update(v.as_bytes());
        h.update([0xff]);
    }
    hex::encode(&h.finalize()[..8])
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn gettable_alert(w: &World, a: &DemoAlert, now: DateTime<Utc>) -> Value {
    let labels = labels(a);
    let (state, silenced_by, inhibited_by): (&str, Vec<String>, Vec<String>) = match a.state {
        AlertState::Active => ("active", vec![], vec![]),
        AlertState::Silenced(id) => ("suppressed", vec![id.to_string()], vec![]),
        AlertState::Inhibited(by) => (
            "suppressed",
            vec![],
            vec![fingerprint(&labels_of(by, "page"))],
        ),
    };
    json!({
        "labels": labels,
        "annotations": { "summary": a.summary, "runbook": a.runbook },
        "startsAt": ts(w.wall_at(a.started)),
        "updatedAt": ts(now),
        // Prometheus resends firing alerts with endsAt a few intervals ahead.
        "endsAt": ts(now + chrono::Duration::minutes(4)),
        "fingerprint": fingerprint(&labels),
        "generatorURL": format!("http://prometheus.demo/graph?g0.expr=ALERTS%7Balertname%3D%22{}%22%7D", a.name),
        "receivers": [{ "name": if a.severity == "page" { "pagerduty-rl" } else { "slack-rl" } }],
        "status": {
            "state": state,
            "silencedBy": silenced_by,
            "inhibitedBy": inhibited_by,
            "mutedBy": [],
        },
    })
}

async fn silences(State(w): State<Arc<World>>) -> Json<Value> {
    let starts = w.wall_at(-7200.0);
    Json(json!([{
        "id": SILENCE_ID,
        "status": { "state": "active" },
        "updatedAt": ts(starts),
        "startsAt": ts(starts),
        "endsAt": ts(starts + chrono::Duration::hours(12)),
        "createdBy": "data-eng-oncall",
        "comment": "Backfill lag is known; release window",
        "matchers": [
            { "name": "alertname", "value": "NightlyBackfillLagging", "isRegex": false, "isEqual": true }
        ],
    }]))
}

async fn status() -> Json<Value> {
    Json(json!({
        "cluster": { "status": "disabled", "peers": [] },
        "versionInfo": { "version": concat!("liftoff-demo-", env!("CARGO_PKG_VERSION")) },
        "config": { "original": "# simulated by liftoff demo\n" },
        "uptime": ts(Utc::now()),
    }))
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "code": 400, "message": message })),
    )
        .into_response()
}
