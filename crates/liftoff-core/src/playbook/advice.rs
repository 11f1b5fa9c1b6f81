//! A TOML syntax or shape error -> a problem that names the key, says what is
//! wrong and what to write instead. The parser's own words are kept where
//! they are already plain.

use super::error::{problem_at, suggest, Problem};
use std::ops::Range;
use std::path::Path;

/// A serde/TOML error -> a problem with advice.
pub(crate) fn shape_problem(path: &Path, text: &str, err: &toml::de::Error) -> Problem {
    let at = At {
        text,
        span: err.span(),
    };
    let message = err.message().trim();
    if let Some((message, hint, offset)) = unquoted_value(message, &at) {
        return problem_at(path, text, offset, message, Some(hint));
    }
    let (message, hint) = advise(message, &at);
    problem_at(path, text, at.offset(), message, hint)
}

/// `pass = alerts.size() == 0`: TOML stops somewhere inside the bare text;
/// say what happened and point at the start of the value.
fn unquoted_value(message: &str, at: &At) -> Option<(String, String, usize)> {
    if !(message.starts_with("unexpected key or value")
        || message.starts_with("string values must be quoted"))
    {
        return None;
    }
    let line = at.line();
    let eq = line.find('=')?;
    let key = line[..eq].trim();
    let after = &line[eq + 1..];
    // A trailing comment is not part of the value.
    let value = after.split(" #").next().unwrap_or(after).trim();
    let is_toml_value = value.starts_with(['"', '\'', '[', '{', '-', '+'])
        || value.starts_with(|c: char| c.is_ascii_digit())
        || value == "true"
        || value == "false";
    if key.is_empty() || key.contains(char::is_whitespace) || is_toml_value {
        return None;
    }
    let value_offset = line_start_of(at) + eq + 1 + (after.len() - after.trim_start().len());
    let quoted = if value.contains('"') {
        format!("'{value}'")
    } else {
        format!("\"{value}\"")
    };
    Some((
        format!("the value of `{key}` is not quoted"),
        format!("text goes in quotes: write {key} = {quoted}"),
        value_offset,
    ))
}

fn line_start_of(at: &At) -> usize {
    let offset = at.offset().min(at.text.len());
    at.text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Where in the text the parser stopped.
struct At<'a> {
    text: &'a str,
    span: Option<Range<usize>>,
}

impl<'a> At<'a> {
    fn offset(&self) -> usize {
        self.span.as_ref().map(|s| s.start).unwrap_or(0)
    }

    /// The text the parser points at (a key, a value).
    fn raw(&self) -> Option<&'a str> {
        let span = self.span.clone()?;
        self.text.get(span).filter(|s| !s.is_empty())
    }

    /// The line the parser points into, up to the end of the line.
    fn line(&self) -> &'a str {
        let offset = self.offset().min(self.text.len());
        let start = self.text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let end = self.text[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(self.text.len());
        &self.text[start..end]
    }

    /// The key whose value the parser points at: `on_trip` in `on_trip = "x"`,
    /// `metod` in `{ kind = "http", metod = 1 }`.
    fn key(&self) -> Option<&'a str> {
        let offset = self.offset().min(self.text.len());
        let line_start = self.text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let before = &self.text[line_start..offset];
        let before = before[..before.rfind('=')?].trim_end();
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map(|i| i + 1)
            .unwrap_or(0);
        Some(&before[start..]).filter(|k| !k.is_empty())
    }
}

/// Words that mean someone pasted a secret where a reference belongs.
const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "bearer",
    "auth",
    "authorization",
    "credentials",
    "webhook",
    "webhook_url",
    "database_url",
    "dsn",
];

fn advise(message: &str, at: &At) -> (String, Option<String>) {
    if let Some((first, advice)) = message.split_once('\n') {
        return custom(first, advice, at);
    }
    if let Some((field, expected)) = parse_unknown(message, "unknown field `") {
        return unknown_key(&field, &expected);
    }
    if let Some((variant, expected)) = parse_unknown(message, "unknown variant `") {
        let what = at.key().unwrap_or("value");
        let hint = match suggest(&variant, expected.iter().map(String::as_str)) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("write one of: {}", quoted(&expected)),
        };
        return (format!("unknown {what} \"{variant}\""), Some(hint));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        return missing_key(rest.split('`').next().unwrap_or(rest));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.rsplit_once(", expected ") {
            return wrong_type(found, expected, at);
        }
    }
    (message.to_string(), syntax_hint(message, at))
}

