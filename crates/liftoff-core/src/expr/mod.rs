//! Conditions in CEL, the expression language Kubernetes uses.
//!
//! A playbook's `pass`, `warn`, `trip` and readback conditions are compiled once
//! (at load, so a bad expression is refused before anything runs) and evaluated
//! against the variables an observation binds (see `bind`).

pub mod bind;
pub mod culprits;
mod functions;
mod kube_functions;
pub mod limits;
pub mod numbers;

use cel::{Context, Program, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A compiled condition, cheap to clone.
#[derive(Clone)]
pub struct Expr {
    source: Arc<str>,
    /// The parsed tree as evaluated: the parser's, with arithmetic made to mix
    /// ints and doubles (see `numbers`).
    tree: Arc<cel::IdedExpr>,
    variables: Arc<[String]>,
    shape: limits::Shape,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Expr({:?})", self.source)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExprError {
    #[error("CEL does not compile: {0}")]
    Compile(String),
    #[error("{0}")]
    Eval(String),
    #[error("condition gave {0}, not true or false")]
    NotBool(String),
}

/// Variables a condition sees. Built by `bind` from an observation.
#[derive(Debug, Clone, Default)]
pub struct Vars(pub BTreeMap<String, Value>);

impl Vars {
    pub fn set(&mut self, name: &str, value: impl Into<Value>) {
        self.0.insert(name.to_string(), value.into());
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

pub fn compile(source: &str) -> Result<Expr, ExprError> {
    if source.trim().is_empty() {
        return Err(ExprError::Compile("the condition is empty".into()));
    }
    // Before the parser: its recursion follows the condition's depth.
    let shape = limits::check(source).map_err(|e| ExprError::Compile(e.message))?;
    let program = on_cel_stack(shape, || Program::compile(source))
        .map_err(|e| ExprError::Compile(e.to_string().lines().collect::<Vec<_>>().join(" ")))?;
    let variables: Vec<String> = program
        .references()
        .variables()
        .into_iter()
        .map(str::to_string)
        .collect();
    for f in program.references().functions() {
        if !functions::is_known(f) {
            return Err(ExprError::Compile(format!(
                "unknown function `{f}()`; see docs/playbook.md for the functions conditions may call"
            )));
        }
    }
    let mut tree = program.expression().clone();
    numbers::rewrite(&mut tree);
    Ok(Expr {
        source: source.into(),
        tree: Arc::new(tree),
        variables: variables.into(),
        shape,
    })
}

/// Stack for parsing or evaluating a deep condition: the CEL parser and
/// evaluator recurse once per level, and a debug build's frames are large
/// (16 nested brackets overflow a 2 MiB thread). Mapped, touched only as used.
const CEL_STACK: usize = 64 * 1024 * 1024;

fn on_cel_stack<R>(shape: limits::Shape, f: impl FnOnce() -> R) -> R {
    if shape.is_deep() {
        stacker::grow(CEL_STACK, f)
    } else {
        f()
    }
}

impl Expr {
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Variables the expression reads (so a missing one can be explained).
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    pub fn eval(&self, vars: &Vars) -> Result<Value, ExprError> {
        with_context(vars, |ctx| {
            on_cel_stack(self.shape, || Value::resolve(&self.tree, ctx))
        })
        .map_err(|e| ExprError::Eval(e.to_string()))
    }

    pub fn eval_bool(&self, vars: &Vars) -> Result<bool, ExprError> {
        match self.eval(vars)? {
            Value::Bool(b) => Ok(b),
            other => Err(ExprError::NotBool(display(&other))),
        }
    }
}

/// CEL's standard library, declared once: building it is far dearer than
/// evaluating a condition, and it never changes.
static STDLIB: std::sync::LazyLock<Arc<cel::Env>> =
    std::sync::LazyLock::new(|| Arc::new(cel::Env::stdlib()));

thread_local! {
    /// This thread's context with our functions registered (declaring them
    /// checks each against the standard library: dear, and always the same).
    /// Its variables are replaced on every evaluation.
    static CONTEXT: std::cell::RefCell<Option<Context<'static, 'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// A context with the standard library and our functions, no variables: what
/// `Context::default()` plus our functions gives, on the shared standard library.
fn base_context() -> Context<'static, 'static> {
    let mut ctx = Context::with_env(STDLIB.clone());
    functions::register(&mut ctx);
    numbers::register(&mut ctx);
    ctx
}

fn set_variables(ctx: &mut Context<'static, 'static>, vars: &Vars) {
    let (Context::Root { variables, .. } | Context::Child { variables, .. }) = ctx;
    variables.clear();
    for (name, value) in &vars.0 {
        ctx.add_variable_from_value(name.clone(), value.clone());
    }
}

/// Runs `f` on a context with our functions and exactly `vars` bound (this
/// thread's, reused; a fresh one if it is in use further up the stack).
fn with_context<R>(vars: &Vars, f: impl FnOnce(&Context<'static, 'static>) -> R) -> R {
    CONTEXT.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let ctx = slot.get_or_insert_with(base_context);
            set_variables(ctx, vars);
            let result = f(ctx);
            // Values are not kept alive (nor seen) past their evaluation.
            set_variables(ctx, &Vars::default());
            result
        }
        Err(_) => {
            let mut ctx = base_context();
            set_variables(&mut ctx, vars);
            f(&ctx)
        }
    })
}

/// A CEL value as a person reads it in evidence.
pub fn display(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => format_number(*f),
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Duration(d) => {
            humantime::format_duration(d.to_std().unwrap_or_default()).to_string()
        }
        Value::Timestamp(t) => t.to_rfc3339(),
        Value::List(l) => format!("[{} items]", l.len()),
        Value::Map(m) => format!("{{{} keys}}", m.map.len()),
        other => format!("{other:?}"),
    }
}

