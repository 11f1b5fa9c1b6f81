//! Meaning checks after the shape is right: references resolve, conditions
//! compile, kinds get the keys they need, no secret sits inline.

use super::error::suggest;
use super::types::*;
use crate::expr::compile;
use crate::source::selector::{parse_matchers, Selector};
use std::collections::{BTreeMap, HashSet};

/// A problem at a dotted path in the document (see `SpanIndex`).
#[derive(Debug)]
pub struct Finding {
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    /// Point at the key rather than the value (for "this key does not belong").
    pub at_key: bool,
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn at(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        self.0.push(Finding {
            path: path.into(),
            message: message.into(),
            hint: hint.into(),
            at_key: false,
        });
    }
    fn at_key(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        self.0.push(Finding {
            path: path.into(),
            message: message.into(),
            hint: hint.into(),
            at_key: true,
        });
    }
}

pub fn validate(pb: &Playbook) -> Vec<Finding> {
    let mut f = Findings::default();
    let roles: Vec<&str> = pb.roles.iter().map(|r| r.id.as_str()).collect();
    let sources: Vec<&str> = pb.sources.keys().map(String::as_str).collect();

    if pb.release.name.trim().is_empty() {
        f.at(
            "release.name",
            "the release has no name",
            Some("write name = \"what ships, e.g. rl-policy v42\"".into()),
        );
    }
    duplicates(
        &mut f,
        "role",
        pb.roles.iter().map(|r| r.id.as_str()),
        "role id",
    );
    for (i, role) in pb.release.go_acks.iter().enumerate() {
        role_ref(&mut f, &format!("release.go_acks.{i}"), role, &roles);
    }
    if let Some(d) = pb.release.ack_valid_for {
        if d.0.is_zero() {
            f.at(
                "release.ack_valid_for",
                "ack_valid_for is zero: every ACK would be expired",
                Some("write e.g. \"4h\"".into()),
            );
        }
    }

    for (id, spec) in &pb.sources {
        source(&mut f, id, spec, &roles);
    }

    duplicates(
        &mut f,
        "check",
        pb.checks.iter().map(|c| c.id.as_str()),
        "check id",
    );
    for (i, c) in pb.checks.iter().enumerate() {
        let path = format!("check.{i}");
        let kind = source_ref(&mut f, &format!("{path}.source"), &c.source, pb, &sources);
        query(&mut f, &path, kind, c.query.as_deref());
        condition(&mut f, &format!("{path}.pass"), &c.pass);
        if let Some(w) = &c.warn {
            condition(&mut f, &format!("{path}.warn"), w);
        }
        if let Some(s) = &c.show {
            condition(&mut f, &format!("{path}.show"), s);
        }
    }

    if let Some(ramp) = &pb.ramp {
        action(&mut f, "ramp.set", &ramp.set, pb, &sources);
        if let Some(rb) = &ramp.readback {
            readback(&mut f, "ramp.readback", rb, pb, &sources);
        }
        if ramp.stages.is_empty() {
            f.at(
                "ramp",
                "the ramp has no stages",
                Some("add [[ramp.stage]] tables, e.g. name = \"10%\", percent = 10".into()),
            );
        }
        duplicates(
            &mut f,
            "ramp.stage",
            ramp.stages.iter().map(|s| s.name.as_str()),
            "stage name",
        );
        for (i, st) in ramp.stages.iter().enumerate() {
            let path = format!("ramp.stage.{i}");
            if !(0.0..=100.0).contains(&st.percent) {
                f.at(
                    format!("{path}.percent"),
                    format!("percent {} is outside 0..100", st.percent),
                    None,
                );
            }
            for (j, role) in st.acks.iter().enumerate() {
                role_ref(&mut f, &format!("{path}.acks.{j}"), role, &roles);
            }
            for (j, dp) in st.decision_points.iter().enumerate() {
                if let Some(hold) = st.hold {
                    if *dp > hold {
                        f.at(
                            format!("{path}.decision_points.{j}"),
                            format!("decision point {dp} is after the hold ({hold}) ends"),
                            Some("make the hold longer or the decision point earlier".into()),
                        );
                    }
                }
            }
            if let Some(set) = &st.set {
                action(&mut f, &format!("{path}.set"), set, pb, &sources);
            }
        }
    }

    duplicates(
        &mut f,
        "guard",
        pb.guards.iter().map(|g| g.id.as_str()),
        "guard id",
    );
    for (i, g) in pb.guards.iter().enumerate() {
        let path = format!("guard.{i}");
        let kind = source_ref(&mut f, &format!("{path}.source"), &g.source, pb, &sources);
        query(&mut f, &path, kind, g.query.as_deref());
        condition(&mut f, &format!("{path}.trip"), &g.trip);
        if g.on_trip == OnTrip::Kill && pb.kill_switch.is_none() {
            f.at(
                format!("{path}.on_trip"),
                "on_trip = \"kill\" but the playbook has no [kill_switch]",
                Some("add a [kill_switch] table or write on_trip = \"alarm\"".into()),
            );
        }
    }

    if let Some(k) = &pb.kill_switch {
        if k.actions.is_empty() {
            f.at("kill_switch.actions", "the kill switch has no actions", Some("add at least one, e.g. { kind = \"command\", run = [\"make\", \"kill-switch\"] }".into()));
        }
        for (i, a) in k.actions.iter().enumerate() {
            action(&mut f, &format!("kill_switch.actions.{i}"), a, pb, &sources);
        }
        readback(&mut f, "kill_switch.verify", &k.verify, pb, &sources);
    }

    duplicates(
        &mut f,
        "rollback",
        pb.rollbacks.iter().map(|r| r.id.as_str()),
        "rollback id",
    );
    for (i, r) in pb.rollbacks.iter().enumerate() {
        let path = format!("rollback.{i}");
        if r.actions.is_empty() {
            f.at(
                format!("{path}.actions"),
                "this rollback target has no actions",
                None,
            );
        }
        for (j, a) in r.actions.iter().enumerate() {
            action(&mut f, &format!("{path}.actions.{j}"), a, pb, &sources);
        }
        readback(&mut f, &format!("{path}.verify"), &r.verify, pb, &sources);
    }

    for (i, n) in pb.notifications.iter().enumerate() {
        let path = format!("notify.{i}");
        if n.url_env.is_none() && n.url_file.is_none() {
            f.at(path.clone(), "a notification needs its webhook URL by reference", Some("write url_env = \"SLACK_WEBHOOK_URL\" or url_file = \"path\"; webhook URLs are secrets".into()));
        }
        for (j, e) in n.events.iter().enumerate() {
            if !NOTIFY_EVENTS.contains(&e.as_str()) {
                let hint = suggest(e, NOTIFY_EVENTS.iter().copied())
                    .map(|s| format!("did you mean \"{s}\"?"))
                    .unwrap_or_else(|| format!("events are: {}", NOTIFY_EVENTS.join(", ")));
                f.at(
                    format!("{path}.events.{j}"),
                    format!("unknown event \"{e}\""),
                    Some(hint),
                );
            }
        }
    }

    let ids: HashSet<&str> = pb
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .chain(pb.guards.iter().map(|g| g.id.as_str()))
        .collect();
    for (i, r) in pb.runbook.iter().enumerate() {
        for (j, c) in r.checks.iter().enumerate() {
            if !ids.contains(c.as_str()) {
                let hint =
                    suggest(c, ids.iter().copied()).map(|s| format!("did you mean \"{s}\"?"));
                f.at(
                    format!("runbook.{i}.checks.{j}"),
                    format!("no check or guard named \"{c}\""),
                    hint,
                );
            }
        }
    }
    f.0
}

