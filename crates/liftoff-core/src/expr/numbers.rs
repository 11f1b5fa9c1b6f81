//! Numbers that behave as numbers (docs/playbook.md, "Numbers").
//!
//! Two rules, so that `json.a + 1`, `json.a * 1.5` and `json.a - json.b` work
//! whether a source's JSON held `3` or `3.0`:
//!
//! 1. A JSON (or SQL, or command) number enters CEL as an `int` when it is a
//!    whole number that fits a signed 64-bit integer, and as a `double`
//!    otherwise. Never as CEL's `uint`, whose arithmetic refuses `3 - 5` and
//!    `uint + int`.
//! 2. Arithmetic (`+ - * / %`) on an `int` and a `double` promotes the `int`
//!    to a `double`, as comparisons already do. Standard CEL refuses mixed
//!    arithmetic and the `cel` crate hard-wires its operators, so compiling a
//!    condition renames each arithmetic operator in the parsed tree to one of
//!    the functions below; they promote mixed operands and otherwise defer to
//!    CEL's own operator (so lists, strings, durations and `int / int` keep
//!    CEL's meaning: `7 / 2` is `3`, `7 / 2.0` is `3.5`).

use cel::common::ast::{operators, Expr as Node, IdedExpr};
use cel::objects::{Key, Map};
use cel::{Context, ExecutionError, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// (CEL operator, the function the compiled tree calls instead).
const ARITHMETIC: [(&str, &str); 5] = [
    (operators::ADD, "@num_add"),
    (operators::SUBSTRACT, "@num_sub"),
    (operators::MULTIPLY, "@num_mul"),
    (operators::DIVIDE, "@num_div"),
    (operators::MODULO, "@num_rem"),
];

/// JSON as CEL sees it: objects -> maps, arrays -> lists, numbers by rule 1.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::from(s.clone()),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.iter().map(from_json).collect())),
        serde_json::Value::Object(o) => {
            let m: HashMap<Key, Value> = o
                .iter()
                .map(|(k, v)| (Key::from(k.clone()), from_json(v)))
                .collect();
            Value::Map(Map { map: Arc::new(m) })
        }
    }
}

/// Renames arithmetic operators in `expr` (rule 2). Runs once, at compile.
pub fn rewrite(expr: &mut IdedExpr) {
    match &mut expr.expr {
        Node::Call(call) => {
            // The parser's own accumulators (`@result + [x]` in map/filter,
            // `@result + 1` in exists_one) keep CEL's operator, which appends
            // to a list in place.
            let accumulator = call
                .args
                .iter()
                .any(|a| matches!(&a.expr, Node::Ident(n) if n.starts_with('@')));
            if call.target.is_none() && call.args.len() == 2 && !accumulator {
                if let Some((_, ours)) = ARITHMETIC.iter().find(|(op, _)| *op == call.func_name) {
                    call.func_name = (*ours).to_string();
                }
            }
            if let Some(t) = call.target.as_deref_mut() {
                rewrite(t);
            }
            call.args.iter_mut().for_each(rewrite);
        }
        Node::Comprehension(c) => {
            rewrite(&mut c.iter_range);
            rewrite(&mut c.accu_init);
            rewrite(&mut c.loop_cond);
            rewrite(&mut c.loop_step);
            rewrite(&mut c.result);
        }
        Node::List(l) => l.elements.iter_mut().for_each(rewrite),
        Node::Map(m) => m.entries.iter_mut().for_each(|e| {
            if let cel::common::ast::EntryExpr::MapEntry(entry) = &mut e.expr {
                rewrite(&mut entry.key);
                rewrite(&mut entry.value);
            }
        }),
        Node::Select(s) => rewrite(&mut s.operand),
        Node::Struct(s) => s.entries.iter_mut().for_each(|e| {
            if let cel::common::ast::EntryExpr::StructField(field) = &mut e.expr {
                rewrite(&mut field.value);
            }
        }),
        Node::Ident(_) | Node::Literal(_) | Node::Unspecified => {}
    }
}

