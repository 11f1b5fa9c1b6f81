//! Meaning checks after the shape is right: references resolve, conditions
//! compile, kinds get the keys they need, no secret sits inline. Each finding
//! names the dotted path of the value it is about, so it can be located.

use super::condition;
use super::error::suggest;
use super::lint_source::{does_not_apply, kube_resource, method, source, url, with_article};
use super::model::action_keys;
use super::table::ActionSpec;
use super::types::*;
use crate::source::selector::Selector;
use std::collections::HashSet;

/// A problem at a dotted path in the document (see `SpanIndex`).
#[derive(Debug)]
pub struct Finding {
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    /// Point at the key rather than the value (for "this key does not belong").
    pub at_key: bool,
    /// A place inside the string value: (the string, byte index in it), so a
    /// condition's problem points at the character where it goes wrong.
    pub inner: Option<(String, usize)>,
}

#[derive(Default)]
pub(super) struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, path: String, message: String, hint: Option<String>, at_key: bool) {
        self.0.push(Finding {
            path,
            message,
            hint,
            at_key,
            inner: None,
        });
    }
    pub(super) fn at(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        self.push(path.into(), message.into(), hint.into(), false);
    }
    pub(super) fn at_key(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        self.push(path.into(), message.into(), hint.into(), true);
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
    duplicates(&mut f, "role", "id", pb.roles.iter().map(|r| r.id.as_str()));
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

    super::lint_journal::journal(&mut f, &pb.release);

    for (id, spec) in &pb.sources {
        source(&mut f, id, spec, &roles);
    }

    duplicates(
        &mut f,
        "check",
        "id",
        pb.checks.iter().map(|c| c.id.as_str()),
    );
    for (i, c) in pb.checks.iter().enumerate() {
        let path = format!("check.{i}");
        let kind = source_ref(&mut f, &format!("{path}.source"), &c.source, pb, &sources);
        query(&mut f, &path, "check", &c.source, kind, c.query.as_deref());
        condition(&mut f, &format!("{path}.pass"), &c.pass);
        if let Some(w) = &c.warn {
            condition(&mut f, &format!("{path}.warn"), w);
        }
        if let Some(s) = &c.show {
            condition(&mut f, &format!("{path}.show"), s);
        }
        for (j, role) in c.waivable_by.iter().enumerate() {
            role_ref(&mut f, &format!("{path}.waivable_by.{j}"), role, &roles);
        }
    }
    let check_ids: Vec<&str> = pb.checks.iter().map(|c| c.id.as_str()).collect();

    if let Some(ramp) = &pb.ramp {
        action(&mut f, "ramp.set", &ramp.set.table, pb, &sources);
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
            "name",
            ramp.stages.iter().map(|s| s.name.as_str()),
        );
        for (i, st) in ramp.stages.iter().enumerate() {
            let path = format!("ramp.stage.{i}");
            if !(0.0..=100.0).contains(&st.percent) {
                f.at(
                    format!("{path}.percent"),
                    format!("percent {} is outside 0..100", st.percent),
                    Some(
                        "a stage's percent is the traffic share from 0 to 100, e.g. percent = 10"
                            .into(),
                    ),
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
                            format!("decision point {dp} comes after the {hold} hold has ended"),
                            Some(format!("make the hold longer (hold = \"{dp}\") or the decision point earlier")),
                        );
                    }
                }
            }
            if let Some(set) = &st.set {
                action(&mut f, &format!("{path}.set"), &set.table, pb, &sources);
            }
            if let Some(undo) = &st.undo {
                action(&mut f, &format!("{path}.undo"), &undo.table, pb, &sources);
            }
            if let Some(rb) = &st.readback {
                readback(&mut f, &format!("{path}.readback"), rb, pb, &sources);
            }
            for (j, id) in st.requires.iter().enumerate() {
                check_ref(&mut f, &format!("{path}.requires.{j}"), id, &check_ids);
            }
        }
    }

    duplicates(
        &mut f,
        "guard",
        "id",
        pb.guards.iter().map(|g| g.id.as_str()),
    );
    for (i, g) in pb.guards.iter().enumerate() {
        let path = format!("guard.{i}");
        let kind = source_ref(&mut f, &format!("{path}.source"), &g.source, pb, &sources);
        query(&mut f, &path, "guard", &g.source, kind, g.query.as_deref());
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
            action(
                &mut f,
                &format!("kill_switch.actions.{i}"),
                &a.table,
                pb,
                &sources,
            );
        }
        readback(&mut f, "kill_switch.verify", &k.verify, pb, &sources);
    }

    duplicates(
        &mut f,
        "rollback",
        "id",
        pb.rollbacks.iter().map(|r| r.id.as_str()),
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
            action(
                &mut f,
                &format!("{path}.actions.{j}"),
                &a.table,
                pb,
                &sources,
            );
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

    super::lint_baseline::baselines(&mut f, pb);

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

/// Ids that must be unique: the finding points at the second one's `key`.
fn duplicates<'a>(f: &mut Findings, table: &str, key: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    let what = if key == "id" { "id" } else { "name" };
    let noun = table.rsplit('.').next().unwrap_or(table);
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            f.at(
                format!("{table}.{i}.{key}"),
                format!("duplicate {noun} {what} \"{id}\""),
                Some(format!(
                    "each {noun} {what} must be unique; rename this one"
                )),
            );
        }
    }
}

