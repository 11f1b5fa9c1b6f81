//! `liftoff audit verify PLAYBOOK`: check the journal's hash chain; exit 0
//! intact, 1 broken (naming the first bad line), 2 bad input.
//! `liftoff audit export PLAYBOOK --to FILE`: the journal, whatever its
//! backend, as the JSON-lines file the file journal would be.

use super::{load_or_report, EXIT_BAD_INPUT, EXIT_NOGO, EXIT_OK};
use crate::journal::verify::{verify_bytes, verify_with, HeadCheck, MacCheck};
use crate::journal::{self, Head};
use std::io::Write;
use std::path::Path;

pub fn export(path: &Path, to: &Path) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let (place, bytes) = match journal::open(&pb.journal_config())
        .and_then(|j| Ok((j.describe(), j.export_bytes()?)))
    {
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

pub fn verify(path: &Path, expect: Option<&Head>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let key = journal::key::load(&pb.journal_config());
    let report = match journal::open(&pb.journal_config())
        .and_then(|j| Ok((j.describe(), j.export_bytes()?)))
    {
        Ok((place, bytes)) => {
            println!("journal: {place}");
            verify_with(&bytes, &key, expect, chrono::Utc::now())
        }
        Err(e) => {
            eprintln!("liftoff: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    println!("{}", mac_line(&report.mac));
    for n in &report.notes {
        println!("note: line {}: {}", n.line, n.why);
    }
    let mut broken = false;
    match &report.expected_head {
        None => {}
        Some(HeadCheck::Found) => {
            if let Some(h) = expect {
                println!("expected head {h} is on the chain");
            }
        }
        Some(HeadCheck::Missing { expected }) => {
            broken = true;
            println!(
                "CUT: no line on the chain has the expected head's hash ({expected}): the tail was cut or rewritten after it was recorded (the chain now ends at {})",
                report
                    .head_at
                    .as_ref()
                    .map_or("no line".to_string(), |h| h.to_string())
            );
        }
        Some(HeadCheck::Moved { expected, id }) => {
            broken = true;
            println!(
                "MOVED: the expected head ({expected}) is on the chain as event {id}, not {}: lines before it were removed or added",
                expected.line
            );
        }
    }
    match report.first_bad() {
        None if !broken => {
            println!(
                "intact: {} lines, hash chain unbroken{}",
                report.lines,
                report
                    .head_at
                    .as_ref()
                    .map(|h| format!(" (head {h})"))
                    .unwrap_or_default()
            );
            Ok(EXIT_OK)
        }
        None => Ok(EXIT_NOGO),
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

/// What the check could prove about who wrote the lines, said plainly.
fn mac_line(mac: &MacCheck) -> String {
    match mac {
        MacCheck::NotKeyed => "unkeyed chain: proves lines were not torn or changed by accident; anyone who can write the file can rewrite it undetected (set journal_hmac_key_env for a keyed chain, see docs/journal.md)".into(),
        MacCheck::Checked { from } => format!("keyed chain: every line's MAC checked with the key from {from}"),
        MacCheck::KeyMissing { from, why } => format!(
            "MACs NOT CHECKED: the journal is keyed but the key from {from} is not available ({why}); only the unkeyed chain was checked"
        ),
    }
}
