//! `command` source: runs a program (argv, no shell unless the playbook says
//! `shell = true`) and reports its exit code, output and output-as-JSON.
//!
//! A non-zero exit is data (a check decides what it means); failing to start
//! or running past the timeout is an error, so the check is UNKNOWN and says why.

use super::poll::PollContext;
use super::{CommandOutput, Payload, SourceError};
use crate::io::process::{self, ProcessError, ProcessSpec};
use crate::io::secret;
use crate::playbook::{CommandSpec, Polling};
use std::path::Path;
use std::time::Duration;

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    spec: &CommandSpec,
) -> Result<Payload, SourceError> {
    let max_bytes = usize::try_from(polling.max_bytes).unwrap_or(usize::MAX);
    let process = process_spec(
        &ctx.base_dir,
        spec,
        spec.run.clone(),
        polling.timeout.as_std(),
        max_bytes,
    )?;
    let out = process::run(&process).await.map_err(|e| match e {
        ProcessError::Timeout { timeout, .. } => SourceError::Timeout(timeout),
        ProcessError::Spawn { .. } => SourceError::Exec(e.to_string()),
        ProcessError::Empty => SourceError::Config("`run` is empty".into()),
    })?;
    let stdout = text(&out.stdout);
    let json = if out.truncated {
        // Half a document may still parse (e.g. a cut-off number): never trust it.
        None
    } else {
        serde_json::from_str(stdout.trim()).ok()
    };
    Ok(Payload::Command(CommandOutput {
        exit_code: out.exit_code,
        stdout,
        stderr: text(&out.stderr),
        json,
        truncated: out.truncated,
    }))
}

/// What to run, for a command source or a command action: `argv` (the
/// playbook's `run`, filled in for an action) in the playbook's folder, or
/// `cwd` relative to it, with the playbook's `env`.
pub fn process_spec(
    base_dir: &Path,
    spec: &CommandSpec,
    argv: Vec<String>,
    timeout: Duration,
    max_bytes: usize,
) -> Result<ProcessSpec, SourceError> {
    if argv.is_empty() {
        return Err(SourceError::Config(
            "`run` is empty: write run = [\"make\", \"preflight\"]".into(),
        ));
    }
    let cwd = match &spec.cwd {
        Some(dir) => base_dir.join(dir),
        None => base_dir.to_path_buf(),
    };
    // Otherwise spawning fails with a bare "No such file or directory" that
    // reads as if the program were missing.
    if !cwd.is_dir() {
        return Err(SourceError::Exec(format!(
            "working folder {} does not exist (cwd)",
            cwd.display()
        )));
    }
    Ok(ProcessSpec {
        argv,
        shell: spec.shell,
        cwd: Some(cwd),
        env: spec.env.clone(),
        timeout,
        max_bytes,
    })
}

/// Output as text: invalid UTF-8 replaced, credentials that leak into logs
/// (URL passwords, bearer tokens) redacted.
fn text(bytes: &[u8]) -> String {
    secret::redact(&String::from_utf8_lossy(bytes), &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::Dur;

    fn spec(run: &[&str]) -> CommandSpec {
        CommandSpec {
            run: run.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn polling() -> Polling {
        Polling {
            timeout: Dur::secs(10),
            ..Default::default()
        }
    }

    fn output(p: Payload) -> CommandOutput {
        match p {
            Payload::Command(c) => c,
            other => panic!("expected command output, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn runs_in_the_playbook_folder_by_default() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = PollContext::new(dir.path());
        let out = output(poll(&ctx, &polling(), &spec(&["pwd"])).await.unwrap());
        let seen = Path::new(out.stdout.trim()).canonicalize().unwrap();
        assert_eq!(seen, dir.path().canonicalize().unwrap());
    }

    #[tokio::test]
    async fn missing_cwd_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = PollContext::new(dir.path());
        let mut s = spec(&["true"]);
        s.cwd = Some("nope".into());
        let err = poll(&ctx, &polling(), &s).await.unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[tokio::test]
    async fn env_reaches_the_program_and_shell_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = PollContext::new(dir.path());
        let mut s = spec(&["echo", "$GREETING"]);
        s.env.insert("GREETING".into(), "hello".into());
        let literal = output(poll(&ctx, &polling(), &s).await.unwrap());
        assert_eq!(literal.stdout, "$GREETING\n");
        s.shell = true;
        let expanded = output(poll(&ctx, &polling(), &s).await.unwrap());
        assert_eq!(expanded.stdout, "hello\n");
    }

    #[tokio::test]
    async fn leaked_credentials_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = PollContext::new(dir.path());
        let s = spec(&["echo", "postgres://app:hunter22@db/x"]);
        let out = output(poll(&ctx, &polling(), &s).await.unwrap());
        assert!(!out.stdout.contains("hunter22"), "{}", out.stdout);
    }

    #[tokio::test]
    async fn truncated_output_is_never_json() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = PollContext::new(dir.path());
        let s = spec(&["echo", "12345678"]);
        let small = Polling {
            max_bytes: 4,
            ..polling()
        };
        let out = output(poll(&ctx, &small, &s).await.unwrap());
        assert!(out.truncated);
        assert_eq!(out.stdout, "1234");
        assert_eq!(out.json, None);
    }
}
