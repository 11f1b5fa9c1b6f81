//! `liftoff audit verify PLAYBOOK`: check the journal's hash chain; exit 0
//! intact, 1 broken (naming the first bad line), 2 bad input.
//! `liftoff audit export PLAYBOOK --to FILE`: the journal, whatever its
//! backend, as the JSON-lines file the file journal would be.

use super::{load_or_report, EXIT_BAD_INPUT, EXIT_NOGO, EXIT_OK};
use crate::journal::{self, verify::verify_bytes};
use std::io::Write;
use std::path::Path;

pub fn export(path: &Path, to: &Path) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let (place, bytes) =
        match journal::open(&pb).and_then(|j| Ok((j.describe(), j.export_bytes()?))) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("liftoff: nothing exported: {e}");
                return Ok(EXIT_BAD_INPUT);
            }
        };
    // Written beside the target and renamed: a reader never sees half a file.
    let dir = to
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let written = tempfile::NamedTempFile::new_in(dir)
        .and_then(|mut f| {
            f.write_all(&bytes)?;
            f.as_file().sync_data()?;
            Ok(f)
        })
        .and_then(|f| f.persist(to).map_err(|e| e.error));
    if let Err(e) = written {
        eprintln!("liftoff: cannot write {}: {e}", to.display());
        return Ok(EXIT_BAD_INPUT);
    }
    let report = verify_bytes(&bytes);
    println!(
        "exported {} events from {place} to {} ({} bytes); chain {}",
        report.lines,
        to.display(),
        bytes.len(),
        match report.first_bad() {
            None => "intact".to_string(),
            Some(b) => format!(
                "BROKEN at line {}: {} (run `liftoff audit verify`)",
                b.line, b.why
            ),
        }
    );
    Ok(EXIT_OK)
}

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