/// Numbers without float noise: 0.9 not 0.9000000000000001, 12 not 12.0.
pub fn format_number(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let s = format!("{:.6}", f);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Value)]) -> Vars {
        let mut v = Vars::default();
        for (k, val) in pairs {
            v.set(k, val.clone());
        }
        v
    }

    #[test]
    fn compares_floats_and_ints() {
        let e = compile("value >= 0.9").unwrap();
        assert!(e
            .eval_bool(&vars(&[("value", Value::Float(0.95))]))
            .unwrap());
        assert!(!e.eval_bool(&vars(&[("value", Value::Float(0.5))])).unwrap());
        let eq = compile("value == 10").unwrap();
        assert!(eq
            .eval_bool(&vars(&[("value", Value::Float(10.0))]))
            .unwrap());
    }

    #[test]
    fn refuses_bad_syntax_and_unknown_functions() {
        assert!(matches!(compile("value >="), Err(ExprError::Compile(_))));
        assert!(matches!(
            compile("frobnicate(value)"),
            Err(ExprError::Compile(_))
        ));
        assert!(matches!(compile(""), Err(ExprError::Compile(_))));
    }

    #[test]
    fn durations_compare() {
        let e = compile("age < duration(\"48h\")").unwrap();
        let age = chrono::Duration::hours(3);
        assert!(e
            .eval_bool(&vars(&[("age", Value::Duration(age))]))
            .unwrap());
    }

    #[test]
    fn non_bool_result_is_an_error() {
        let e = compile("value + 1").unwrap();
        let err = e.eval_bool(&vars(&[("value", Value::Int(1))])).unwrap_err();
        assert_eq!(err, ExprError::NotBool("2".into()));
    }

    #[test]
    fn missing_variable_is_an_error_not_a_pass() {
        let e = compile("value >= 0.9").unwrap();
        assert!(e.eval_bool(&Vars::default()).is_err());
    }

    #[test]
    fn format_number_is_readable() {
        assert_eq!(format_number(0.9000000000000001), "0.9");
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(0.25), "0.25");
    }
}
