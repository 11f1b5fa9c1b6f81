//! Baselines: a value captured at a named moment ("at stage 0", "before the
//! window") and recorded in the journal, so a check can compare with it rather
//! than with a constant (`value >= baseline * 0.95`).
//!
//! A baseline is measured with one fresh poll of the source a check (or guard)
//! reads, evaluated as that check's `value`; `liftoff baseline` records one by
//! hand, a stage's `record_baselines` records them as the stage is entered
//! (the journaling is `act::baseline`'s).
//! Every process sharing the journal sees the same baselines.

use crate::expr::bind::{bind, Surroundings};
use crate::expr::display;
use crate::playbook::{LoadedPlaybook, SourceConfig, SourceKind, SqlSource};
use crate::source::{poll, PollContext};
use chrono::{DateTime, Utc};

/// Where a baseline's value is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// The source and query of a check (its `value`).
    Check(String),
    /// The source and query of a guard (its `value`).
    Guard(String),
    /// A source, with a query of its own (PromQL, a series selector, SQL).
    Source { id: String, query: Option<String> },
}

/// A value read for a baseline, not yet recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub value: f64,
    pub source: String,
    pub query: Option<String>,
    pub check: Option<String>,
    pub observed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BaselineError {
    #[error("no check `{0}` in the playbook")]
    UnknownCheck(String),
    #[error("no guard `{0}` in the playbook")]
    UnknownGuard(String),
    #[error("no source `{0}` in the playbook")]
    UnknownSource(String),
    #[error("no check or guard names baseline `{0}` (write baseline = \"{0}\" on the check that compares with it)")]
    Unnamed(String),
    #[error("a manual source has no value to record")]
    Manual,
    #[error("could not measure: {0}")]
    Measure(String),
    #[error("`{0}` is not a valid expression: {1}")]
    BadExpression(String, String),
    #[error("the value is {0}, not a number: a baseline is a number")]
    NotANumber(String),
    #[error("not journaled: {0}")]
    Journal(String),
}

/// The check (else the guard) that names baseline `name`: its value is the baseline.
pub fn origin_for(pb: &LoadedPlaybook, name: &str) -> Option<Origin> {
    let p = &pb.playbook;
    p.checks
        .iter()
        .find(|c| c.baseline.as_deref() == Some(name))
        .map(|c| Origin::Check(c.id.clone()))
        .or_else(|| {
            p.guards
                .iter()
                .find(|g| g.baseline.as_deref() == Some(name))
                .map(|g| Origin::Guard(g.id.clone()))
        })
}

/// Polls once and reads `value` as a number.
pub async fn measure(
    ctx: &PollContext,
    pb: &LoadedPlaybook,
    origin: &Origin,
) -> Result<Measured, BaselineError> {
    let p = &pb.playbook;
    let (source, query, check) = match origin {
        Origin::Check(id) => {
            let c = p
                .checks
                .iter()
                .find(|c| &c.id == id)
                .ok_or_else(|| BaselineError::UnknownCheck(id.clone()))?;
            (c.source.clone(), c.query.clone(), Some(c.id.clone()))
        }
        Origin::Guard(id) => {
            let g = p
                .guards
                .iter()
                .find(|g| &g.id == id)
                .ok_or_else(|| BaselineError::UnknownGuard(id.clone()))?;
            (g.source.clone(), g.query.clone(), None)
        }
        Origin::Source { id, query } => (id.clone(), query.clone(), None),
    };
    let spec = pb
        .sources
        .get(&source)
        .ok_or_else(|| BaselineError::UnknownSource(source.clone()))?;
    // prometheus/scrape read the check's query as PromQL/a selector and sql
    // as its own SQL; every other kind reads it as a CEL expression over the
    // source's variables, the number to record (`count`, `json.candidates`).
    let (spec, bind_query, shown_query, expression) = match (&spec.config, &query) {
        (SourceConfig::Manual(_), _) => return Err(BaselineError::Manual),
        (SourceConfig::Sql(sql), Some(q)) => {
            let mut s = spec.clone();
            s.config = SourceConfig::Sql(SqlSource {
                query: q.clone(),
                ..sql.clone()
            });
            (s, None, Some(q.clone()), None)
        }
        (SourceConfig::Sql(sql), None) => (spec.clone(), None, Some(sql.query.clone()), None),
        (SourceConfig::Prometheus(_) | SourceConfig::Scrape(_), _) => {
            (spec.clone(), query.clone(), query.clone(), None)
        }
        (_, Some(q)) => {
            let e = crate::expr::compile(q)
                .map_err(|e| BaselineError::BadExpression(q.clone(), e.to_string()))?;
            (spec.clone(), None, Some(q.clone()), Some(e))
        }
        (_, None) => (spec.clone(), None, None, None),
    };
    let queries: Vec<String> = bind_query.iter().cloned().collect();
    let obs = poll(ctx, &source, &spec, &queries).await;
    let payload = obs
        .outcome
        .as_ref()
        .map_err(|e| BaselineError::Measure(format!("source `{source}` failed: {e}")))?;
    let vars = bind(
        payload,
        bind_query.as_deref(),
        obs.at,
        &Surroundings::default(),
    )
    .map_err(BaselineError::Measure)?;
    let read = match &expression {
        Some(e) => Some(
            e.eval(&vars)
                .map_err(|err| BaselineError::Measure(format!("`{}`: {err}", e.source())))?,
        ),
        None => vars.get("value").cloned().or_else(|| {
            // A command or endpoint that prints one number (`240`).
            vars.get("json")
                .filter(|j| matches!(j, cel::Value::Int(_) | cel::Value::Float(_)))
                .cloned()
        }),
    };
    let value = match read {
        Some(cel::Value::Int(i)) => i as f64,
        Some(cel::Value::UInt(u)) => u as f64,
        Some(cel::Value::Float(f)) if f.is_finite() => f,
        Some(other) => return Err(BaselineError::NotANumber(display(&other))),
        None => return Err(BaselineError::Measure(no_value(&source, spec.kind()))),
    };
    Ok(Measured {
        value,
        source,
        query: shown_query,
        check,
        observed_at: obs.at,
    })
}

/// Why a source gave no number, and what to write instead.
fn no_value(source: &str, kind: SourceKind) -> String {
    match kind {
        SourceKind::Prometheus | SourceKind::Scrape => {
            format!("source `{source}` gave no value (no series)")
        }
        SourceKind::Sql => format!("source `{source}` gave no value (no rows)"),
        SourceKind::Command | SourceKind::Http => format!(
            "source `{source}` gave no value: its output is not one number; say which number with a query expression, e.g. query = \"json.candidates\" (--query on the command line)"
        ),
        _ => format!(
            "source `{source}` gives many values; say which number with a query expression, e.g. query = \"count\" (--query on the command line)"
        ),
    }
}
