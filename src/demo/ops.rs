//! The simulated ops endpoint: `GET /ops/status`, the JSON health summary the
//! team's ops bot serves (seed 000's "all monitoring services operational").

use super::world::World;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router(world: Arc<World>) -> Router {
    Router::new()
        .route("/ops/status", get(status))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(world)
}

async fn status(State(w): State<Arc<World>>) -> Json<Value> {
    Json(status_body(&w))
}

pub fn status_body(w: &World) -> Value {
    let s = w.snapshot();
    let paging = s
        .alerts
        .iter()
        .any(|a| a.severity == "page" && a.state == super::scenario::AlertState::Active);
    json!({
        "status": if s.halted { "halted" } else if paging { "degraded" } else { "ok" },
        "service": "rl-policy",
        "version": "v42",
        "influence_percent": s.influence_percent,
        "halted": s.halted,
        "components": {
            "exporter": "up",
            "prober": "up",
            "cost_monitor": "up",
            "policy_server": if paging { "slow" } else { "up" },
        },
        "ops_bot": { "commands_tested": true, "last_test": "T-2h" },
    })
}
