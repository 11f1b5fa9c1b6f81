//! Just enough PromQL for the demo's simulated Prometheus: series selectors,
//! parentheses, number literals and `sum`/`avg`/`min`/`max`/`count` (with
//! `by`/`without`). Anything else is refused the way Prometheus refuses what
//! it cannot execute, so the cockpit shows it as UNKNOWN rather than a guess.

use promql_parser::label::Matcher;
use promql_parser::parser::{self, AggregateExpr, Expr, LabelModifier, VectorSelector};
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Vector(Vec<(Labels, f64)>),
    Scalar(f64),
}

/// Why a query has no answer: Prometheus' `errorType`s.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryError {
    /// The query does not parse (HTTP 400).
    BadData(String),
    /// It parses but the demo world cannot execute it (HTTP 422).
    Execution(String),
}

/// Evaluates `query` over `series` (each with its `__name__` label).
pub fn eval(query: &str, series: &[(Labels, f64)]) -> Result<Value, QueryError> {
    let expr = parser::parse(query).map_err(QueryError::BadData)?;
    eval_expr(&expr, series)
}

fn eval_expr(expr: &Expr, series: &[(Labels, f64)]) -> Result<Value, QueryError> {
    match expr {
        Expr::Paren(p) => eval_expr(&p.expr, series),
        Expr::NumberLiteral(n) => Ok(Value::Scalar(n.val)),
        Expr::VectorSelector(vs) => select(vs, series).map(Value::Vector),
        Expr::Aggregate(agg) => aggregate(agg, series),
        other => Err(unsupported(&format!("{other}"))),
    }
}

fn unsupported(what: &str) -> QueryError {
    QueryError::Execution(format!(
        "the liftoff demo world evaluates series selectors and sum/avg/min/max/count only, not `{what}`"
    ))
}

fn select(vs: &VectorSelector, series: &[(Labels, f64)]) -> Result<Vec<(Labels, f64)>, QueryError> {
    if vs.offset.is_some() || vs.at.is_some() {
        return Err(unsupported("offset / @ modifiers"));
    }
    let get = |l: &Labels, k: &str| l.get(k).cloned().unwrap_or_default();
    let all = |l: &Labels, ms: &[Matcher]| ms.iter().all(|m| m.is_match(&get(l, &m.name)));
    Ok(series
        .iter()
        .filter(|(l, _)| vs.name.as_ref().is_none_or(|n| get(l, "__name__") == *n))
        .filter(|(l, _)| {
            if vs.matchers.or_matchers.is_empty() {
                all(l, &vs.matchers.matchers)
            } else {
                vs.matchers.or_matchers.iter().any(|ms| all(l, ms))
            }
        })
        .cloned()
        .collect())
}

fn aggregate(agg: &AggregateExpr, series: &[(Labels, f64)]) -> Result<Value, QueryError> {
    let op = agg.op.to_string();
    if agg.param.is_some() || !matches!(op.as_str(), "sum" | "avg" | "min" | "max" | "count") {
        return Err(unsupported(&op));
    }
    let Value::Vector(input) = eval_expr(&agg.expr, series)? else {
        return Err(QueryError::BadData(format!(
            "expected type instant vector in aggregation expression, got scalar ({op})"
        )));
    };
    let mut groups: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
    for (labels, v) in input {
        let key: Labels = labels
            .into_iter()
            .filter(|(k, _)| k != "__name__")
            .filter(|(k, _)| match &agg.modifier {
                None => false,
                Some(LabelModifier::Include(ls)) => ls.labels.contains(k),
                Some(LabelModifier::Exclude(ls)) => !ls.labels.contains(k),
            })
            .collect();
        groups.entry(key).or_default().push(v);
    }
    let fold = |vs: &[f64]| match op.as_str() {
        "sum" => vs.iter().sum(),
        "avg" => vs.iter().sum::<f64>() / vs.len() as f64,
        "min" => vs.iter().copied().fold(f64::INFINITY, f64::min),
        "max" => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        _ => vs.len() as f64,
    };
    Ok(Value::Vector(
        groups
            .into_iter()
            .map(|(l, vs)| {
                let v = fold(&vs);
                (l, v)
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(pairs: &[(&str, &str)], v: f64) -> (Labels, f64) {
        (
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            v,
        )
    }

    fn db() -> Vec<(Labels, f64)> {
        vec![
            s(&[("__name__", "up"), ("job", "a")], 1.0),
            s(&[("__name__", "up"), ("job", "b")], 0.0),
            s(&[("__name__", "x"), ("job", "a")], 5.0),
        ]
    }

    #[test]
    fn selectors_and_aggregations() {
        assert_eq!(
            eval(r#"up{job="a"}"#, &db()),
            Ok(Value::Vector(vec![s(
                &[("__name__", "up"), ("job", "a")],
                1.0
            )]))
        );
        assert_eq!(
            eval(r#"min(up{job=~"a|b"})"#, &db()),
            Ok(Value::Vector(vec![s(&[], 0.0)]))
        );
        assert_eq!(
            eval("(avg(up))", &db()),
            Ok(Value::Vector(vec![s(&[], 0.5)]))
        );
        assert_eq!(
            eval("count by (job) (up)", &db()),
            Ok(Value::Vector(vec![
                s(&[("job", "a")], 1.0),
                s(&[("job", "b")], 1.0)
            ]))
        );
        assert_eq!(eval("nothing_here", &db()), Ok(Value::Vector(vec![])));
        assert_eq!(eval("sum(nothing_here)", &db()), Ok(Value::Vector(vec![])));
        assert_eq!(eval("42", &db()), Ok(Value::Scalar(42.0)));
    }

    #[test]
    fn what_cannot_be_answered_is_an_error_not_a_guess() {
        assert!(matches!(eval("up{", &db()), Err(QueryError::BadData(_))));
        assert!(matches!(
            eval("rate(up[5m])", &db()),
            Err(QueryError::Execution(_))
        ));
        assert!(matches!(
            eval("up > 0", &db()),
            Err(QueryError::Execution(_))
        ));
        assert!(matches!(
            eval("topk(1, up)", &db()),
            Err(QueryError::Execution(_))
        ));
    }
}
