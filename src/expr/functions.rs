//! Functions conditions may call beyond the CEL standard library.
//! Every name here is documented in docs/playbook.md ("Functions").

use cel::Context;

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
    "max",
    "min",
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
    "or",
    "orValue",
    "hasValue",
    "value",
    "of",
    "none",
    "lowerAscii",
    "upperAscii",
    "trim",
    "split",
    "join",
    "replace",
    "indexOf",
    "lastIndexOf",
    "substring",
    "charAt",
    "format",
    "sort",
    "distinct",
    "flatten",
    "reverse",
    "slice",
    "greatest",
    "least",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "trunc",
    "isNaN",
    "isInf",
    "isFinite",
    "base64",
    "encode",
    "decode",
    "sum",
    "@in",
    "@not_strictly_false",
];

const OURS: &[&str] = &["sum"];

pub fn is_known(name: &str) -> bool {
    // Operators show up as "_+_" style names in references.
    name.starts_with(['_', '@', '!', '-']) // operators: _+_, !_, -_, @in
        || STANDARD.contains(&name)
        || OURS.contains(&name)
}

pub fn register(ctx: &mut Context<'_, '_>) {
    // sum(list) of numbers: the total of a list, e.g. sum(series.map(s, s.value)).
    let _ = ctx.add_function("sum", |list: std::sync::Arc<Vec<cel::Value>>| -> f64 {
        list.iter()
            .map(|v| match v {
                cel::Value::Int(i) => *i as f64,
                cel::Value::UInt(u) => *u as f64,
                cel::Value::Float(f) => *f,
                _ => 0.0,
            })
            .sum()
    });
}
