//! A condition that does not compile -> one plain sentence, the place in the
//! condition where it goes wrong, and what to write instead. The CEL parser's
//! own report (ANTLR token sets, an ASCII caret) is too noisy for release day.

use crate::expr::{compile, ExprError};

pub(super) struct CelProblem {
    pub message: String,
    pub hint: String,
    /// Byte index in the condition where the problem is, when known.
    pub at: Option<usize>,
}

const GENERIC_HINT: &str = "conditions are CEL, e.g. \"value >= 0.9\" or \"alerts.size() == 0\"";

/// None when `text` compiles.
pub(super) fn check(text: &str) -> Option<CelProblem> {
    if let Err(e) = crate::expr::limits::check(text) {
        return Some(CelProblem {
            message: e.message,
            hint: e.hint.into(),
            at: Some(e.at),
        });
    }
    match compile(text) {
        Ok(_) => None,
        Err(ExprError::Compile(raw)) => Some(explain(text, &raw)),
        Err(other) => Some(CelProblem {
            message: other.to_string(),
            hint: GENERIC_HINT.into(),
            at: None,
        }),
    }
}

fn explain(text: &str, raw: &str) -> CelProblem {
    if raw == "the condition is empty" {
        return CelProblem {
            message: "the condition is empty".into(),
            hint: "write e.g. \"value >= 0.9\"".into(),
            at: None,
        };
    }
    if let Some(name) = raw
        .strip_prefix("unknown function `")
        .and_then(|r| r.split("()`").next())
    {
        return unknown_function(text, name);
    }
    match parse_report(raw) {
        Some((line, col, reason)) => {
            let (what, hint) = plain(reason);
            CelProblem {
                message: format!("this condition is not valid CEL: {what}"),
                hint: hint.unwrap_or(GENERIC_HINT).into(),
                at: byte_index(text, line, col),
            }
        }
        None => CelProblem {
            message: format!("this condition is not valid CEL: {raw}"),
            hint: GENERIC_HINT.into(),
            at: None,
        },
    }
}

fn unknown_function(text: &str, name: &str) -> CelProblem {
    let hint = match name {
        "avg" | "mean" | "average" => {
            "conditions have no avg(); an average is sum(series.map(s, s.value)) / double(count)"
        }
        "len" | "length" | "count" => "use size(), e.g. alerts.size() == 0",
        "max" | "min" => {
            "conditions have no max()/min() yet; compare every item instead, e.g. series.all(s, s.value < 0.8)"
        }
        "any" => "use exists(), e.g. alerts.exists(a, a.labels.severity == \"page\")",
        _ => "see docs/playbook.md (\"Functions\") for the functions conditions may call",
    };
    CelProblem {
        message: format!("unknown function `{name}()` in this condition"),
        hint: hint.into(),
        at: find_call(text, name),
    }
}

/// Where `name(` is called (not as part of a longer name).
fn find_call(text: &str, name: &str) -> Option<usize> {
    let pattern = format!("{name}(");
    text.match_indices(&pattern).map(|(i, _)| i).find(|&i| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// "ERROR: <input>:1:10: Syntax error: mismatched input ... | value >= | ...^"
/// -> (1, 10, "mismatched input ..."). Only the first error is kept: the
/// rest usually follow from it.
fn parse_report(raw: &str) -> Option<(usize, usize, &str)> {
    let rest = &raw[raw.find("<input>:")? + "<input>:".len()..];
    let mut parts = rest.splitn(3, ':');
    let line = parts.next()?.trim().parse().ok()?;
    let col = parts.next()?.trim().parse().ok()?;
    let reason = parts.next()?.trim();
    let reason = reason
        .strip_prefix("Syntax error:")
        .unwrap_or(reason)
        .trim();
    let reason = reason.split(" | ").next().unwrap_or(reason).trim();
    Some((line, col, reason))
}

/// The parser's words -> what a person would say, and a hint when one fits.
fn plain(reason: &str) -> (String, Option<&'static str>) {
    let token = |prefix: &str| -> Option<String> {
        let rest = reason.strip_prefix(prefix)?;
        let rest = rest.strip_prefix('\'')?;
        let end = rest.rfind("' expecting").or_else(|| rest.rfind('\''))?;
        Some(rest[..end].trim().to_string())
    };
    if let Some(t) = token("mismatched input ").or_else(|| token("extraneous input ")) {
        if t == "<EOF>" {
            return (
                "the condition ends too early".into(),
                Some("finish it, e.g. \"value >= 0.9\""),
            );
        }
        let hint = match t.as_str() {
            "and" | "or" | "not" | "AND" | "OR" | "NOT" => {
                Some("CEL writes and, or, not as &&, ||, !")
            }
            "," => Some("decimals use a dot (0.9); arguments go inside ( )"),
            _ => None,
        };
        return (format!("unexpected `{t}`"), hint);
    }
    if let Some(t) = token("token recognition error at: ") {
        let hint = match t.chars().next() {
            Some('=') => Some("compare with == (a single = is not CEL)"),
            Some('\'' | '"') => Some("close the string with the same quote it opens with"),
            _ => None,
        };
        let shown: String = t.chars().take(1).collect();
        return (format!("unexpected character `{shown}`"), hint);
    }
    if let Some(rest) = reason.strip_prefix("missing '") {
        if let Some((what, at)) = rest.split_once("' at '") {
            let at = at.trim_end_matches('\'');
            return if at == "<EOF>" {
                (format!("a `{what}` is missing at the end"), None)
            } else {
                (format!("a `{what}` is missing before `{at}`"), None)
            };
        }
    }
    let short = reason.split(" expecting").next().unwrap_or(reason);
    (short.to_string(), None)
}

/// 1-based line and column (in characters) -> byte index in `text`.
fn byte_index(text: &str, line: usize, col: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let line_text = text.get(start..)?;
    let within = line_text
        .char_indices()
        .nth(col.checked_sub(1)?)
        .map(|(i, _)| i)
        .unwrap_or(line_text.len());
    Some(start + within)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_that_ends_early_points_at_its_end() {
        let p = check("value >= ").unwrap();
        assert_eq!(
            p.message,
            "this condition is not valid CEL: the condition ends too early"
        );
        assert_eq!(p.at, Some(9));
    }

    #[test]
    fn words_for_operators_get_advice() {
        let p = check("value >= 0.9 and count > 1").unwrap();
        assert_eq!(
            p.message,
            "this condition is not valid CEL: unexpected `and`"
        );
        assert_eq!(p.hint, "CEL writes and, or, not as &&, ||, !");
        assert_eq!(p.at, Some(13));
    }

    #[test]
    fn single_equals_is_explained() {
        let p = check("value = 0.9").unwrap();
        assert_eq!(
            p.message,
            "this condition is not valid CEL: unexpected character `=`"
        );
        assert!(p.hint.contains("=="));
    }

    #[test]
    fn unknown_function_points_at_the_call() {
        let p = check("avg(series) < 0.8").unwrap();
        assert_eq!(p.message, "unknown function `avg()` in this condition");
        assert_eq!(p.at, Some(0));
        assert_eq!(find_call("x.my_avg(1) + avg(2)", "avg"), Some(14));
    }

    #[test]
    fn unclosed_call_says_what_is_missing() {
        let p = check("files.filter(f, f.json.status == \"PASS\"").unwrap();
        assert_eq!(
            p.message,
            "this condition is not valid CEL: a `)` is missing at the end"
        );
    }

    #[test]
    fn valid_conditions_pass() {
        assert!(check("!(value > 1.0) && alerts.exists(a, a.state == \"active\")").is_none());
    }
}