/// Registers the functions `rewrite` calls.
pub fn register(ctx: &mut Context<'_, '_>) {
    let _ = ctx.add_function("@num_add", |a: Value, b: Value| {
        promote(a, b, |a, b| a + b, |a, b| a + b)
    });
    let _ = ctx.add_function("@num_sub", |a: Value, b: Value| {
        promote(a, b, |a, b| a - b, |a, b| a - b)
    });
    let _ = ctx.add_function("@num_mul", |a: Value, b: Value| {
        promote(a, b, |a, b| a * b, |a, b| a * b)
    });
    let _ = ctx.add_function("@num_div", |a: Value, b: Value| {
        promote(a, b, |a, b| a / b, |a, b| a / b)
    });
    let _ = ctx.add_function("@num_rem", |a: Value, b: Value| {
        promote(a, b, |a, b| a % b, |a, b| a % b)
    });
}

/// Mixed int/double -> both doubles with `float`; anything else -> CEL's own
/// operator `cel_op`, errors and all.
fn promote(
    a: Value,
    b: Value,
    float: fn(f64, f64) -> f64,
    cel_op: fn(Value, Value) -> Result<Value, ExecutionError>,
) -> Result<Value, ExecutionError> {
    let as_f64 = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::UInt(u) => Some(*u as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    let mixed = matches!(
        (&a, &b),
        (Value::Float(_), Value::Int(_) | Value::UInt(_))
            | (Value::Int(_) | Value::UInt(_), Value::Float(_))
    );
    match (mixed, as_f64(&a), as_f64(&b)) {
        (true, Some(x), Some(y)) => Ok(Value::Float(float(x, y))),
        _ => cel_op(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{compile, Vars};

    fn eval(cond: &str, json: serde_json::Value) -> Result<Value, crate::expr::ExprError> {
        let mut v = Vars::default();
        v.set("json", from_json(&json));
        compile(cond)?.eval(&v)
    }

    #[test]
    fn whole_json_numbers_are_signed_ints_and_the_rest_doubles() {
        let v = from_json(&serde_json::json!([3, 3.0, -4, 18446744073709551615u64]));
        let Value::List(l) = v else { panic!() };
        assert_eq!(l[0], Value::Int(3));
        assert_eq!(l[1], Value::Float(3.0));
        assert_eq!(l[2], Value::Int(-4));
        assert_eq!(l[3], Value::Float(18446744073709551615.0));
    }

    #[test]
    fn arithmetic_mixes_ints_and_doubles() {
        for a in [serde_json::json!(3), serde_json::json!(3.0)] {
            let j = serde_json::json!({"a": a, "b": 5});
            assert!(
                matches!(
                    eval("json.a + 1", j.clone()).unwrap(),
                    Value::Int(4) | Value::Float(4.0)
                ),
                "{a}"
            );
            assert_eq!(eval("json.a * 1.5", j.clone()).unwrap(), Value::Float(4.5));
            assert!(matches!(
                eval("json.a - json.b", j.clone()).unwrap(),
                Value::Int(-2) | Value::Float(-2.0)
            ));
            assert!(matches!(
                eval("json.b / json.a", j.clone()).unwrap(),
                Value::Int(1) | Value::Float(_)
            ));
            assert_eq!(
                eval(
                    "json.a - json.b == -2 && json.a * 1.5 > 4 && json.a < json.b",
                    j
                )
                .unwrap(),
                Value::Bool(true)
            );
        }
    }

    #[test]
    fn non_numbers_keep_cel_meaning() {
        let j = serde_json::json!({"s": "a", "l": [1]});
        assert_eq!(eval("json.s + 'b'", j.clone()).unwrap(), Value::from("ab"));
        assert_eq!(
            eval("size(json.l + [2])", j.clone()).unwrap(),
            Value::Int(2)
        );
        assert_eq!(eval("7 / 2", j.clone()).unwrap(), Value::Int(3));
        assert_eq!(eval("7 / 2.0", j.clone()).unwrap(), Value::Float(3.5));
        assert!(eval("json.s + 1", j.clone()).is_err());
        assert!(eval("1 / 0", j).is_err());
    }
}