fn duplicates<'a>(f: &mut Findings, table: &str, ids: impl Iterator<Item = &'a str>, what: &str) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            f.at(
                format!("{table}.{i}"),
                format!("duplicate {what} \"{id}\""),
                Some(format!("each {what} must be unique; rename this one")),
            );
        }
    }
}

fn role_ref(f: &mut Findings, path: &str, role: &str, roles: &[&str]) {
    if !roles.contains(&role) {
        let hint = match suggest(role, roles.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None if roles.is_empty() => format!("declare it: [[role]] id = \"{role}\""),
            None => format!("roles are: {}", roles.join(", ")),
        };
        f.at(path, format!("unknown role \"{role}\""), Some(hint));
    }
}

fn source_ref(
    f: &mut Findings,
    path: &str,
    name: &str,
    pb: &Playbook,
    sources: &[&str],
) -> Option<SourceKind> {
    match pb.sources.get(name) {
        Some(s) => s.kind,
        None => {
            let hint = match suggest(name, sources.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None if sources.is_empty() => format!("declare it: [source.{name}] kind = \"...\""),
                None => format!("sources are: {}", sources.join(", ")),
            };
            f.at(path, format!("unknown source \"{name}\""), Some(hint));
            None
        }
    }
}

fn query(f: &mut Findings, path: &str, kind: Option<SourceKind>, q: Option<&str>) {
    match (kind, q) {
        (Some(SourceKind::Prometheus), None) => f.at(
            path,
            "a check on a prometheus source needs a `query` (PromQL)",
            Some("add e.g. query = \"policy_entropy\"".into()),
        ),
        (Some(SourceKind::Prometheus), Some(q)) if q.trim().is_empty() => {
            f.at(format!("{path}.query"), "the query is empty", None)
        }
        (Some(SourceKind::Prometheus), Some(q)) => {
            if let Err(e) = promql_parser::parser::parse(q) {
                f.at(
                    format!("{path}.query"),
                    format!("PromQL does not parse: {e}"),
                    None,
                );
            }
        }
        (Some(SourceKind::Scrape), Some(q)) => {
            if let Err(e) = Selector::parse(q) {
                f.at(format!("{path}.query"), e, None);
            }
        }
        _ => {}
    }
}

