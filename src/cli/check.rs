//! `liftoff check PLAYBOOK`: poll every source once (concurrently), evaluate,
//! print the report; exit 0 GO, 1 NO-GO, 2 bad input.

use super::{load_or_report, runtime, Format, EXIT_NOGO, EXIT_OK};
use crate::engine::{self, Decision};
use crate::journal;
use crate::release::ReleaseState;
use crate::report::{self, record, Report};
use crate::source::poll::{poll_all, PollContext};
use color_eyre::eyre::WrapErr;
use std::path::Path;

pub fn run(path: &Path, format: Format, out: Option<&Path>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let ctx = PollContext::new(pb.base_dir());
    let observations = runtime()?.block_on(poll_all(&ctx, &pb));
    let now = chrono::Utc::now();
    // ACKs, manual ticks and baselines come from the journal; an unreadable
    // journal leaves every role pending, every box unticked and every
    // baseline unrecorded (fail closed).
    let read = journal::open(&pb.journal_config()).and_then(|j| j.read_all());
    if let Err(e) = &read {
        eprintln!("liftoff: {e}; counting no ACK, tick or baseline");
    }
    let journal_head = read.as_ref().ok().and_then(|r| r.head());
    let state = read
        .map(|r| ReleaseState::from_read(&r))
        .unwrap_or_default();
    // Lines the fold did not count (off the chain, edited, dated far ahead): said, with their line numbers.
    for w in &state.warnings {
        eprintln!("warning: {w}");
    }
    let engine::Assessment {
        verdicts,
        acks,
        gate,
    } = engine::assess(&pb, &observations, &state, now);
    let report = Report::build(&pb, &verdicts, &gate, &acks, now);
    match format {
        Format::Text => print!("{}", report::text(&report)),
        Format::Md => print!("{}", report::markdown(&report)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    if let Some(dir) = out {
        let rec = record::DecisionRecord {
            report: &report,
            kind: "check",
            decision_maker: None,
            justification: None,
            next_review: None,
            journal_head,
        };
        let written = record::write(dir, &rec)
            .wrap_err_with(|| format!("cannot write the decision record into {}", dir.display()))?;
        eprintln!("decision record: {}", written.display());
    }
    Ok(match gate.decision {
        Decision::Go => EXIT_OK,
        Decision::NoGo => EXIT_NOGO,
    })
}
