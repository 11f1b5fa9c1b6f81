//! Secrets are read only when a playbook names one, and their values never
//! leave this module: a condition can see which keys a Secret has, never what
//! they hold.

use serde_json::Value;

pub const REDACTED: &str = "<redacted>";

/// kubectl's copy of the applied object, which would carry the data again.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Replaces every value under `data` and `stringData`, and the last-applied annotation.
pub fn secret(obj: &mut Value) {
    for field in ["data", "stringData"] {
        if let Some(Value::Object(map)) = obj.get_mut(field) {
            for v in map.values_mut() {
                *v = Value::String(REDACTED.into());
            }
        }
    }
    if let Some(Value::Object(ann)) = obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
    {
        if let Some(v) = ann.get_mut(LAST_APPLIED) {
            *v = Value::String(REDACTED.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_go_keys_stay() {
        let mut s = json!({
            "kind": "Secret",
            "metadata": {"name": "db", "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"aHVudGVyMg==\"}}", "team": "x"}},
            "data": {"password": "aHVudGVyMg=="},
            "stringData": {"token": "abc"}
        });
        secret(&mut s);
        let text = s.to_string();
        assert!(
            !text.contains("aHVudGVyMg==") && !text.contains("abc"),
            "{text}"
        );
        assert_eq!(s["data"]["password"], REDACTED);
        assert_eq!(s["metadata"]["annotations"]["team"], "x");
    }
}