fn condition(f: &mut Findings, path: &str, text: &str) {
    if let Err(e) = compile(text) {
        f.at(
            path,
            e.to_string(),
            Some("conditions are CEL, e.g. \"value >= 0.9\" or \"alerts.size() == 0\"".into()),
        );
    }
}

fn readback(f: &mut Findings, path: &str, rb: &Readback, pb: &Playbook, sources: &[&str]) {
    let kind = source_ref(f, &format!("{path}.source"), &rb.source, pb, sources);
    query(f, path, kind, rb.query.as_deref());
    condition(f, &format!("{path}.pass"), &rb.pass);
}

const COMMON_SOURCE_KEYS: &[&str] = &["kind", "interval", "timeout", "max_bytes"];

fn source(f: &mut Findings, id: &str, s: &SourceSpec, roles: &[&str]) {
    let path = format!("source.{id}");
    let Some(kind) = s.kind else {
        f.at(path, format!("source \"{id}\" has no kind"), Some("add kind = \"prometheus\" (or scrape, alertmanager, kubernetes, artifacts, http, command, sql, manual)".into()));
        return;
    };
    // Keys set on this source that its kind does not use.
    let allowed: Vec<&str> = COMMON_SOURCE_KEYS
        .iter()
        .chain(kind.keys())
        .copied()
        .collect();
    for key in set_keys(s) {
        if !allowed.contains(&key) {
            f.at_key(
                format!("{path}.{key}"),
                format!("`{key}` does not apply to a {} source", kind.name()),
                Some(format!(
                    "a {} source takes: {}",
                    kind.name(),
                    allowed.join(", ")
                )),
            );
        }
    }
    for (key, d) in [("interval", s.interval), ("timeout", s.timeout)] {
        if d.is_some_and(|d| d.0.is_zero()) {
            f.at(
                format!("{path}.{key}"),
                format!("{key} is zero"),
                Some("write e.g. \"5s\"".into()),
            );
        }
    }
    if s.max_bytes == Some(0) {
        f.at(
            format!("{path}.max_bytes"),
            "max_bytes is zero: nothing could be read",
            None,
        );
    }
    if s.token_env.is_some() && s.token_file.is_some() {
        f.at(
            format!("{path}.token_file"),
            "both token_env and token_file are set",
            Some("keep one".into()),
        );
    }
    let need = |f: &mut Findings, key: &str, present: bool, example: &str| {
        if !present {
            f.at(
                path.clone(),
                format!("a {} source needs `{key}`", kind.name()),
                Some(format!("add {key} = {example}")),
            );
        }
    };
    match kind {
        SourceKind::Prometheus
        | SourceKind::Scrape
        | SourceKind::Alertmanager
        | SourceKind::Http => {
            need(f, "url", s.url.is_some(), "\"http://127.0.0.1:9090\"");
            if let Some(u) = &s.url {
                url(f, &format!("{path}.url"), u);
            }
        }
        SourceKind::Command => need(f, "run", !s.run.is_empty(), "[\"make\", \"preflight\"]"),
        SourceKind::Artifacts => need(f, "dir", s.dir.is_some(), "\"artifacts/validation\""),
        SourceKind::Kubernetes => need(f, "resource", s.resource.is_some(), "\"pods\""),
        SourceKind::Sql => {
            need(
                f,
                "url_env",
                s.url_env.is_some() || s.url_file.is_some(),
                "\"DATABASE_URL\" (the connection string is a secret)",
            );
            need(
                f,
                "query",
                s.query.is_some(),
                "\"SELECT count(*) FROM ...\"",
            );
        }
        SourceKind::Manual => {
            if let Some(r) = &s.role {
                role_ref(f, &format!("{path}.role"), r, roles);
            }
        }
    }
    if kind == SourceKind::Alertmanager && !s.matchers.is_empty() {
        if let Err(e) = parse_matchers(&s.matchers) {
            f.at(format!("{path}.matchers"), e, None);
        }
    }
    if let Some(m) = &s.method {
        method(f, &format!("{path}.method"), m);
    }
    headers(f, &path, &s.headers);
    if let Some(g) = &s.glob {
        if let Err(e) = globset::Glob::new(g) {
            f.at(
                format!("{path}.glob"),
                format!("bad glob: {e}"),
                Some("e.g. \"*.json\" or \"**/*.yaml\"".into()),
            );
        }
    }
    if let Some(r) = &s.resource {
        kube_resource(f, &format!("{path}.resource"), r);
    }
}

