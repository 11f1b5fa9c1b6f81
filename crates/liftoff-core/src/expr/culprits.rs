//! Which elements made a list condition false (docs/playbook.md, "Culprits").
//!
//! When a condition is false and its top level, or a conjunct of a top-level
//! `&&`, is `X.all(v, P)`, the parsed tree is walked (never the text) and `P`
//! is evaluated once per element of `X` with `v` bound: the first few elements
//! for which `P` is not true are named, with the values `P` compared there.
//! `X.exists(v, P)` says that none matched, `X.exists_one(v, P)` how many did,
//! and `!X.exists(v, P)` names the ones that matched.

use super::{display, Expr, Vars};
use cel::common::ast::{operators, CallExpr, ComprehensionExpr, Expr as Node, IdedExpr};
use cel::{Context, Value};
use serde::{Deserialize, Serialize};

/// At most this many elements are named per list; the rest are counted.
pub const MAX_NAMED: usize = 5;

/// One finding: an element that failed, or what a list as a whole lacked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Culprit {
    /// The list the condition walked, as written (`items`).
    pub over: String,
    /// The element, named (`default/api-7f9c`, `http_errors{code="500"}`,
    /// `v1.json`); none for a finding about the whole list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// What the condition read there (`c.state.waiting.reason = "CrashLoopBackOff"`),
    /// or the finding (`none of 3 matched`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl std::fmt::Display for Culprit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.over)?;
        if let Some(e) = &self.element {
            write!(f, " {e}")?;
        }
        match (&self.element, &self.detail) {
            (Some(_), Some(d)) => write!(f, " ({d})"),
            (None, Some(d)) => write!(f, " {d}"),
            _ => Ok(()),
        }
    }
}

/// How to name an element that is a row (a map has no column order).
#[derive(Debug, Clone, Default)]
pub struct Hint {
    /// The query's first column, for `rows`.
    pub first_column: Option<String>,
}

impl Expr {
    /// The culprits of this (false) condition over `vars`; empty when it has
    /// no list at its top level or every list was fine.
    pub fn culprits(&self, vars: &Vars, hint: &Hint) -> Vec<Culprit> {
        super::with_context(vars, |ctx| {
            let mut out = Vec::new();
            top_level(&self.tree, ctx, hint, &mut out);
            out
        })
    }
}

