//! The simulated policy exporter: `/metrics` in the Prometheus text
//! exposition format (version 0.0.4), as the real exporter on :9108 serves it.

use super::prometheus::format_value;
use super::world::World;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::fmt::Write;
use std::sync::Arc;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn router(world: Arc<World>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(world)
}

async fn metrics(State(w): State<Arc<World>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], exposition(&w))
}

/// The exposition text for the world as it is now.
pub fn exposition(w: &World) -> String {
    let s = w.snapshot();
    let policy = r#"{policy="rl-v42"}"#;
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, v) in samples {
            let _ = writeln!(out, "{name}{labels} {}", format_value(*v));
        }
    };
    family(
        "policy_entropy",
        "gauge",
        "Normalised entropy of the policy's action distribution (1 = uniform).",
        &[(policy, s.entropy)],
    );
    family(
        "q_value_spread_ratio",
        "gauge",
        "Spread of Q-values relative to the recorded baseline.",
        &[(policy, s.q_spread)],
    );
    family(
        "rl_influence_percent",
        "gauge",
        "Share of live decisions the RL policy influences, as the serving path applies it.",
        &[("", s.influence_percent)],
    );
    family(
        "rl_execution_halted",
        "gauge",
        "1 when the kill switch has halted policy execution.",
        &[("", f64::from(u8::from(s.halted)))],
    );
    family(
        "policy_heartbeat_age_seconds",
        "gauge",
        "Seconds since the policy's last heartbeat.",
        &[(policy, s.heartbeat_age_seconds)],
    );
    family(
        "policy_decisions_total",
        "counter",
        "Decisions the policy has made.",
        &[(policy, s.decisions_total)],
    );
    out
}
