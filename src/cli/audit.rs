//! `liftoff audit verify PLAYBOOK`: check the journal's hash chain; exit 0
//! intact, 1 broken (naming the first bad line), 2 bad input.

use super::{load_or_report, EXIT_BAD_INPUT, EXIT_NOGO, EXIT_OK};
use crate::journal;
use std::path::Path;

pub fn verify(path: &Path) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let report = match journal::open(&pb).and_then(|j| Ok((j.describe(), j.verify()?))) {
        Ok((place, r)) => {
            println!("journal: {place}");
            r
        }
        Err(e) => {
            eprintln!("liftoff: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    match report.first_bad() {
        None => {
            println!(
                "intact: {} lines, hash chain unbroken{}",
                report.lines,
                report
                    .head
                    .as_deref()
                    .map(|h| format!(" (head {})", &h[..h.len().min(16)]))
                    .unwrap_or_default()
            );
            Ok(EXIT_OK)
        }
        Some(first) => {
            println!("BROKEN at line {}: {}", first.line, first.why);
            for more in report.bad.iter().skip(1) {
                println!("also line {}: {}", more.line, more.why);
            }
            println!(
                "{} of {} lines are valid; {} bad",
                report.valid,
                report.lines,
                report.bad.len()
            );
            Ok(EXIT_NOGO)
        }
    }
}
