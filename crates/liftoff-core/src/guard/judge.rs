//! A guard's `trip` condition against its source's latest observation:
//! holds, clear, or unknown (and why). Unknown never trips, but is reported.

use crate::engine::verdict::judge;
use crate::expr::bind::{bind, Surroundings};
use crate::expr::display;
use crate::playbook::{CompiledGuard, Source};
use crate::source::Observation;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "trip", content = "reason", rename_all = "snake_case")]
pub enum Trip {
    /// The trip condition is true.
    Holds,
    /// The trip condition is false.
    Clear,
    /// No answer: no data, a failed or stale poll, an expression error.
    Unknown(String),
}

/// The trip condition's truth and the value the guard watches (for evidence).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    pub trip: Trip,
    pub value: Option<String>,
}

/// Data older than this is stale for a guard on `spec`: two missed polls.
pub fn stale_after(source: &Source) -> Duration {
    source.polling.interval.as_std() * 2 + source.polling.timeout.as_std()
}

pub fn judge_trip(
    guard: &CompiledGuard,
    obs: Option<&Observation>,
    now: DateTime<Utc>,
    around: &Surroundings,
    stale_after: Duration,
) -> Reading {
    let unknown = |why: String| Reading {
        trip: Trip::Unknown(why),
        value: None,
    };
    let Some(obs) = obs else {
        return unknown("no data yet: the source has not answered".into());
    };
    let payload = match &obs.outcome {
        Ok(p) => p,
        Err(e) => return unknown(format!("source failed: {e}")),
    };
    let age = (now - obs.at).to_std().unwrap_or_default();
    if age > stale_after {
        return unknown(format!(
            "stale: data is {} old",
            humantime::format_duration(Duration::from_secs(age.as_secs()))
        ));
    }
    let vars = match bind(payload, guard.spec.query.as_deref(), now, around) {
        Ok(v) => v,
        Err(e) => return unknown(e),
    };
    let value = vars.get("value").map(display);
    let trip = match judge(&guard.trip, &vars) {
        Ok(true) => Trip::Holds,
        Ok(false) => Trip::Clear,
        Err(why) => Trip::Unknown(why),
    };
    Reading { trip, value }
}
