//! The validation folder the `artifacts` source watches: an old FAIL, a PASS
//! from yesterday, and — a few simulated seconds in — today's PASS, which
//! makes "two consecutive 48h PASS validations" (seed 000) come true.

use super::clock::SimClock;
use super::scenario::ARTIFACT_AT;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Writes the files that exist before the story starts (unless a kept demo
/// folder already has its history).
pub fn write_history(dir: &Path, now: DateTime<Utc>) -> std::io::Result<()> {
    let has_runs = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().ends_with(".json"));
    if has_runs {
        return Ok(());
    }
    write_run(
        dir,
        now - Duration::hours(96),
        "FAIL",
        "entropy collapse in window 3",
    )?;
    write_run(
        dir,
        now - Duration::hours(26),
        "PASS",
        "all windows within bounds",
    )?;
    Ok(())
}

/// Writes today's validation run when the story reaches `ARTIFACT_AT`.
pub async fn write_todays_run_later(dir: PathBuf, clock: SimClock) {
    tokio::time::sleep(clock.real_until(std::time::Duration::from_secs_f64(ARTIFACT_AT))).await;
    if let Err(e) = write_run(&dir, Utc::now(), "PASS", "all windows within bounds") {
        // The world has no screen of its own; the cockpit will show the check
        // staying short of two PASS runs, which is the truthful outcome.
        tracing::warn!("demo: cannot write the validation artifact: {e}");
    }
}

/// One validation run as the team's validator writes it, atomically (a
/// watcher never sees half a file), with the file's time set to the run's.
fn write_run(dir: &Path, at: DateTime<Utc>, status: &str, note: &str) -> std::io::Result<PathBuf> {
    let name = format!("validation_{}.json", at.format("%Y%m%dT%H%M%SZ"));
    let body = json!({
        "status": status,
        "window": "48h",
        "policy": "rl-v42",
        "started_at": (at - Duration::hours(48)).to_rfc3339(),
        "finished_at": at.to_rfc3339(),
        "episodes": 4800,
        "note": note,
    });
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(&name);
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(&body).map_err(std::io::Error::other)?,
    )?;
    let mtime = SystemTime::from(at);
    std::fs::File::options()
        .write(true)
        .open(&tmp)?
        .set_modified(mtime)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}
