//! The simulated Prometheus server: `/api/v1/query` (instant queries, GET or
//! form POST) in Prometheus' own JSON envelope, plus its health endpoints.

use super::promql::{self, QueryError, Value};
use super::scenario;
use super::world::World;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value as JsonValue};
use std::sync::Arc;

pub fn router(world: Arc<World>) -> Router {
    Router::new()
        .route("/api/v1/query", get(query_get).post(query_post))
        .route("/api/v1/status/buildinfo", get(buildinfo))
        .route(
            "/-/healthy",
            get(|| async { "Prometheus Server is Healthy.\n" }),
        )
        .route(
            "/-/ready",
            get(|| async { "Prometheus Server is Ready.\n" }),
        )
        .with_state(world)
}

#[derive(Debug, Deserialize)]
pub struct QueryParams {
    query: Option<String>,
    time: Option<String>,
    #[allow(dead_code)]
    timeout: Option<String>,
}

async fn query_get(State(w): State<Arc<World>>, Query(p): Query<QueryParams>) -> Response {
    answer(&w, p)
}

async fn query_post(State(w): State<Arc<World>>, Form(p): Form<QueryParams>) -> Response {
    answer(&w, p)
}

fn answer(w: &World, p: QueryParams) -> Response {
    let Some(q) = p.query.filter(|q| !q.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_data",
            "invalid parameter \"query\": unknown position: parse error: no expression found in input",
        );
    };
    let at = match p.time.as_deref().map(parse_time) {
        None => Utc::now(),
        Some(Ok(t)) => t,
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, "bad_data", &e),
    };
    let snapshot = w.snapshot_at(w.sim_at_wall(at));
    let ts = at.timestamp_millis() as f64 / 1000.0;
    match promql::eval(&q, &scenario::series(&snapshot)) {
        Ok(Value::Vector(samples)) => {
            let result: Vec<JsonValue> = samples
                .into_iter()
                .map(|(labels, v)| json!({ "metric": labels, "value": [ts, format_value(v)] }))
                .collect();
            ok(json!({ "resultType": "vector", "result": result }))
        }
        Ok(Value::Scalar(v)) => {
            ok(json!({ "resultType": "scalar", "result": [ts, format_value(v)] }))
        }
        Err(QueryError::BadData(e)) => error(
            StatusCode::BAD_REQUEST,
            "bad_data",
            &format!("invalid parameter \"query\": {e}"),
        ),
        Err(QueryError::Execution(e)) => error(StatusCode::UNPROCESSABLE_ENTITY, "execution", &e),
    }
}

/// `time=` as Prometheus takes it: unix seconds (fractions allowed) or RFC 3339.
fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(secs) = s.parse::<f64>() {
        if secs.is_finite() {
            if let Some(t) = DateTime::from_timestamp_millis((secs * 1000.0).round() as i64) {
                return Ok(t);
            }
        }
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("invalid parameter \"time\": cannot parse \"{s}\" to a valid timestamp")
        })
}

/// Sample values travel as strings, spelled the way Prometheus spells them.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

fn ok(data: JsonValue) -> Response {
    Json(json!({ "status": "success", "data": data })).into_response()
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "status": "error", "errorType": kind, "error": message })),
    )
        .into_response()
}

async fn buildinfo() -> Json<JsonValue> {
    Json(json!({
        "status": "success",
        "data": {
            "version": concat!("liftoff-demo-", env!("CARGO_PKG_VERSION")),
            "revision": "simulated",
            "branch": "demo",
            "goVersion": "none",
        }
    }))
}
