//! One check, one observation -> a verdict with evidence. Fail-closed: anything
//! that is not a clear PASS/WARN/FAIL is UNKNOWN, and says why.

use crate::expr::bind::{bind, Surroundings};
use crate::expr::culprits::{Culprit, Hint};
use crate::expr::{display, Expr, ExprError, Vars};
use crate::playbook::CompiledCheck;
use crate::source::{Observation, Payload};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Unknown,
}

impl Status {
    /// Never colour alone: every verdict has a symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Pass => "✔",
            Status::Warn => "!",
            Status::Fail => "✖",
            Status::Unknown => "?",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

/// Why a verdict is what it is: the value seen, when, from where, the condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The value as shown (e.g. "0.93", "2 alerts", "HTTP 200 in 12ms").
    pub value: Option<String>,
    /// When the data was observed.
    pub observed_at: Option<DateTime<Utc>>,
    /// Source id and where it reads from (secrets redacted).
    pub source: String,
    pub origin: Option<String>,
    pub query: Option<String>,
    /// The condition that decided (pass, or warn when it was the warn that held).
    pub condition: String,
    /// One sentence: why PASS/WARN/FAIL/UNKNOWN.
    pub reason: String,
    /// When the pass condition is false over a list (`items.all(...)`), the
    /// elements that made it so, the first few (see `expr::culprits`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub culprits: Vec<Culprit>,
    /// A command that exited non-zero (or was killed): the end of its stderr,
    /// capped and redacted (see `io::tail`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub check: String,
    pub status: Status,
    pub evidence: Evidence,
}

/// Evaluates `check` against its source's latest observation (if any).
pub fn evaluate(
    check: &CompiledCheck,
    obs: Option<&Observation>,
    now: DateTime<Utc>,
    around: &Surroundings,
) -> Verdict {
    evaluate_bound(check, obs, now, around, None)
}

/// As `evaluate`, given the variables `bind` gave for this observation and
/// the check's query (bound once, without a baseline, and shared by every
/// check reading the same source and query: `engine::assess`). `None` binds here.
pub fn evaluate_bound(
    check: &CompiledCheck,
    obs: Option<&Observation>,
    now: DateTime<Utc>,
    around: &Surroundings,
    bound: Option<&Result<Vars, String>>,
) -> Verdict {
    let spec = &check.spec;
    let mut evidence = Evidence {
        value: None,
        observed_at: obs.map(|o| o.at),
        source: spec.source.clone(),
        origin: obs.map(|o| o.origin.clone()),
        query: spec.query.clone(),
        condition: check.pass.source().to_string(),
        reason: String::new(),
        culprits: Vec::new(),
        stderr: None,
    };
    let unknown = |mut evidence: Evidence, reason: String| {
        evidence.reason = reason;
        Verdict {
            check: spec.id.clone(),
            status: Status::Unknown,
            evidence,
        }
    };

    let Some(obs) = obs else {
        return unknown(evidence, "no data yet: the source has not answered".into());
    };
    let payload = match &obs.outcome {
        Ok(p) => p,
        Err(e) => return unknown(evidence, format!("source failed: {e}")),
    };
    if let Some(max_age) = spec.max_age {
        let age = now - obs.at;
        if age > max_age.as_chrono() {
            return unknown(
                evidence,
                format!(
                    "stale: data is {} old, max_age is {max_age}",
                    human_age(age)
                ),
            );
        }
    }
    let bound = match bound {
        Some(Ok(v)) => Ok(with_baseline(v.clone(), around)),
        Some(Err(e)) => Err(e.clone()),
        None => bind(payload, spec.query.as_deref(), now, around),
    };
    let vars = match bound {
        Ok(v) => v,
        Err(e) => return unknown(evidence, e),
    };
    if spec.baseline.is_some() && around.baseline.is_none() {
        evidence.value = shown_value(check, payload, &vars);
        return unknown(
            evidence,
            format!(
                "baseline `{}` has not been recorded yet",
                spec.baseline.as_deref().unwrap_or_default()
            ),
        );
    }
    evidence.value = shown_value(check, payload, &vars);
    evidence.stderr = stderr_tail(payload);

    let judge = |e: &Expr| judge(e, &vars);
    match judge(&check.pass) {
        Err(reason) => unknown(evidence, reason),
        Ok(true) => {
            evidence.reason = "pass condition holds".into();
            Verdict {
                check: spec.id.clone(),
                status: Status::Pass,
                evidence,
            }
        }
        Ok(false) => {
            evidence.culprits = check.pass.culprits(&vars, &hint(payload));
            match &check.warn {
                None => {
                    evidence.reason = "pass condition is false".into();
                    Verdict {
                        check: spec.id.clone(),
                        status: Status::Fail,
                        evidence,
                    }
                }
                Some(warn) => match judge(warn) {
                    Err(reason) => unknown(evidence, reason),
                    Ok(true) => {
                        evidence.condition = warn.source().to_string();
                        evidence.reason = "pass condition is false; warn condition holds".into();
                        Verdict {
                            check: spec.id.clone(),
                            status: Status::Warn,
                            evidence,
                        }
                    }
                    Ok(false) => {
                        evidence.reason = "pass and warn conditions are both false".into();
                        Verdict {
                            check: spec.id.clone(),
                            status: Status::Fail,
                            evidence,
                        }
                    }
                },
            }
        }
    }
}