/// Keys given a value on a source (so kinds can refuse ones that do not apply).
fn set_keys(s: &SourceSpec) -> Vec<&'static str> {
    let mut keys = Vec::new();
    let mut add = |k: &'static str, set: bool| {
        if set {
            keys.push(k)
        }
    };
    add("url", s.url.is_some());
    add("method", s.method.is_some());
    add("token_env", s.token_env.is_some());
    add("token_file", s.token_file.is_some());
    add("headers", !s.headers.is_empty());
    add("body", s.body.is_some());
    add("matchers", !s.matchers.is_empty());
    add("include_silenced", s.include_silenced);
    add("include_inhibited", s.include_inhibited);
    add("run", !s.run.is_empty());
    add("shell", s.shell);
    add("cwd", s.cwd.is_some());
    add("env", !s.env.is_empty());
    add("dir", s.dir.is_some());
    add("glob", s.glob.is_some());
    add("max_files", s.max_files.is_some());
    add("kubeconfig", s.kubeconfig.is_some());
    add("context", s.context.is_some());
    add("namespace", s.namespace.is_some());
    add("resource", s.resource.is_some());
    add("selector", s.selector.is_some());
    add("field_selector", s.field_selector.is_some());
    add("name", s.name.is_some());
    add("url_env", s.url_env.is_some());
    add("url_file", s.url_file.is_some());
    add("query", s.query.is_some());
    add("title", s.title.is_some());
    add("role", s.role.is_some());
    keys
}

