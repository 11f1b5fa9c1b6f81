//! Checks on one `[source.ID]` table and on the values sources and actions
//! share (URLs, methods, headers, Kubernetes resources, matchers).

use super::error::suggest;
use super::model::source_keys;
use super::table::SourceSpec;
use super::types::*;
use super::validate::{role_ref, Findings};
use crate::source::selector::parse_matchers;
use std::collections::BTreeMap;

/// Keys every HTTP-speaking kind takes, documented once for them all
/// (docs/playbook.md) rather than repeated in each kind's "takes:" hint.
const SHARED_HTTP_KEYS: &[&str] = &["follow_redirects"];

/// "a prometheus source", "an alertmanager source".
fn a(kind: SourceKind) -> String {
    with_article(&format!("{} source", kind.name()))
}

/// "a command action", "an http action".
pub(super) fn with_article(thing: &str) -> String {
    // "http" is said "aitch-tee-tee-pee": an http source.
    let article = if thing.starts_with(['a', 'e', 'i', 'o', 'u']) || thing.starts_with("http") {
        "an"
    } else {
        "a"
    };
    format!("{article} {thing}")
}

pub(super) fn source(f: &mut Findings, id: &str, s: &SourceSpec, roles: &[&str]) {
    let path = format!("source.{id}");
    let Some(kind) = s.kind else {
        f.at(path, format!("source \"{id}\" has no kind"), Some("add kind = \"prometheus\" (or scrape, alertmanager, kubernetes, artifacts, http, command, sql, manual)".into()));
        return;
    };
    let allowed: Vec<&str> = std::iter::once("kind").chain(source_keys(kind)).collect();
    for key in s.set_keys() {
        if allowed.contains(&key) {
            continue;
        }
        if kind == SourceKind::Sql && key == "url" {
            f.at(
                format!("{path}.url"),
                "a database URL is a secret: it never sits in the playbook",
                Some("write url_env = \"DATABASE_URL\" (an environment variable holding it) or url_file = \"path/to/file\"".into()),
            );
            continue;
        }
        does_not_apply(f, &path, key, &a(kind), &allowed);
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
            Some("leave it out (4 MiB) or write e.g. max_bytes = 1048576".into()),
        );
    }
    if s.max_files == Some(0) {
        f.at(
            format!("{path}.max_files"),
            "max_files is zero: no file could be seen",
            Some("leave it out (1000) or write e.g. max_files = 200".into()),
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
                format!("{} needs `{key}`", a(kind)),
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
        SourceKind::Kubernetes => {
            need(f, "resource", s.resource.is_some(), "\"pods\"");
            if s.resource.as_deref() == Some("secrets") && s.name.is_none() {
                f.at(
                    path.clone(),
                    "secrets are read only one at a time, by name",
                    Some(
                        "add name = \"the-secret\" (its values are never shown, only its keys)"
                            .into(),
                    ),
                );
            }
        }
        SourceKind::Sql => {
            need(
                f,
                "url_env",
                // An inline `url` is already refused above with the same advice.
                s.url_env.is_some() || s.url_file.is_some() || s.url.is_some(),
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
    if kind == SourceKind::Alertmanager {
        matchers(f, &format!("{path}.matchers"), &s.matchers);
    }
    if let Some(m) = &s.method {
        method(f, &format!("{path}.method"), m);
    }
    headers(f, id, &path, &s.headers);
    if let Some(g) = &s.glob {
        if let Err(e) = globset::Glob::new(g) {
            f.at(
                format!("{path}.glob"),
                format!("bad glob \"{g}\": {}", e.kind()),
                Some("e.g. \"*.json\" or \"**/*.yaml\"".into()),
            );
        }
    }
    if let Some(r) = &s.resource {
        kube_resource(f, &format!("{path}.resource"), r, s.api_version.as_deref());
    }
}

/// "`glob` does not apply to an alertmanager source", pointing at the key.
pub(super) fn does_not_apply(
    f: &mut Findings,
    path: &str,
    key: &str,
    what: &str,
    allowed: &[&str],
) {
    let listed: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|k| !SHARED_HTTP_KEYS.contains(k))
        .collect();
    f.at_key(
        format!("{path}.{key}"),
        format!("`{key}` does not apply to {what}"),
        Some(format!("{what} takes: {}", listed.join(", "))),
    );
}

/// Alertmanager matchers: `severity=page`, `team=~"db|api"`. Besides what the
/// parser refuses, catch the slips it would read as odd values and that would
/// then silently match nothing (an "no page alerts" check passing forever).
fn matchers(f: &mut Findings, path: &str, items: &[String]) {
    for (i, m) in items.iter().enumerate() {
        let item_path = format!("{path}.{i}");
        if let Err(e) = parse_matchers(std::slice::from_ref(m)) {
            f.at(
                item_path,
                e,
                Some("write e.g. \"severity=page\" or \"team=~\\\"db|api\\\"\"".into()),
            );
            continue;
        }
        let Some(op_start) = m.find(['=', '!', '~']) else {
            continue;
        };
        let name = m[..op_start].trim();
        let after = &m[op_start..];
        let value = after.trim_start_matches(['=', '!', '~']);
        let op = &after[..after.len() - value.len()];
        let value = value.trim();
        if !matches!(op, "=" | "!=" | "=~" | "!~") {
            f.at(
                item_path,
                format!("matcher `{m}` has the operator `{op}`"),
                Some(format!(
                    "operators are =, !=, =~, !~: write \"{name}={value}\""
                )),
            );
        } else if !value.starts_with('"') && value.contains([',', '=']) {
            f.at(
                item_path,
                format!("matcher `{m}` holds several matchers in one string"),
                Some(format!(
                    "write one matcher per list item: matchers = [{}]",
                    m.split(',')
                        .map(|part| format!("\"{}\"", part.trim()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
}

pub(super) fn url(f: &mut Findings, path: &str, u: &str) {
    match ::url::Url::parse(u) {
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
                    Some("write e.g. \"http://127.0.0.1:9090\"".into()),
                );
            }
        }
    }
}

pub(super) fn method(f: &mut Findings, path: &str, m: &str) {
    const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
    if !METHODS.contains(&m) {
        let hint = suggest(&m.to_uppercase(), METHODS.iter().copied())
            .map(|s| format!("did you mean \"{s}\"?"))
            .unwrap_or_else(|| format!("methods are: {}", METHODS.join(", ")));
        f.at(path, format!("unknown HTTP method \"{m}\""), Some(hint));
    }
}

/// Header values name environment variables; a literal token is refused.
fn headers(f: &mut Findings, id: &str, path: &str, h: &BTreeMap<String, String>) {
    for (name, var) in h {
        let looks_like_env = !var.is_empty()
            && var
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !looks_like_env {
            let suggested: String = format!("{id}_{name}")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            f.at(
                format!("{path}.headers.{name}"),
                format!("header `{name}` must name an environment variable, not hold a value"),
                Some(format!("write {name} = \"{suggested}\" and export {suggested} with the value; secrets never sit in the playbook")),
            );
        }
    }
}

/// A resource is a built-in plural (`pods`), a plural.group
/// (`rollouts.argoproj.io`), or anything with `api_version` beside it; the
/// cluster says at run time whether it serves it (discovery).
pub(super) fn kube_resource(f: &mut Findings, path: &str, r: &str, api_version: Option<&str>) {
    use crate::source::resource::{name, KINDS};
    if let Err(e) = name(r, api_version) {
        let builtin: Vec<&str> = KINDS.iter().map(|k| k.plural).collect();
        let hint = match suggest(r, builtin.iter().copied()) {
            Some(s) if api_version.is_none() => format!("did you mean \"{s}\"?"),
            _ => format!(
                "built-in resources are: {}; name any other by plural.group, e.g. \"rollouts.argoproj.io\", or with api_version = \"argoproj.io/v1alpha1\" and resource = \"Rollout\"",
                builtin.join(", ")
            ),
        };
        let message = if api_version.is_some() {
            e.to_string()
        } else {
            format!("unknown Kubernetes resource \"{r}\"")
        };
        f.at(path, message, Some(hint));
    }
}