/// The end of a failed command's stderr; none for a command that exited 0
/// or said nothing on stderr.
fn stderr_tail(payload: &Payload) -> Option<String> {
    match payload {
        Payload::Command(c) if c.exit_code != Some(0) => {
            Some(crate::io::tail::tail(&c.stderr)).filter(|t| !t.is_empty())
        }
        _ => None,
    }
}

/// What naming a culprit needs from the payload (a row's first column).
fn hint(payload: &Payload) -> Hint {
    match payload {
        Payload::Rows { columns, .. } => Hint {
            first_column: columns.first().cloned(),
        },
        _ => Hint::default(),
    }
}

/// Shared variables with this check's baseline (the one variable that
/// differs between checks on one source and query).
fn with_baseline(mut vars: Vars, around: &Surroundings) -> Vars {
    if let Some(b) = around.baseline {
        vars.set("baseline", cel::Value::Float(b));
    }
    vars
}

/// A condition's truth, or why it has none (missing data, type error, not bool).
pub fn judge(expr: &Expr, vars: &Vars) -> Result<bool, String> {
    for var in expr.variables() {
        if var == "value" && !vars.has("value") {
            return Err("no data: the query matched no series".into());
        }
        if var == "baseline" && !vars.has(var) {
            return Err(
                "no baseline recorded yet: `liftoff baseline`, or `record_baselines` on a stage"
                    .into(),
            );
        }
        if matches!(var.as_str(), "percent" | "stage") && !vars.has(var) {
            return Err(format!("`{var}` is only known while a ramp runs"));
        }
    }
    expr.eval_bool(vars).map_err(|e| match e {
        ExprError::NotBool(v) => format!("condition gave {v}, not true or false"),
        other => explain_eval_error(&other.to_string()),
    })
}

/// CEL's runtime words ("no matching overload for '_._' applied to
/// '(null_type, string)'") said the way an on-call engineer reads them.
fn explain_eval_error(raw: &str) -> String {
    if raw.contains("null_type") {
        format!("a field was read from null (missing data, e.g. a file that is not JSON or a JSON key that is absent): {raw}")
    } else if let Some(key) = raw.strip_prefix("No such key: ") {
        format!("the data has no field `{key}`; guard it with has(...)")
    } else {
        format!("expression error: {raw}")
    }
}

fn shown_value(check: &CompiledCheck, payload: &Payload, vars: &Vars) -> Option<String> {
    if let Some(show) = &check.show {
        return Some(match show.eval(vars) {
            Ok(v) => display(&v),
            Err(e) => format!("<{e}>"),
        });
    }
    Some(match payload {
        Payload::Prometheus { .. } | Payload::Scrape { .. } => {
            match (vars.get("value"), vars.get("count")) {
                (_, Some(cel::Value::Int(0))) => "no series".into(),
                (Some(v), Some(cel::Value::Int(1))) => display(v),
                (Some(v), Some(cel::Value::Int(n))) => {
                    format!("{} (+{} series)", display(v), n - 1)
                }
                _ => "no series".into(),
            }
        }
        Payload::Alerts { alerts } => {
            let names: Vec<&str> = alerts
                .iter()
                .filter_map(|a| a.labels.get("alertname").map(String::as_str))
                .take(3)
                .collect();
            match alerts.len() {
                0 => "0 alerts".into(),
                n => format!(
                    "{n} alert{}: {}",
                    if n == 1 { "" } else { "s" },
                    names.join(", ")
                ),
            }
        }
        Payload::Http(r) => format!("HTTP {} in {}ms", r.status, r.latency.as_millis()),
        Payload::Command(c) => match c.exit_code {
            Some(code) => format!("exit {code}"),
            None => "killed by signal".into(),
        },
        Payload::Files { files } => match files.len() {
            0 => "0 files".into(),
            n => format!("{n} file{}", if n == 1 { "" } else { "s" }),
        },
        Payload::Objects { items } => format!("{} objects", items.len()),
        Payload::Rows { rows, .. } => match vars.get("value") {
            Some(v) if rows.len() == 1 => display(v),
            _ => format!("{} rows", rows.len()),
        },
        Payload::Manual(m) => match (&m.checked, &m.by) {
            (true, Some(by)) => format!("ticked by {by}"),
            (true, None) => "ticked".into(),
            (false, _) => "not ticked".into(),
        },
    })
}

