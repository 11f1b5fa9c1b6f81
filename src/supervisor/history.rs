//! The numbers the guards watch, over time: a bounded ring buffer per guard,
//! so the supervisor (and the cockpit drawing it) stays small however long it runs.

use crate::engine::verdict::judge;
use crate::expr::bind::{bind, Surroundings};
use crate::playbook::CompiledGuard;
use crate::source::Observation;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;

/// Points kept per guard (at a 5 s interval: 25 minutes).
pub const HISTORY_POINTS: usize = 300;

#[derive(Debug, Clone, PartialEq)]
pub struct GuardHistory {
    pub guard: String,
    pub points: VecDeque<f64>,
    pub last_at: Option<DateTime<Utc>>,
    /// Whether the trip condition held on the latest data (None: unknown).
    pub tripped: Option<bool>,
    /// Why the latest observation gave no number.
    pub error: Option<String>,
}

impl GuardHistory {
    pub fn new(guard: &str) -> Self {
        GuardHistory {
            guard: guard.to_string(),
            points: VecDeque::with_capacity(HISTORY_POINTS),
            last_at: None,
            tripped: None,
            error: None,
        }
    }

    pub fn latest(&self) -> Option<f64> {
        self.points.back().copied()
    }

    pub fn push(&mut self, value: f64) {
        if self.points.len() == HISTORY_POINTS {
            self.points.pop_front();
        }
        self.points.push_back(value);
    }

    /// Folds in an observation of the guard's source.
    pub fn record(&mut self, guard: &CompiledGuard, obs: &Observation, around: &Surroundings) {
        self.last_at = Some(obs.at);
        let payload = match &obs.outcome {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e.to_string());
                self.tripped = None;
                return;
            }
        };
        let vars = match bind(payload, guard.spec.query.as_deref(), obs.at, around) {
            Ok(v) => v,
            Err(e) => {
                self.error = Some(e);
                self.tripped = None;
                return;
            }
        };
        self.tripped = judge(&guard.trip, &vars).ok();
        match vars.get("value").and_then(number) {
            Some(v) if v.is_finite() => {
                self.error = None;
                self.push(v);
            }
            _ => self.error = Some("no number in the latest data".into()),
        }
    }
}

fn number(v: &cel::Value) -> Option<f64> {
    match v {
        cel::Value::Float(f) => Some(*f),
        cel::Value::Int(i) => Some(*i as f64),
        cel::Value::UInt(u) => Some(*u as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_buffer_is_bounded_and_keeps_the_newest() {
        let mut h = GuardHistory::new("g");
        for i in 0..(HISTORY_POINTS + 50) {
            h.push(i as f64);
        }
        assert_eq!(h.points.len(), HISTORY_POINTS);
        assert_eq!(h.latest(), Some((HISTORY_POINTS + 49) as f64));
        assert_eq!(h.points.front().copied(), Some(50.0));
    }
}
