//! Functions over Kubernetes objects as the API returns them, so that a
//! seed-001 check reads like the rule it enforces ("every container of every
//! pod has a non-latest image") instead of a page of nested field walks.
//! Documented in docs/playbook.md ("Functions").

use cel::objects::Value;
use cel::{Context, ExecutionError};
use serde_json::Value as Json;
use std::sync::Arc;

pub const NAMES: &[&str] = &[
    "containers",
    "env",
    "has_env",
    "image_tag",
    "configmap_refs",
    "waiting_reasons",
    "pod_ready",
    "names",
];

pub fn register(ctx: &mut Context<'_, '_>) {
    let _ = ctx.add_function(
        "containers",
        |item: Value| -> Result<Value, ExecutionError> {
            let item = json("containers", &item)?;
            let spec = pod_spec(&item);
            let list: Vec<Json> = ["initContainers", "containers"]
                .iter()
                .filter_map(|k| spec.and_then(|s| s.get(*k)).and_then(Json::as_array))
                .flatten()
                .cloned()
                .collect();
            to_cel("containers", &Json::Array(list))
        },
    );
    let _ = ctx.add_function(
        "env",
        |container: Value, name: Arc<String>| -> Result<Value, ExecutionError> {
            let c = json("env", &container)?;
            match env_var(&c, &name) {
                None => Ok(Value::Null),
                Some(var) => match (var.get("value"), var.get("valueFrom")) {
                    (_, Some(from)) => Err(ExecutionError::function_error(
                        "env",
                        format!("{name} is set from {from} (valueFrom): its value is not in the object; check the referenced object instead"),
                    )),
                    (Some(Json::String(v)), None) => Ok(Value::from(v.clone())),
                    // The API omits an empty value: the variable is set to "".
                    _ => Ok(Value::from(String::new())),
                },
            }
        },
    );
    let _ = ctx.add_function(
        "has_env",
        |container: Value, name: Arc<String>| -> Result<bool, ExecutionError> {
            Ok(env_var(&json("has_env", &container)?, &name).is_some())
        },
    );
    let _ = ctx.add_function("image_tag", |image: Arc<String>| -> String {
        image_tag(&image)
    });
    let _ = ctx.add_function(
        "configmap_refs",
        |item: Value| -> Result<Value, ExecutionError> {
            let item = json("configmap_refs", &item)?;
            let refs = pod_spec(&item).map(configmap_refs).unwrap_or_default();
            to_cel("configmap_refs", &Json::from(refs))
        },
    );
    let _ = ctx.add_function(
        "waiting_reasons",
        |pod: Value| -> Result<Value, ExecutionError> {
            let pod = json("waiting_reasons", &pod)?;
            let reasons: Vec<Json> = ["initContainerStatuses", "containerStatuses"]
                .iter()
                .filter_map(|k| {
                    pod.pointer(&format!("/status/{k}"))
                        .and_then(Json::as_array)
                })
                .flatten()
                .filter_map(|s| s.pointer("/state/waiting/reason").cloned())
                .collect();
            to_cel("waiting_reasons", &Json::Array(reasons))
        },
    );
    let _ = ctx.add_function("pod_ready", |pod: Value| -> Result<bool, ExecutionError> {
        let pod = json("pod_ready", &pod)?;
        Ok(pod
            .pointer("/status/conditions")
            .and_then(Json::as_array)
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            }))
    });
    let _ = ctx.add_function(
        "names",
        |list: Arc<Vec<Value>>| -> Result<Value, ExecutionError> {
            let names = list
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.to_string()),
                    other => json("names", other).map(|j| {
                        j.pointer("/metadata/name")
                            .and_then(Json::as_str)
                            .unwrap_or("?")
                            .to_string()
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::from(if names.is_empty() {
                "(none)".to_string()
            } else {
                names.join(", ")
            }))
        },
    );
}

fn json(function: &str, v: &Value) -> Result<Json, ExecutionError> {
    v.json()
        .map_err(|e| ExecutionError::function_error(function, format!("{e:?}")))
}

/// JSON back into CEL by the one number rule (see `numbers`).
fn to_cel(_function: &str, v: &Json) -> Result<Value, ExecutionError> {
    Ok(super::numbers::from_json(v))
}

/// The pod spec of a Pod, a pod template, a workload (Deployment, StatefulSet,
/// DaemonSet, ReplicaSet, Job) or a CronJob.
fn pod_spec(item: &Json) -> Option<&Json> {
    [
        "/spec/jobTemplate/spec/template/spec",
        "/spec/template/spec",
        "/spec",
        "",
    ]
    .iter()
    .filter_map(|p| item.pointer(p))
    .find(|s| s.get("containers").is_some())
}

fn env_var<'a>(container: &'a Json, name: &str) -> Option<&'a Json> {
    container
        .get("env")
        .and_then(Json::as_array)?
        .iter()
        .find(|e| e["name"] == name)
}