/// "3s", "4m", "2h", "3d": ages as people say them.
pub fn human_age(age: chrono::Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::{Check, CompiledCheck};
    use crate::source::{Sample, SourceError};
    use std::time::Duration;

    fn now() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    fn check(pass: &str, warn: Option<&str>, max_age: Option<&str>) -> CompiledCheck {
        let spec = Check {
            id: "entropy".into(),
            section: None,
            title: None,
            source: "policy".into(),
            query: Some("policy_entropy".into()),
            pass: pass.into(),
            warn: warn.map(Into::into),
            max_age: max_age.map(|m| crate::playbook::parse_duration(m).unwrap()),
            required: true,
            blocker: false,
            runbook: None,
            show: None,
            baseline: None,
            waivable_by: Vec::new(),
        };
        CompiledCheck::compile(spec).unwrap()
    }

    fn obs(value: Option<f64>, age_secs: i64) -> Observation {
        let samples = value
            .map(|v| {
                vec![Sample {
                    labels: [("__name__".to_string(), "policy_entropy".to_string())].into(),
                    value: v,
                }]
            })
            .unwrap_or_default();
        Observation {
            source: "policy".into(),
            at: now() - chrono::Duration::seconds(age_secs),
            took: Duration::from_millis(3),
            origin: "http://127.0.0.1:9108/metrics".into(),
            outcome: Ok(Payload::Scrape { samples }),
        }
    }

    fn status(c: &CompiledCheck, o: Option<&Observation>) -> Verdict {
        evaluate(c, o, now(), &Surroundings::default())
    }

    #[test]
    fn pass_when_condition_holds_with_evidence() {
        let v = status(
            &check("value >= 0.9", None, None),
            Some(&obs(Some(0.93), 2)),
        );
        assert_eq!(v.status, Status::Pass);
        assert_eq!(v.evidence.value.as_deref(), Some("0.93"));
        assert_eq!(
            v.evidence.observed_at,
            Some(now() - chrono::Duration::seconds(2))
        );
    }

    #[test]
    fn fail_when_condition_false_and_no_warn() {
        let v = status(&check("value >= 0.9", None, None), Some(&obs(Some(0.5), 2)));
        assert_eq!(v.status, Status::Fail);
    }

    #[test]
    fn warn_between_thresholds() {
        let c = check("value >= 0.9", Some("value >= 0.85"), None);
        assert_eq!(status(&c, Some(&obs(Some(0.87), 1))).status, Status::Warn);
        assert_eq!(status(&c, Some(&obs(Some(0.80), 1))).status, Status::Fail);
    }

    #[test]
    fn unknown_when_never_polled() {
        let v = status(&check("value >= 0.9", None, None), None);
        assert_eq!(v.status, Status::Unknown);
        assert!(v.evidence.reason.contains("no data"));
    }

    #[test]
    fn unknown_when_source_failed_says_why() {
        let mut o = obs(None, 0);
        o.outcome = Err(SourceError::Timeout(Duration::from_secs(2)));
        let v = status(&check("value >= 0.9", None, None), Some(&o));
        assert_eq!(v.status, Status::Unknown);
        assert!(
            v.evidence.reason.contains("timed out after 2s"),
            "{}",
            v.evidence.reason
        );
    }

    #[test]
    fn unknown_when_stale() {
        let c = check("value >= 0.9", None, Some("30s"));
        let v = status(&c, Some(&obs(Some(0.99), 31)));
        assert_eq!(v.status, Status::Unknown);
        assert!(v.evidence.reason.contains("stale"), "{}", v.evidence.reason);
        assert_eq!(status(&c, Some(&obs(Some(0.99), 29))).status, Status::Pass);
    }

    #[test]
    fn unknown_when_no_series_instead_of_fail() {
        let v = status(&check("value >= 0.9", None, None), Some(&obs(None, 0)));
        assert_eq!(v.status, Status::Unknown);
        assert!(
            v.evidence.reason.contains("no series"),
            "{}",
            v.evidence.reason
        );
    }

    #[test]
    fn unknown_when_expression_errors_or_is_not_bool() {
        let v = status(&check("value + 1.0", None, None), Some(&obs(Some(1.0), 0)));
        assert_eq!(v.status, Status::Unknown);
        assert!(v.evidence.reason.contains("not true or false"));
        let v = status(
            &check("value.foo == 1", None, None),
            Some(&obs(Some(1.0), 0)),
        );
        assert_eq!(v.status, Status::Unknown);
    }

    #[test]
    fn warn_expression_error_is_unknown_not_fail() {
        let c = check("value >= 0.9", Some("value.nope > 1"), None);
        assert_eq!(status(&c, Some(&obs(Some(0.5), 0))).status, Status::Unknown);
    }

    #[test]
    fn ages_read_like_people_say_them() {
        assert_eq!(human_age(chrono::Duration::seconds(42)), "42s");
        assert_eq!(human_age(chrono::Duration::seconds(300)), "5m");
        assert_eq!(human_age(chrono::Duration::hours(49)), "2d");
    }
}
