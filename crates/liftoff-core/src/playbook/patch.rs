//! What a kubernetes action's `patch` and `json_patch` must be. Validation
//! asks at load and the action asks again with its placeholders filled, so
//! both refuse with the same words.

use serde_json::Value;

/// The `json_patch` list as an RFC 6902 patch, `fill` applied to its strings.
pub fn json_patch(
    ops: &toml::Value,
    fill: impl Fn(&str) -> String,
) -> Result<json_patch::Patch, String> {
    let mut v = serde_json::to_value(ops).map_err(|e| format!("json_patch: {e}"))?;
    fill_strings(&mut v, &fill);
    if !v.is_array() {
        return Err("`json_patch` must be a list of { op, path, value }".into());
    }
    serde_json::from_value(v).map_err(|e| format!("`json_patch` is not a JSON patch: {e}"))
}

/// The `patch` table as a JSON merge patch, `fill` applied to its strings.
pub fn merge_patch(table: &toml::Value, fill: impl Fn(&str) -> String) -> Result<Value, String> {
    let mut v = serde_json::to_value(table).map_err(|e| format!("patch: {e}"))?;
    fill_strings(&mut v, &fill);
    if !v.is_object() {
        return Err("`patch` must be a table (a JSON merge patch)".into());
    }
    Ok(v)
}

/// Keys stay as written: placeholders fill values only.
fn fill_strings(v: &mut Value, fill: &impl Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = fill(s),
        Value::Array(a) => a.iter_mut().for_each(|x| fill_strings(x, fill)),
        Value::Object(m) => m.values_mut().for_each(|x| fill_strings(x, fill)),
        _ => {}
    }
}
