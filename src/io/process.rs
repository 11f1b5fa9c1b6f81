//! Running a program: argv (no shell unless asked), cwd, env, a timeout that
//! kills the whole process tree, and capped stdout/stderr. Nothing the
//! program starts outlives it: when it exits, or times out, its descendants
//! (`setsid` escapees included, see `tree`) are killed and reaped.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

#[derive(Debug, Clone)]
pub struct ProcessSpec {
    pub argv: Vec<String>,
    /// Run `argv.join(" ")` with `sh -c` (only when the playbook says `shell = true`).
    pub shell: bool,
    pub cwd: Option<PathBuf>,
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    /// Cap on bytes kept from each of stdout and stderr; the rest is drained.
    pub max_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct ProcessOutput {
    pub exit_code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub truncated: bool,
    pub took: Duration,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProcessError {
    #[error("cannot start `{program}`: {why}")]
    Spawn { program: String, why: String },
    #[error("`{program}` timed out after {}; it and everything it started were killed", humantime::format_duration(*timeout))]
    Timeout { program: String, timeout: Duration },
    #[error("empty command line")]
    Empty,
}

pub async fn run(spec: &ProcessSpec) -> Result<ProcessOutput, ProcessError> {
    let (program, args): (String, Vec<String>) = if spec.shell {
        ("sh".into(), vec!["-c".into(), spec.argv.join(" ")])
    } else {
        let (first, rest) = spec.argv.split_first().ok_or(ProcessError::Empty)?;
        (first.clone(), rest.to_vec())
    };
    super::tree::become_subreaper();
    let mark = super::tree::new_mark();
    let mut cmd = Command::new(&program);
    cmd.args(&args)
        .envs(&spec.env)
        .env(super::tree::MARK_VAR, &mark)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a timeout can kill the children it forked too.
        .process_group(0)
        .kill_on_drop(true);
    if let Some(cwd) = &spec.cwd {
        cmd.current_dir(cwd);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| ProcessError::Spawn {
        program: program.clone(),
        why: e.to_string(),
    })?;
    let pgid = child.id();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let cap = spec.max_bytes;
    let sweep_mark = mark.clone();
    let ended = async {
        let status = child.wait().await;
        // The command is over: what it left running goes now (it would hold
        // the output pipes open, too).
        sweep(sweep_mark, None).await;
        status
    };
    let work = async {
        let (out, err, status) =
            tokio::join!(read_capped(stdout, cap), read_capped(stderr, cap), ended);
        (out, err, status)
    };
    match tokio::time::timeout(spec.timeout, work).await {
        Ok(((stdout, t1), (stderr, t2), status)) => {
            let status = status.map_err(|e| ProcessError::Spawn {
                program: program.clone(),
                why: e.to_string(),
            })?;
            Ok(ProcessOutput {
                exit_code: status.code(),
                stdout,
                stderr,
                truncated: t1 || t2,
                took: started.elapsed(),
            })
        }
        Err(_) => {
            if let Some(pid) = pgid {
                kill_group(pid);
            }
            sweep(mark, pgid).await;
            Err(ProcessError::Timeout {
                program,
                timeout: spec.timeout,
            })
        }
    }
}

/// Kills and reaps the command's tree, off the async workers.
async fn sweep(mark: String, root: Option<u32>) {
    let _ = tokio::task::spawn_blocking(move || super::tree::sweep(&mark, root)).await;
}

/// SIGKILL to the whole group: the command and everything it started.
fn kill_group(pgid: u32) {
    use nix::sys::signal::{killpg, Signal};
    use nix::unistd::Pid;
    let _ = killpg(Pid::from_raw(pgid as i32), Signal::SIGKILL);
}

/// Reads to EOF keeping at most `cap` bytes (draining the rest so the child
/// never blocks on a full pipe). Returns (bytes, truncated).
async fn read_capped<R: AsyncRead + Unpin>(reader: Option<R>, cap: usize) -> (Vec<u8>, bool) {
    let Some(mut reader) = reader else {
        return (Vec::new(), false);
    };
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                if room < n {
                    truncated = true;
                }
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    (kept, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(argv: &[&str], timeout_ms: u64) -> ProcessSpec {
        ProcessSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            shell: false,
            cwd: None,
            env: BTreeMap::new(),
            timeout: Duration::from_millis(timeout_ms),
            max_bytes: 1024,
        }
    }

    #[tokio::test]
    async fn captures_exit_code_and_output() {
        let out = run(&spec(&["sh", "-c", "echo hi; echo err >&2; exit 3"], 5000))
            .await
            .unwrap();
        assert_eq!(out.exit_code, Some(3));
        assert_eq!(out.stdout, b"hi\n");
        assert_eq!(out.stderr, b"err\n");
    }

    #[tokio::test]
    async fn caps_output() {
        let out = run(&spec(&["sh", "-c", "head -c 100000 /dev/zero"], 5000))
            .await
            .unwrap();
        assert_eq!(out.stdout.len(), 1024);
        assert!(out.truncated);
        assert_eq!(out.exit_code, Some(0));
    }

    #[tokio::test]
    async fn missing_program_is_a_clear_error() {
        let err = run(&spec(&["/nonexistent/liftoff-nope"], 5000))
            .await
            .unwrap_err();
        assert!(matches!(err, ProcessError::Spawn { .. }));
    }
}
