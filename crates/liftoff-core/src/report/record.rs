//! `<UTC timestamp>_go_nogo.json`: the decision record seed 000 asks for.

use super::Report;
use crate::journal::Head;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize)]
pub struct DecisionRecord<'a> {
    #[serde(flatten)]
    pub report: &'a Report,
    /// "check" for an automated evaluation, "decision" for one a person recorded.
    pub kind: &'a str,
    pub decision_maker: Option<&'a str>,
    pub justification: Option<&'a str>,
    pub next_review: Option<&'a str>,
    /// The journal's head when the record was written (null: empty or
    /// unreadable journal): kept outside the journal, it shows a cut tail
    /// later (`liftoff audit verify --expect-head HASH@LINE`).
    pub journal_head: Option<Head>,
}

/// Writes the record into `dir` (created if needed); returns its path.
pub fn write(dir: &Path, record: &DecisionRecord<'_>) -> std::io::Result<PathBuf> {
    write_any(dir, record.report.generated_at, record)
}

/// Writes any record (e.g. a decision with an outcome) as `<at>_go_nogo.json`.
pub fn write_any(
    dir: &Path,
    at: chrono::DateTime<chrono::Utc>,
    record: &impl Serialize,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stamp = at.format("%Y%m%dT%H%M%S%.3fZ");
    let path = dir.join(format!("{stamp}_go_nogo.json"));
    let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    // Write then rename: a reader never sees half a record.
    let tmp = dir.join(format!(".{stamp}_go_nogo.json.tmp"));
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}
