//! Replies as the API server writes them: JSON bodies, `Status` objects,
//! `Scale` views, and RFC 7386 merge patches.

use super::resources::Res;
use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

pub(super) fn status(code: u16, reason: &str, message: String, details: Option<Value>) -> Response {
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code
    });
    if let Some(d) = details {
        body["details"] = d;
    }
    reply(code, &body)
}

pub(super) fn reply(code: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("Content-Type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub(super) fn not_found(res: &Res, name: &str) -> Response {
    status(
        404,
        "NotFound",
        format!(
            "{}{} \"{name}\" not found",
            res.plural,
            if res.group.is_empty() {
                String::new()
            } else {
                format!(".{}", res.group)
            }
        ),
        Some(json!({"name": name, "group": res.group, "kind": res.plural})),
    )
}

pub(super) fn scale_of(o: &Value) -> Value {
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": o["metadata"]["name"], "namespace": o["metadata"]["namespace"],
                     "resourceVersion": o["metadata"]["resourceVersion"], "uid": o["metadata"]["uid"]},
        "spec": {"replicas": o["spec"]["replicas"]},
        "status": {"replicas": o["status"]["replicas"].as_i64().unwrap_or(0)}
    })
}

/// RFC 7386 JSON merge patch: null deletes, objects merge, anything else replaces.
pub(super) fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let t = target.as_object_mut().unwrap();
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}
