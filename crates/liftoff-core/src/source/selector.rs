//! Series selectors (`name{label="v", other=~"re"}`) and label matchers
//! (`severity=page`), parsed with the PromQL parser so they mean exactly what
//! they mean in Prometheus.

use promql_parser::label::Matcher;
use promql_parser::parser::{self, Expr};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

/// Selectors parsed so far, by their text (`parse_cached`).
type Parsed = HashMap<String, Result<Arc<Selector>, String>>;

/// Selectors `parse_cached` keeps (a playbook has one per check at most).
const REMEMBERED: usize = 4096;

#[derive(Debug, Clone)]
pub struct Selector {
    text: String,
    name: Option<String>,
    matchers: Vec<Matcher>,
    or_matchers: Vec<Vec<Matcher>>,
}

impl Selector {
    /// `metric`, `metric{a="b"}` or `{__name__=~"x.*"}`.
    pub fn parse(text: &str) -> Result<Selector, String> {
        match parser::parse(text.trim()) {
            Ok(Expr::VectorSelector(vs)) if vs.offset.is_none() && vs.at.is_none() => {
                Ok(Selector {
                    text: text.trim().to_string(),
                    name: vs.name,
                    matchers: vs.matchers.matchers,
                    or_matchers: vs.matchers.or_matchers,
                })
            }
            Ok(_) => Err(format!(
                "`{text}` is not a series selector: a scrape source takes `metric` or `metric{{label=\"value\"}}` (use a prometheus source for PromQL)"
            )),
            Err(e) => Err(format!("`{text}` is not a series selector: {e}")),
        }
    }

    /// As `parse`, remembered: a playbook's few selectors are parsed once,
    /// not on every poll (the PromQL parser is dear next to matching 20
    /// series). The memory is bounded: past `REMEMBERED` selectors it starts over.
    pub fn parse_cached(text: &str) -> Result<Arc<Selector>, String> {
        static SEEN: LazyLock<Mutex<Parsed>> = LazyLock::new(Default::default);
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = seen.get(text) {
            return known.clone();
        }
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        let parsed = Selector::parse(text).map(Arc::new);
        seen.insert(text.to_string(), parsed.clone());
        parsed
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The label matchers; each prints as `name="value"` (Alertmanager's filter syntax too).
    pub fn matchers(&self) -> &[Matcher] {
        &self.matchers
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or("");
        let all = |ms: &[Matcher]| ms.iter().all(|m| m.is_match(get(&m.name)));
        if let Some(name) = &self.name {
            if get("__name__") != name {
                return false;
            }
        }
        if self.or_matchers.is_empty() {
            all(&self.matchers)
        } else {
            self.or_matchers.iter().any(|ms| all(ms))
        }
    }
}

/// Label matchers as Alertmanager users write them: `severity=page`,
/// `team!="db"`, `alertname=~"High.*"`. Values may be quoted or not.
pub fn parse_matchers(items: &[String]) -> Result<Selector, String> {
    let mut parts = Vec::new();
    for item in items {
        let m = item.trim();
        let (name, op, value) = split_matcher(m).ok_or_else(|| {
            format!("`{m}` is not a label matcher: write name=value, name!=value, name=~regex or name!~regex")
        })?;
        let value = value.trim().trim_matches('"');
        parts.push(format!("{}{}{:?}", name.trim(), op, value));
    }
    Selector::parse(&format!("{{{}}}", parts.join(",")))
        .map(|mut s| {
            s.text = items.join(", ");
            s
        })
        .map_err(|e| format!("bad matchers {items:?}: {e}"))
}

fn split_matcher(m: &str) -> Option<(&str, &str, &str)> {
    for op in ["!~", "=~", "!=", "="] {
        if let Some(i) = m.find(op) {
            let name = &m[..i];
            if !name.is_empty() && name.trim().chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Some((name, op, &m[i + op.len()..]));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selector_matches_name_and_labels() {
        let s = Selector::parse(r#"rl_influence_percent{env="prod"}"#).unwrap();
        assert!(s.matches(&labels(&[
            ("__name__", "rl_influence_percent"),
            ("env", "prod")
        ])));
        assert!(!s.matches(&labels(&[
            ("__name__", "rl_influence_percent"),
            ("env", "dev")
        ])));
        assert!(!s.matches(&labels(&[("__name__", "other"), ("env", "prod")])));
    }

    #[test]
    fn selector_refuses_promql_expressions() {
        assert!(Selector::parse("rate(x[5m])").is_err());
        assert!(Selector::parse("x{").is_err());
    }

    #[test]
    fn matchers_accept_unquoted_values_and_regexes() {
        let s = parse_matchers(&["severity=page".into(), "team=~\"db|api\"".into()]).unwrap();
        assert!(s.matches(&labels(&[("severity", "page"), ("team", "db")])));
        assert!(!s.matches(&labels(&[("severity", "warning"), ("team", "db")])));
        assert!(parse_matchers(&["nonsense".into()]).is_err());
    }
}
