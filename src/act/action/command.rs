//! `kind = "command"` actions: a program (or `sh -c`) run beside the playbook.

use super::fill::Fill;
use crate::io::process::{self, ProcessSpec};
use crate::playbook::ActionSpec;
use std::path::Path;

/// Bytes kept from a command's output (evidence only).
const MAX_BYTES: usize = 64 * 1024;

pub(super) fn describe(a: &ActionSpec, fill: &Fill) -> String {
    let argv: Vec<String> = a.run.iter().map(|s| fill.apply(s)).collect();
    if a.shell {
        format!("sh -c {:?}", argv.join(" "))
    } else {
        argv.join(" ")
    }
}

pub(super) async fn run(a: &ActionSpec, fill: &Fill, base_dir: &Path) -> Result<String, String> {
    let cwd = match &a.cwd {
        Some(c) if c.is_absolute() => c.clone(),
        Some(c) => base_dir.join(c),
        // Actions run beside the playbook, so `make kill-switch` finds its Makefile.
        None => base_dir.to_path_buf(),
    };
    let spec = ProcessSpec {
        argv: a.run.iter().map(|s| fill.apply(s)).collect(),
        shell: a.shell,
        cwd: Some(cwd),
        env: a.env.clone(),
        timeout: a.timeout().as_std(),
        max_bytes: MAX_BYTES,
    };
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
