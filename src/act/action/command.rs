//! `kind = "command"` actions: a program (or `sh -c`) run beside the playbook.

use super::fill::Fill;
use crate::io::process;
use crate::playbook::CommandSpec;
use crate::source::command::process_spec;
use std::path::Path;
use std::time::Duration;

/// Bytes kept from a command's output (evidence only).
const MAX_BYTES: usize = 64 * 1024;

pub(super) fn describe(a: &CommandSpec, fill: &Fill) -> String {
    let argv: Vec<String> = a.run.iter().map(|s| fill.apply(s)).collect();
    if a.shell {
        format!("sh -c {:?}", argv.join(" "))
    } else {
        argv.join(" ")
    }
}

/// Runs beside the playbook, so `make kill-switch` finds its Makefile.
pub(super) async fn run(
    a: &CommandSpec,
    timeout: Duration,
    fill: &Fill,
    base_dir: &Path,
) -> Result<String, String> {
    let argv = a.run.iter().map(|s| fill.apply(s)).collect();
    let spec = process_spec(base_dir, a, argv, timeout, MAX_BYTES).map_err(|e| e.to_string())?;
    let out = process::run(&spec).await.map_err(|e| e.to_string())?;
    match out.exit_code {
        Some(0) => Ok(format!("exit 0 in {}ms", out.took.as_millis())),
        // The stderr tail keeps its newlines: a stack trace stays readable.
        Some(code) => Err(format!(
            "exited with {code}: {}",
            crate::io::tail::tail(&String::from_utf8_lossy(&out.stderr))
        )),
        None => Err("killed by a signal".into()),
    }
}
