//! Reading a playbook: TOML syntax and shape (serde), then meaning (validate),
//! then compiling conditions. Every problem points at the file, line and column.

use super::advice::shape_problem;
use super::compiled::{CompiledCheck, CompiledGuard, CompiledReadback, LoadedPlaybook};
use super::error::{problem_at, PlaybookError, Problem};
use super::model::Source;
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
                let value = spans.value_offset(&f.path);
                match &f.inner {
                    Some((string, at)) => inside_string(text, value, string, *at),
                    None => value,
                }
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
    let sources = playbook
        .sources
        .iter()
        .map(|(id, table)| (id.clone(), Source::from(table)))
        .collect();
    Ok(LoadedPlaybook {
        path: path.to_path_buf(),
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
        sources,
        playbook,
        checks,
        guards,
        kill_verify,
        ramp_readback,
    })
}

/// The offset of byte `at` of `string` inside the quoted value that starts at
/// `value`, when the text holds the string as written (a one-line string with
/// no escapes before `at`); otherwise the value's start.
fn inside_string(text: &str, value: usize, string: &str, at: usize) -> usize {
    let written = &text[value.min(text.len())..];
    let quote_len = if written.starts_with("\"\"\"") || written.starts_with("'''") {
        3
    } else if written.starts_with(['"', '\'']) {
        1
    } else {
        return value;
    };
    let body = &written[quote_len..];
    match string.get(..at) {
        Some(prefix) if quote_len == 1 && body.starts_with(prefix) => value + quote_len + at,
        _ => value,
    }
}