/// The top level and the conjuncts of a top-level `&&`.
fn top_level(node: &IdedExpr, ctx: &Context, hint: &Hint, out: &mut Vec<Culprit>) {
    match &node.expr {
        Node::Call(c) if c.func_name == operators::LOGICAL_AND && c.target.is_none() => {
            for arg in &c.args {
                top_level(arg, ctx, hint, out);
            }
        }
        Node::Call(c) if c.func_name == operators::LOGICAL_NOT && c.args.len() == 1 => {
            if let Node::Comprehension(comp) = &c.args[0].expr {
                if macro_of(comp) == Some(Macro::Exists) {
                    list(comp, Macro::NotExists, ctx, hint, out);
                }
            }
        }
        Node::Comprehension(comp) => {
            if let Some(m) = macro_of(comp) {
                list(comp, m, ctx, hint, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Macro {
    All,
    Exists,
    ExistsOne,
    /// `!X.exists(...)`: any match is a culprit.
    NotExists,
}

/// Recognises the trees the parser expands `all`, `exists` and `exists_one` into.
fn macro_of(c: &ComprehensionExpr) -> Option<Macro> {
    let Node::Call(step) = &c.loop_step.expr else {
        return None;
    };
    if !matches!(c.accu_init.expr, Node::Literal(_)) {
        return None;
    }
    match (literal(&c.accu_init), step.func_name.as_str()) {
        (Value::Bool(true), operators::LOGICAL_AND) => Some(Macro::All),
        (Value::Bool(false), operators::LOGICAL_OR) => Some(Macro::Exists),
        (Value::Int(0), operators::CONDITIONAL) => Some(Macro::ExistsOne),
        _ => None,
    }
}

/// The predicate `P` of a recognised comprehension.
fn predicate(c: &ComprehensionExpr) -> Option<&IdedExpr> {
    let Node::Call(step) = &c.loop_step.expr else {
        return None;
    };
    match step.func_name.as_str() {
        operators::CONDITIONAL => step.args.first(),
        _ => step.args.get(1),
    }
}

fn list(c: &ComprehensionExpr, m: Macro, ctx: &Context, hint: &Hint, out: &mut Vec<Culprit>) {
    let Some(pred) = predicate(c) else { return };
    let over = text(&c.iter_range);
    let elements: Vec<Value> = match Value::resolve(&c.iter_range, ctx) {
        Ok(Value::List(l)) => l.iter().cloned().collect(),
        Ok(Value::Map(m)) => m.map.keys().map(|k| Value::from(k.clone())).collect(),
        _ => return,
    };
    let mut named = Vec::new();
    let mut matched = 0usize;
    let mut failing = 0usize;
    for el in &elements {
        let mut inner = ctx.new_inner_scope();
        inner.add_variable_from_value(c.iter_var.clone(), el.clone());
        let result = Value::resolve(pred, &inner);
        let holds = matches!(result, Ok(Value::Bool(true)));
        matched += usize::from(holds);
        let culprit = match m {
            Macro::All => !holds,
            Macro::NotExists | Macro::ExistsOne => holds,
            Macro::Exists => false,
        };
        if !culprit {
            continue;
        }
        failing += 1;
        if named.len() < MAX_NAMED {
            let detail = match &result {
                Err(e) => Some(format!("error: {e}")),
                Ok(_) => reads(pred, &inner, hint),
            };
            named.push(Culprit {
                over: over.clone(),
                element: Some(name(el, hint)),
                detail,
            });
        }
    }
    let whole = |detail: String| Culprit {
        over: over.clone(),
        element: None,
        detail: Some(detail),
    };
    match m {
        Macro::All | Macro::NotExists => {
            let more = failing.saturating_sub(named.len());
            out.extend(named);
            if more > 0 {
                out.push(whole(format!("and {more} more")));
            }
        }
        Macro::Exists if matched == 0 => {
            out.push(whole(format!("none of {} matched", elements.len())))
        }
        Macro::ExistsOne if matched != 1 => {
            out.push(whole(format!(
                "{matched} of {} matched, not exactly one",
                elements.len()
            )));
            if matched > 1 {
                out.extend(named);
            }
        }
        _ => {}
    }
}

/// What `P` read for one failing element: a nested list's culprit, or the
/// values compared by the comparisons that came out false.
fn reads(pred: &IdedExpr, ctx: &Context, hint: &Hint) -> Option<String> {
    let mut nested = Vec::new();
    top_level(pred, ctx, hint, &mut nested);
    if let Some(first) = nested.first() {
        return Some(first.to_string());
    }
    let mut found = Vec::new();
    comparisons(pred, ctx, &mut found);
    found.truncate(2);
    (!found.is_empty()).then(|| found.join(", "))
}

const COMPARISONS: [&str; 6] = [
    operators::EQUALS,
    operators::NOT_EQUALS,
    operators::LESS,
    operators::LESS_EQUALS,
    operators::GREATER,
    operators::GREATER_EQUALS,
];

/// False comparisons under `&&`, `||` and `!`, as `operand = value`.
fn comparisons(node: &IdedExpr, ctx: &Context, out: &mut Vec<String>) {
    let Node::Call(c) = &node.expr else { return };
    let name = c.func_name.as_str();
    if [
        operators::LOGICAL_AND,
        operators::LOGICAL_OR,
        operators::LOGICAL_NOT,
    ]
    .contains(&name)
    {
        c.args.iter().for_each(|a| comparisons(a, ctx, out));
        return;
    }
    if !COMPARISONS.contains(&name) || c.args.len() != 2 {
        return;
    }
    if matches!(Value::resolve(node, ctx), Ok(Value::Bool(true))) {
        return;
    }
    for side in &c.args {
        if matches!(side.expr, Node::Literal(_)) {
            continue;
        }
        let shown = match Value::resolve(side, ctx) {
            Ok(v) => quoted(&v),
            Err(e) => format!("<{e}>"),
        };
        out.push(format!("{} = {shown}", text(side)));
    }
}

fn quoted(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => display(other),
    }
}

/// An element as a person names it.
pub fn name(v: &Value, hint: &Hint) -> String {
    let get = |m: &cel::objects::Map, k: &str| m.map.get(&cel::objects::Key::from(k)).cloned();
    let s = match v {
        Value::Map(m) => {
            if let Some(Value::Map(meta)) = get(m, "metadata") {
                match (get(&meta, "namespace"), get(&meta, "name")) {
                    (Some(Value::String(ns)), Some(Value::String(n))) => format!("{ns}/{n}"),
                    (_, Some(n)) => display(&n),
                    _ => display(v),
                }
            } else if let Some(Value::Map(labels)) = get(m, "labels") {
                labels_text(&labels)
            } else if let Some(Value::String(n)) = get(m, "name") {
                n.to_string()
            } else if let Some(col) = &hint.first_column {
                match get(m, col) {
                    Some(val) => format!("{col}={}", quoted(&val)),
                    None => display(v),
                }
            } else {
                display(v)
            }
        }
        other => quoted(other),
    };
    truncate(s, 120)
}

/// `name{k="v", ...}`, keys sorted, as Prometheus writes a series.
fn labels_text(labels: &cel::objects::Map) -> String {
    let mut pairs: Vec<(String, String)> = labels
        .map
        .iter()
        .map(|(k, v)| (k.to_string(), display(v)))
        .collect();
    pairs.sort();
    let metric = pairs
        .iter()
        .find(|(k, _)| k == "__name__")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let rest: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k != "__name__")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    format!("{metric}{{{}}}", rest.join(", "))
}

fn truncate(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// A sub-expression written back as CEL (for naming what was read).
fn text(node: &IdedExpr) -> String {
    match &node.expr {
        Node::Ident(n) => n.clone(),
        Node::Select(s) if s.test => format!("has({}.{})", text(&s.operand), s.field),
        Node::Select(s) => format!("{}.{}", text(&s.operand), s.field),
        Node::Literal(_) => quoted(&literal(node)),
        Node::Call(c) => call_text(c),
        Node::Comprehension(c) => format!("{}.{}(…)", text(&c.iter_range), comp_name(c)),
        Node::List(_) => "[…]".into(),
        Node::Map(_) | Node::Struct(_) => "{…}".into(),
        Node::Unspecified => "?".into(),
    }
}

/// A literal node's value (a literal needs no variables or functions).
fn literal(node: &IdedExpr) -> Value {
    Value::resolve(node, &Context::empty()).unwrap_or(Value::Null)
}

fn comp_name(c: &ComprehensionExpr) -> &'static str {
    match macro_of(c) {
        Some(Macro::All) => "all",
        Some(Macro::Exists | Macro::NotExists) => "exists",
        Some(Macro::ExistsOne) => "exists_one",
        None => "map",
    }
}

fn call_text(c: &CallExpr) -> String {
    let args: Vec<String> = c.args.iter().map(text).collect();
    let f = c.func_name.as_str();
    if f == operators::INDEX && args.len() == 2 {
        return format!("{}[{}]", args[0], args[1]);
    }
    if let Some(op) = f.strip_prefix('_').and_then(|r| r.strip_suffix('_')) {
        if args.len() == 2 && !op.contains('_') {
            return format!("{} {op} {}", args[0], args[1]);
        }
    }
    if let Some(op) = f.strip_prefix("@num_") {
        let sym = match op {
            "add" => "+",
            "sub" => "-",
            "mul" => "*",
            "div" => "/",
            _ => "%",
        };
        if args.len() == 2 {
            return format!("{} {sym} {}", args[0], args[1]);
        }
    }
    if f == operators::LOGICAL_NOT && args.len() == 1 {
        return format!("!{}", args[0]);
    }
    if f == operators::NEGATE && args.len() == 1 {
        return format!("-{}", args[0]);
    }
    match &c.target {
        Some(t) => format!("{}.{f}({})", text(t), args.join(", ")),
        None => format!("{f}({})", args.join(", ")),
    }
}

#[cfg(test)]
#[path = "culprits_tests.rs"]
mod tests;
