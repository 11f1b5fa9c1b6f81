//! Playbooks in tests: load one from text, evaluate it through the library
//! exactly as `liftoff check` does, or run the built binary on it.

use liftoff::engine::{self, GateDecision, Status, Verdict};
use liftoff::playbook::LoadedPlaybook;
use liftoff::release::ReleaseState;
use liftoff::source::poll::{poll_all, PollContext};
use liftoff::source::Observation;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A playbook from `text`, as if it sat in `dir` (relative paths start there).
pub fn load(dir: &Path, text: &str) -> LoadedPlaybook {
    liftoff::playbook::load_str(&dir.join("liftoff.toml"), text)
        .unwrap_or_else(|e| panic!("test playbook refused:\n{e}\n---\n{text}"))
}

/// Writes `text` as `<dir>/liftoff.toml` for the binary to read.
pub fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("liftoff.toml");
    std::fs::write(&path, text).expect("write playbook");
    path
}

pub struct Evaluated {
    pub observations: HashMap<String, Observation>,
    pub verdicts: Vec<Verdict>,
    pub gate: GateDecision,
}

impl Evaluated {
    pub fn verdict(&self, check: &str) -> &Verdict {
        self.verdicts
            .iter()
            .find(|v| v.check == check)
            .unwrap_or_else(|| panic!("no verdict for check {check}"))
    }
    pub fn status(&self, check: &str) -> Status {
        self.verdict(check).status
    }
    pub fn reason(&self, check: &str) -> &str {
        &self.verdict(check).evidence.reason
    }
    /// One line per check, for failure messages.
    pub fn summary(&self) -> String {
        self.verdicts
            .iter()
            .map(|v| {
                format!(
                    "{} {} = {} ({})",
                    v.check,
                    v.status.word(),
                    v.evidence.value.as_deref().unwrap_or("-"),
                    v.evidence.reason
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Polls every source once (concurrently) and assesses, like `liftoff check`
/// with an empty journal (`engine::assess`, the one evaluation).
pub async fn evaluate(pb: &LoadedPlaybook) -> Evaluated {
    evaluate_at(pb, &ReleaseState::default()).await
}

/// As `evaluate`, with the release state `state` (stage, ACKs, ticks, baselines).
pub async fn evaluate_at(pb: &LoadedPlaybook, state: &ReleaseState) -> Evaluated {
    let ctx = PollContext::new(pb.base_dir());
    let observations = poll_all(&ctx, pb).await;
    let engine::Assessment { verdicts, gate, .. } =
        engine::assess(pb, &observations, state, chrono::Utc::now());
    Evaluated {
        observations,
        verdicts,
        gate,
    }
}

pub struct CheckRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built `liftoff check PLAYBOOK` (async, so servers in this test keep answering).
pub async fn run_check(playbook: &Path) -> CheckRun {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("check")
        .arg(playbook)
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .expect("run liftoff");
    CheckRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
