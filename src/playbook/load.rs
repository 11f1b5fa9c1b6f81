//! Reading a playbook: TOML syntax and shape (serde), then meaning (validate),
//! then compiling conditions. Every problem points at the file, line and column.

use super::compiled::{CompiledCheck, CompiledGuard, CompiledReadback, LoadedPlaybook};
use super::error::{problem_at, suggest, PlaybookError, Problem};
use super::spans::SpanIndex;
use super::types::Playbook;
use super::validate::validate;
use sha2::{Digest, Sha256};
use std::path::Path;

pub fn load(path: &Path) -> Result<LoadedPlaybook, PlaybookError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlaybookError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    load_str(path, &text)
}

/// Loads playbook `text` as if read from `path` (used for messages and relative paths).
pub fn load_str(path: &Path, text: &str) -> Result<LoadedPlaybook, PlaybookError> {
    let playbook: Playbook = toml::from_str(text)
        .map_err(|e| PlaybookError::Invalid(vec![shape_problem(path, text, &e)]))?;
    let spans = SpanIndex::build(text);
    let problems: Vec<Problem> = validate(&playbook)
        .into_iter()
        .map(|f| {
            let offset = if f.at_key {
                spans.key_offset(&f.path)
            } else {
                spans.value_offset(&f.path)
            };
            problem_at(path, text, offset, f.message, f.hint)
        })
        .collect();
    if !problems.is_empty() {
        return Err(PlaybookError::Invalid(problems));
    }
    let compile_err = |e| -> PlaybookError {
        // validate() compiled every condition already; this cannot be reached
        // with a playbook it accepted, but fail loudly rather than panic.
        PlaybookError::Invalid(vec![problem_at(path, text, 0, format!("{e}"), None)])
    };
    let checks = playbook
        .checks
        .iter()
        .cloned()
        .map(CompiledCheck::compile)
        .collect::<Result<Vec<_>, _>>()
        .map_err(compile_err)?;
    let guards = playbook
        .guards
        .iter()
        .map(|g| {
            crate::expr::compile(&g.trip).map(|trip| CompiledGuard {
                spec: g.clone(),
                trip,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(compile_err)?;
    let kill_verify = playbook
        .kill_switch
        .as_ref()
        .map(|k| CompiledReadback::compile(&k.verify))
        .transpose()
        .map_err(compile_err)?;
    let ramp_readback = playbook
        .ramp
        .as_ref()
        .and_then(|r| r.readback.as_ref())
        .map(CompiledReadback::compile)
        .transpose()
        .map_err(compile_err)?;
    Ok(LoadedPlaybook {
        path: path.to_path_buf(),
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
        playbook,
        checks,
        guards,
        kill_verify,
        ramp_readback,
    })
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

/// A serde/TOML error -> a problem with advice.
fn shape_problem(path: &Path, text: &str, err: &toml::de::Error) -> Problem {
    let offset = err.span().map(|s| s.start).unwrap_or(0);
    let message = err.message().trim().to_string();
    let (message, hint) = advise(&message);
    problem_at(path, text, offset, message, hint)
}

fn advise(message: &str) -> (String, Option<String>) {
    if let Some((field, expected)) = parse_unknown(message, "unknown field `") {
        if SECRET_KEYS.contains(&field.to_lowercase().as_str()) {
            return (
                format!("`{field}` looks like a secret written inline; secrets never sit in the playbook"),
                Some(if expected.iter().any(|e| e == "url_env") && !expected.iter().any(|e| e == "token_env") {
                    "name it instead: url_env = \"VARIABLE\" (an environment variable) or url_file = \"path/to/file\"".into()
                } else {
                    "name it instead: token_env = \"VARIABLE\" (an environment variable) or token_file = \"path/to/file\"".into()
                }),
            );
        }
        let hint = match suggest(&field, expected.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("valid keys here: {}", expected.join(", ")),
        };
        return (format!("unknown key `{field}`"), Some(hint));
    }
    if let Some((variant, expected)) = parse_unknown(message, "unknown variant `") {
        let hint = match suggest(&variant, expected.iter().map(String::as_str)) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("write one of: {}", expected.join(", ")),
        };
        return (format!("unknown value \"{variant}\""), Some(hint));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return (
            format!("missing key `{field}`"),
            Some(format!(
                "add `{field} = ...` here; docs/playbook.md lists what it takes"
            )),
        );
    }
    if message.starts_with("invalid type") {
        return (
            message.to_string(),
            Some(
                "check the value's type: strings in quotes, lists in [ ], durations as \"30s\""
                    .into(),
            ),
        );
    }
    (message.to_string(), None)
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

    #[test]
    fn unknown_field_gets_did_you_mean() {
        let (msg, hint) = advise("unknown field `pas`, expected one of `id`, `pass`, `warn`");
        assert_eq!(msg, "unknown key `pas`");
        assert_eq!(hint.as_deref(), Some("did you mean `pass`?"));
    }

    #[test]
    fn inline_token_is_called_a_secret() {
        let (msg, hint) =
            advise("unknown field `token`, expected one of `url`, `token_env`, `token_file`");
        assert!(msg.contains("secret"));
        assert!(hint.unwrap().contains("token_env"));
    }
}
