//! `liftoff report PLAYBOOK [--format md|html] [--out FILE]`: the release's
//! story from the journal (`crate::story`). Exit 0 written, 2 bad input.

use super::{load_or_report, ReportFormat, EXIT_BAD_INPUT, EXIT_OK};
use crate::story;
use std::path::Path;

pub fn run(path: &Path, format: ReportFormat, out: Option<&Path>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let (_, read) = match super::status::open_journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let story = story::Story::build(&pb, &read.events, chrono::Utc::now());
    let text = match format {
        ReportFormat::Md => story::markdown(&story),
        ReportFormat::Html => story::html(&story),
    };
    match out {
        None => print!("{text}"),
        Some(file) => {
            if let Err(e) = std::fs::write(file, text) {
                eprintln!("liftoff: cannot write {}: {e}", file.display());
                return Ok(EXIT_BAD_INPUT);
            }
            eprintln!("report: {}", file.display());
        }
    }
    Ok(EXIT_OK)
}
