//! Functions conditions may call beyond the CEL standard library.
//! Every name here is documented in docs/playbook.md ("Functions").

use cel::objects::Value;
use cel::{Context, ExecutionError};
use std::sync::Arc;

/// The CEL standard library plus ours. A name outside this list is refused at load.
const STANDARD: &[&str] = &[
    "size",
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "string",
    "int",
    "uint",
    "double",
    "bytes",
    "bool",
    "duration",
    "timestamp",
    "type",
    "dyn",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "optional",
    "of",
    "none",
    "hasValue",
    "value",
    "orValue",
    "@in",
    "@not_strictly_false",
];

const OURS: &[&str] = &["sum", "max", "min"];

pub fn is_known(name: &str) -> bool {
    // Operators show up as "_+_" style names in references.
    name.starts_with(['_', '@', '!', '-']) // operators: _+_, !_, -_, @in
        || STANDARD.contains(&name)
        || OURS.contains(&name)
        || super::kube_functions::NAMES.contains(&name)
}

pub fn register(ctx: &mut Context<'_, '_>) {
    super::kube_functions::register(ctx);
    // sum/max/min over a list of numbers, e.g. sum(series.map(s, s.value)).
    // A non-number in the list (NaN included) is an error (UNKNOWN), never
    // silently 0 or skipped.
    let _ = ctx.add_function(
        "sum",
        |list: Arc<Vec<Value>>| -> Result<f64, ExecutionError> {
            numbers("sum", &list).map(|n| n.iter().sum())
        },
    );
    let _ = ctx.add_function(
        "max",
        |list: Arc<Vec<Value>>| -> Result<f64, ExecutionError> {
            numbers("max", &list)?
                .into_iter()
                .reduce(f64::max)
                .ok_or_else(|| ExecutionError::function_error("max", "max() of an empty list"))
        },
    );
    let _ = ctx.add_function(
        "min",
        |list: Arc<Vec<Value>>| -> Result<f64, ExecutionError> {
            numbers("min", &list)?
                .into_iter()
                .reduce(f64::min)
                .ok_or_else(|| ExecutionError::function_error("min", "min() of an empty list"))
        },
    );
}

fn numbers(function: &str, list: &[Value]) -> Result<Vec<f64>, ExecutionError> {
    list.iter()
        .map(|v| match v {
            Value::Int(i) => Ok(*i as f64),
            Value::UInt(u) => Ok(*u as f64),
            // f64::max/min drop a NaN and a sum of one is NaN: a measurement
            // that is not a number must not pass or fail a check.
            Value::Float(f) if f.is_nan() => Err(ExecutionError::function_error(
                function,
                format!("{function}() of a list holding NaN (not a number)"),
            )),
            Value::Float(f) => Ok(*f),
            other => Err(ExecutionError::function_error(
                function,
                format!("{function}() takes numbers, found {}", other.type_of()),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::expr::{compile, Vars};

    #[test]
    fn sum_max_min_over_numbers() {
        let v = Vars::default();
        assert!(compile("sum([1, 2.5]) == 3.5")
            .unwrap()
            .eval_bool(&v)
            .unwrap());
        assert!(compile("max([1, 7, 3]) == 7.0")
            .unwrap()
            .eval_bool(&v)
            .unwrap());
        assert!(compile("min([4, 2.5]) == 2.5")
            .unwrap()
            .eval_bool(&v)
            .unwrap());
    }

    #[test]
    fn non_numbers_and_empty_lists_are_errors() {
        let v = Vars::default();
        assert!(compile("sum([1, 'x']) == 1.0")
            .unwrap()
            .eval_bool(&v)
            .is_err());
        assert!(compile("max([]) == 0.0").unwrap().eval_bool(&v).is_err());
    }

    #[test]
    fn nan_in_the_list_is_an_error_not_a_pass() {
        let mut v = Vars::default();
        v.set("nan", cel::objects::Value::Float(f64::NAN));
        for cond in [
            "max([nan, 0.5]) < 0.8",
            "min([0.95, nan]) >= 0.9",
            "sum([nan, 1]) != 0.0",
            "max([0.5, nan]) < 0.8",
        ] {
            let err = compile(cond).unwrap().eval_bool(&v).unwrap_err();
            assert!(err.to_string().contains("NaN"), "{cond}: {err}");
        }
    }

    #[test]
    fn functions_the_runtime_lacks_are_refused_at_load() {
        assert!(compile("lowerAscii('A') == 'a'").is_err());
    }
}