pub(super) fn role_ref(f: &mut Findings, path: &str, role: &str, roles: &[&str]) {
    if !roles.contains(&role) {
        let hint = match suggest(role, roles.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None if roles.is_empty() => format!("declare it: [[role]] with id = \"{role}\""),
            None => format!(
                "roles are: {}; or declare it: [[role]] with id = \"{role}\"",
                roles.join(", ")
            ),
        };
        f.at(path, format!("unknown role \"{role}\""), Some(hint));
    }
}

fn check_ref(f: &mut Findings, path: &str, id: &str, checks: &[&str]) {
    if !checks.contains(&id) {
        let hint = match suggest(id, checks.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("name the id of a [[check]] (checks: {})", checks.join(", ")),
        };
        f.at(path, format!("unknown check \"{id}\""), Some(hint));
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
                None if sources.is_empty() => {
                    format!("declare it: [source.{name}] with kind = \"...\"")
                }
                None => format!(
                    "sources are: {}; or declare it: [source.{name}]",
                    sources.join(", ")
                ),
            };
            f.at(path, format!("unknown source \"{name}\""), Some(hint));
            None
        }
    }
}

/// The query a check, guard or readback asks of its source: PromQL for
/// prometheus, a series selector for scrape.
fn query(
    f: &mut Findings,
    path: &str,
    what: &str,
    source: &str,
    kind: Option<SourceKind>,
    q: Option<&str>,
) {
    match (kind, q) {
        (Some(SourceKind::Prometheus), None) => f.at(
            format!("{path}.source"),
            format!("this {what} reads the prometheus source \"{source}\" but has no `query`"),
            Some("add a PromQL query beside it, e.g. query = \"policy_entropy\"".into()),
        ),
        (Some(SourceKind::Prometheus), Some(q)) if q.trim().is_empty() => f.at(
            format!("{path}.query"),
            "the query is empty",
            Some("write PromQL, e.g. query = \"policy_entropy\"".into()),
        ),
        (Some(SourceKind::Prometheus), Some(q)) => {
            if let Err(e) = promql_parser::parser::parse(q) {
                f.at(
                    format!("{path}.query"),
                    format!("PromQL does not parse: {e}"),
                    Some("write it as in the Prometheus expression browser, e.g. avg_over_time(policy_entropy[5m])".into()),
                );
            }
        }
        (Some(SourceKind::Scrape), Some(q)) => {
            if let Err(e) = Selector::parse(q) {
                f.at(
                    format!("{path}.query"),
                    e,
                    Some("select the series here and compute in the condition, e.g. query = \"rl_influence_percent\" with pass = \"sum(series.map(s, s.value)) == 0.0\"".into()),
                );
            }
        }
        _ => {}
    }
}

fn condition(f: &mut Findings, path: &str, text: &str) {
    if let Some(p) = condition::check(text) {
        f.push(path.to_string(), p.message, Some(p.hint), false);
        if let (Some(at), Some(last)) = (p.at, f.0.last_mut()) {
            last.inner = Some((text.to_string(), at));
        }
    }
}

fn readback(f: &mut Findings, path: &str, rb: &Readback, pb: &Playbook, sources: &[&str]) {
    let kind = source_ref(f, &format!("{path}.source"), &rb.source, pb, sources);
    query(f, path, "readback", &rb.source, kind, rb.query.as_deref());
    condition(f, &format!("{path}.pass"), &rb.pass);
}

fn action(f: &mut Findings, path: &str, a: &ActionSpec, _pb: &Playbook, _sources: &[&str]) {
    let what = with_article(&format!("{} action", a.kind.name()));
    let allowed: Vec<&str> = std::iter::once("kind").chain(action_keys(a.kind)).collect();
    for key in a.set_keys() {
        if !allowed.contains(&key) {
            does_not_apply(f, path, key, &what, &allowed);
        }
    }
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
            if a.patch.is_none() && a.replicas.is_none() && a.json_patch.is_none() {
                f.at(
                    path,
                    "a kubernetes action needs `patch` (a merge patch), `json_patch` or `replicas`",
                    Some("e.g. patch = { data = { EXECUTION_HALTED = \"1\" } }".into()),
                );
            }
            if let Some(r) = &a.resource {
                kube_resource(f, &format!("{path}.resource"), r, a.api_version.as_deref());
            }
            if let Some(sub) = a.subresource.as_deref().filter(|s| *s != "status") {
                f.at(
                    format!("{path}.subresource"),
                    format!("unknown subresource \"{sub}\""),
                    Some("subresource = \"status\" patches what a controller reads (scale: use `replicas`)".into()),
                );
            }
            if let Some(ops) = &a.json_patch {
                if let Err(e) = super::patch::json_patch(ops, str::to_string) {
                    f.at(format!("{path}.json_patch"), e, Some("e.g. json_patch = [{ op = \"replace\", path = \"/spec/paused\", value = true }]".into()));
                }
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