fn url(f: &mut Findings, path: &str, u: &str) {
    match reqwest::Url::parse(u) {
        Err(e) => f.at(
            path,
            format!("bad URL \"{u}\": {e}"),
            Some("write e.g. \"http://127.0.0.1:9090\"".into()),
        ),
        Ok(parsed) => {
            if parsed.password().is_some() {
                f.at(path, "this URL carries a password: secrets never sit in the playbook", Some("drop the user:password@ part and use token_env = \"VARIABLE\" or token_file = \"path\"".into()));
            }
            if !matches!(parsed.scheme(), "http" | "https") {
                f.at(
                    path,
                    format!("URL scheme \"{}\" is not http or https", parsed.scheme()),
                    None,
                );
            }
        }
    }
}

fn method(f: &mut Findings, path: &str, m: &str) {
    const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
    if !METHODS.contains(&m) {
        let hint = suggest(&m.to_uppercase(), METHODS.iter().copied())
            .map(|s| format!("did you mean \"{s}\"?"));
        f.at(path, format!("unknown HTTP method \"{m}\""), hint);
    }
}

/// Header values name environment variables; a literal token is refused.
fn headers(f: &mut Findings, path: &str, h: &BTreeMap<String, String>) {
    for (name, var) in h {
        let looks_like_env = !var.is_empty()
            && var
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !looks_like_env {
            f.at(format!("{path}.headers.{name}"), format!("header `{name}` must name an environment variable, not hold a value"), Some(format!("write {name} = \"MY_HEADER_VAR\" and export MY_HEADER_VAR; secrets never sit in the playbook")));
        }
    }
}

const KUBE_RESOURCES: &[&str] = &[
    "pods",
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "configmaps",
    "services",
    "endpointslices",
    "events",
    "nodes",
    "secrets",
];

fn kube_resource(f: &mut Findings, path: &str, r: &str) {
    if !KUBE_RESOURCES.contains(&r) {
        let hint = suggest(r, KUBE_RESOURCES.iter().copied())
            .map(|s| format!("did you mean \"{s}\"?"))
            .unwrap_or_else(|| format!("resources are: {}", KUBE_RESOURCES.join(", ")));
        f.at(
            path,
            format!("unknown Kubernetes resource \"{r}\""),
            Some(hint),
        );
    }
}

fn action(f: &mut Findings, path: &str, a: &Action, _pb: &Playbook, _sources: &[&str]) {
    match a.kind {
        ActionKind::Command => {
            if a.run.is_empty() {
                f.at(
                    path,
                    "a command action needs `run`",
                    Some("add run = [\"make\", \"kill-switch\"]".into()),
                );
            }
        }
        ActionKind::Http => match &a.url {
            None => f.at(
                path,
                "an http action needs `url`",
                Some("add url = \"http://127.0.0.1:8080/halt\"".into()),
            ),
            Some(u) => url(f, &format!("{path}.url"), u),
        },
        ActionKind::Kubernetes => {
            for (key, present) in [
                ("namespace", a.namespace.is_some()),
                ("resource", a.resource.is_some()),
                ("name", a.name.is_some()),
            ] {
                if !present {
                    f.at(path, format!("a kubernetes action needs `{key}`"), None);
                }
            }
            if a.patch.is_none() && a.replicas.is_none() {
                f.at(
                    path,
                    "a kubernetes action needs `patch` (a merge patch) or `replicas`",
                    Some("e.g. patch = { data = { EXECUTION_HALTED = \"1\" } }".into()),
                );
            }
            if let Some(r) = &a.resource {
                kube_resource(f, &format!("{path}.resource"), r);
            }
        }
    }
    if let Some(m) = &a.method {
        method(f, &format!("{path}.method"), m);
    }
    if a.token_env.is_some() && a.token_file.is_some() {
        f.at(
            format!("{path}.token_file"),
            "both token_env and token_file are set",
            Some("keep one".into()),
        );
    }
}