/// A custom error: a first line saying what is wrong, then what to write.
fn custom(first: &str, advice: &str, at: &At) -> (String, Option<String>) {
    let key = at.key();
    let message = match key {
        Some(k) => format!("`{k}`: {first}"),
        None => first.to_string(),
    };
    let bare_number = at
        .raw()
        .filter(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let hint = match (key, bare_number) {
        (Some(k), Some(n)) if first.starts_with("a duration") => {
            format!("write {k} = \"{n}s\": a duration is in quotes with a unit (ms, s, m, h, d)")
        }
        _ => advice.to_string(),
    };
    (message, Some(hint))
}

fn unknown_key(field: &str, expected: &[String]) -> (String, Option<String>) {
    let takes = |k: &str| expected.iter().any(|e| e == k);
    let lower = field.to_lowercase();
    if SECRET_KEYS.contains(&lower.as_str()) || (lower == "url" && takes("url_env")) {
        let hint = if takes("url_env") && !takes("token_env") {
            "name it instead: url_env = \"VARIABLE\" (an environment variable holding it) or url_file = \"path/to/file\""
        } else {
            "name it instead: token_env = \"VARIABLE\" (an environment variable holding it) or token_file = \"path/to/file\""
        };
        let what = if lower == "url" {
            "a webhook URL is a secret: it never sits in the playbook".to_string()
        } else {
            format!(
                "`{field}` looks like a secret written inline; secrets never sit in the playbook"
            )
        };
        return (what, Some(hint.into()));
    }
    let hint = match suggest(field, expected.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("valid keys here: {}", expected.join(", ")),
    };
    (format!("unknown key `{field}`"), Some(hint))
}

/// What a missing key looks like when written.
const EXAMPLES: &[(&str, &str)] = &[
    ("name", "name = \"10%\""),
    ("id", "id = \"entropy\""),
    ("source", "source = \"prom\""),
    ("pass", "pass = \"value >= 0.9\""),
    ("trip", "trip = \"value < 0.8\""),
    ("on_trip", "on_trip = \"alarm\" (or \"kill\")"),
    ("percent", "percent = 10"),
    ("kind", "kind = \"command\""),
    (
        "set",
        "set = { kind = \"command\", run = [\"make\", \"influence-set\", \"PCT={percent}\"] }",
    ),
    (
        "actions",
        "actions = [{ kind = \"command\", run = [\"make\", \"kill-switch\"] }]",
    ),
    (
        "verify",
        "verify = { source = \"policy\", query = \"rl_influence_percent\", pass = \"value == 0\" }",
    ),
    ("symptom", "symptom = \"entropy below 0.9\""),
    (
        "action",
        "action = \"hold the ramp, page the policy owner\"",
    ),
];

fn missing_key(field: &str) -> (String, Option<String>) {
    if field == "release" {
        return (
            "the playbook has no [release] table".into(),
            Some(
                "add it at the top: [release] with name = \"what ships, e.g. rl-policy v42\""
                    .into(),
            ),
        );
    }
    let example = EXAMPLES
        .iter()
        .find(|(k, _)| *k == field)
        .map(|(_, e)| e.to_string())
        .unwrap_or_else(|| format!("{field} = ..."));
    (
        format!("missing key `{field}`"),
        Some(format!(
            "add {example}; docs/playbook.md lists what each table takes"
        )),
    )
}

/// "string \"10%\"" / "expected f64" -> "`percent` must be a number, not the string \"10%\"".
fn wrong_type(found: &str, expected: &str, at: &At) -> (String, Option<String>) {
    let want = match expected {
        "f32" | "f64" => "a number",
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => {
            "a whole number"
        }
        "a boolean" => "true or false",
        "a sequence" => "a list in [ ]",
        "a string" => "a string in quotes",
        e if e.starts_with("struct") || e.contains("map") => "a table",
        other => other,
    };
    let key = at.key();
    let subject = key.map(|k| format!("`{k}`")).unwrap_or("this value".into());
    let found_text = match found.strip_prefix("string ") {
        Some(s) => format!("the string {s}"),
        None => found.replace('`', ""),
    };
    let k = key.unwrap_or("key");
    let string_value = found
        .strip_prefix("string \"")
        .and_then(|s| s.strip_suffix('"'));
    let hint = match (want, string_value) {
        ("a number" | "a whole number", Some(s)) => {
            let n = s.trim().trim_end_matches('%').trim();
            if n.parse::<f64>().is_ok() {
                format!("write {k} = {n} (a number, no quotes)")
            } else {
                format!("write a number without quotes, e.g. {k} = 10")
            }
        }
        ("true or false", Some(s)) if matches!(s, "true" | "false") => {
            format!("write {k} = {s} (no quotes)")
        }
        ("a list in [ ]", Some(s)) => format!("write {k} = [\"{s}\"]"),
        ("a string in quotes", None) => match at.raw() {
            Some(raw) => format!("write {k} = \"{raw}\""),
            None => "put the value in quotes".into(),
        },
        _ => "strings go in quotes, lists in [ ], tables in { }; durations as \"30s\"".into(),
    };
    (
        format!("{subject} must be {want}, not {found_text}"),
        Some(hint),
    )
}

/// Advice for TOML syntax errors, from the line they sit on.
fn syntax_hint(message: &str, at: &At) -> Option<String> {
    let line = at.line().trim();
    if message.starts_with("unexpected key or value") {
        return Some("write one key = value per line; text goes in quotes".into());
    }
    if message.starts_with("unclosed table") {
        let close = if line.starts_with("[[") { "]]" } else { "]" };
        let fixed = format!("{}{close}", line.trim_end_matches(']'));
        return Some(format!("close the table header: write {fixed}"));
    }
    if message.starts_with("invalid basic string") || message.starts_with("invalid literal string")
    {
        return Some(
            "close the string on the same line (use \"\"\" ... \"\"\" for text over several lines)"
                .into(),
        );
    }
    if message.starts_with("duplicate key") {
        return Some(match at.raw() {
            Some(k) if line.starts_with("[[") || line.starts_with('[') => format!(
                "the table [{k}] appears twice: merge them (or write [[{k}]] for a list of tables)"
            ),
            Some(k) => format!("`{k}` is set twice in this table: keep one"),
            None => "keep one of them".into(),
        });
    }
    if message.starts_with("key with no value") {
        return Some("write key = value, e.g. name = \"10%\"".into());
    }
    None
}

fn quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "unknown field `x`, expected one of `a`, `b`" -> ("x", ["a", "b"]).
fn parse_unknown(message: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix(prefix)?;
    let (name, tail) = rest.split_once('`')?;
    let expected = tail
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect();
    Some((name.to_string(), expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advise_at(message: &str, text: &str, needle: &str) -> (String, Option<String>) {
        let start = text.find(needle).unwrap();
        let at = At {
            text,
            span: Some(start..start + needle.len()),
        };
        advise(message, &at)
    }

    #[test]
    fn unknown_field_gets_did_you_mean() {
        let (msg, hint) = advise_at(
            "unknown field `pas`, expected one of `id`, `pass`, `warn`",
            "pas = 1",
            "pas",
        );
        assert_eq!(msg, "unknown key `pas`");
        assert_eq!(hint.as_deref(), Some("did you mean `pass`?"));
    }

    #[test]
    fn inline_token_is_called_a_secret() {
        let (msg, hint) = advise_at(
            "unknown field `token`, expected one of `url`, `token_env`, `token_file`",
            "token = \"x\"",
            "token",
        );
        assert!(msg.contains("secret"));
        assert!(hint.unwrap().contains("token_env"));
    }

    #[test]
    fn unknown_variant_names_its_key() {
        let (msg, hint) = advise_at(
            "unknown variant `rollback`, expected `kill` or `alarm`",
            "on_trip = \"rollback\"",
            "\"rollback\"",
        );
        assert_eq!(msg, "unknown on_trip \"rollback\"");
        assert_eq!(hint.as_deref(), Some("write one of: \"kill\", \"alarm\""));
    }

    #[test]
    fn string_for_a_number_suggests_the_number() {
        let (msg, hint) = advise_at(
            "invalid type: string \"10%\", expected f64",
            "percent = \"10%\"",
            "\"10%\"",
        );
        assert_eq!(msg, "`percent` must be a number, not the string \"10%\"");
        assert_eq!(
            hint.as_deref(),
            Some("write percent = 10 (a number, no quotes)")
        );
    }

    #[test]
    fn unquoted_text_gets_quotes_and_points_at_the_value() {
        let text = "[[check]]\npass = f.status == \"PASS\"\n";
        let at = At {
            text,
            span: Some(text.find("==").unwrap()..text.find("==").unwrap()),
        };
        let (msg, hint, offset) =
            unquoted_value("unexpected key or value, expected newline, `#`", &at).unwrap();
        assert_eq!(msg, "the value of `pass` is not quoted");
        assert_eq!(
            hint,
            "text goes in quotes: write pass = 'f.status == \"PASS\"'"
        );
        assert_eq!(&text[offset..offset + 8], "f.status");
    }
}