/// The tag of an image reference; "latest" when it names neither a tag nor a
/// digest (what the runtime pulls); "" for a digest-only reference.
pub fn image_tag(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    // A colon after the last slash is a tag; one before it is a registry port.
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.split_once(':') {
        Some((_, tag)) => tag.to_string(),
        None if digest.is_some() => String::new(),
        None => "latest".into(),
    }
}

/// ConfigMaps a pod spec reads: envFrom, env valueFrom, volumes (also projected).
fn configmap_refs(spec: &Json) -> Vec<String> {
    let mut refs = Vec::new();
    let mut add = |v: Option<&Json>| {
        if let Some(n) = v.and_then(Json::as_str) {
            if !refs.iter().any(|r| r == n) {
                refs.push(n.to_string());
            }
        }
    };
    for list in ["initContainers", "containers"] {
        for c in spec
            .get(list)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            for e in c
                .get("envFrom")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                add(e.pointer("/configMapRef/name"));
            }
            for e in c.get("env").and_then(Json::as_array).into_iter().flatten() {
                add(e.pointer("/valueFrom/configMapKeyRef/name"));
            }
        }
    }
    for v in spec
        .get("volumes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        add(v.pointer("/configMap/name"));
        for s in v
            .pointer("/projected/sources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            add(s.pointer("/configMap/name"));
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{bind, compile, Vars};
    use serde_json::json;

    fn vars(item: Json) -> Vars {
        let mut v = Vars::default();
        v.set("item", bind::json(Some(&item)));
        v
    }

    fn eval(expr: &str, item: Json) -> Result<bool, crate::expr::ExprError> {
        compile(expr).unwrap().eval_bool(&vars(item))
    }

    fn deployment() -> Json {
        json!({"kind": "Deployment", "spec": {"template": {"spec": {
            "initContainers": [{"name": "migrate", "image": "r.io/migrate:1.2"}],
            "containers": [{"name": "app", "image": "registry:5000/app@sha256:abc",
                "env": [{"name": "AGENT_MODE", "value": "WARMUP"}, {"name": "EMPTY"},
                        {"name": "FROM", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}}],
                "envFrom": [{"configMapRef": {"name": "agenttrader-kill-switch"}}]}],
            "volumes": [{"name": "p", "projected": {"sources": [{"configMap": {"name": "proj"}}]}}]
        }}}})
    }

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("nginx:latest"), "latest");
        assert_eq!(image_tag("registry:5000/team/app:v1.2"), "v1.2");
        assert_eq!(image_tag("registry:5000/team/app"), "latest");
        assert_eq!(image_tag("app@sha256:abc"), "");
        assert_eq!(image_tag("app:v1@sha256:abc"), "v1");
    }

    #[test]
    fn containers_of_workloads_include_init_containers() {
        assert!(eval(
            r#"containers(item).map(c, c.name) == ["migrate", "app"]"#,
            deployment()
        )
        .unwrap());
        assert!(eval("containers(item).size() == 0", json!({"kind": "ConfigMap"})).unwrap());
        let pod = json!({"spec": {"containers": [{"name": "a", "image": "x:1"}]}});
        assert!(eval(
            r#"containers(item).all(c, image_tag(c.image) != "latest")"#,
            pod
        )
        .unwrap());
    }

    #[test]
    fn env_reads_literal_values_and_refuses_to_guess_references() {
        let d = deployment();
        assert!(eval(
            r#"containers(item).exists(c, env(c, "AGENT_MODE") == "WARMUP")"#,
            d.clone()
        )
        .unwrap());
        assert!(eval(
            r#"containers(item).all(c, env(c, "MISSING") == null)"#,
            d.clone()
        )
        .unwrap());
        assert!(eval(
            r#"containers(item).exists(c, has_env(c, "EMPTY") && env(c, "EMPTY") == "")"#,
            d.clone()
        )
        .unwrap());
        let e = eval(r#"containers(item).exists(c, env(c, "FROM") == "x")"#, d).unwrap_err();
        assert!(e.to_string().contains("valueFrom"), "{e}");
    }

    #[test]
    fn configmap_refs_cover_env_from_and_volumes() {
        assert!(eval(
            r#"configmap_refs(item) == ["agenttrader-kill-switch", "cfg", "proj"]"#,
            deployment()
        )
        .unwrap());
    }

    #[test]
    fn pod_state_helpers() {
        let pod = json!({"metadata": {"name": "p1"}, "status": {
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff"}}}, {"state": {"running": {}}}]}});
        assert!(eval(
            r#"waiting_reasons(item) == ["CrashLoopBackOff"] && !pod_ready(item)"#,
            pod.clone()
        )
        .unwrap());
        let mut v = Vars::default();
        v.set(
            "items",
            bind::json(Some(&json!([pod, {"metadata": {"name": "p2"}}]))),
        );
        assert!(
            compile(r#"names(items) == "p1, p2" && names([]) == "(none)""#)
                .unwrap()
                .eval_bool(&v)
                .unwrap()
        );
    }
}
