//! `liftoff kill PLAYBOOK [--as NAME] [--reason TEXT]`: fire the kill switch and
//! wait for the readback; exit 0 only when verified HALTED, 1 when not, 2 bad input.

use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_NOGO, EXIT_OK};
use crate::act::readback::ReadbackResult;
use crate::act::{kill, ActContext};
use crate::journal::{self, Actor};
use crate::release::KillState;
use std::path::Path;
use std::sync::Arc;

pub fn run(path: &Path, name: Option<&str>, reason: Option<String>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    if pb.playbook.kill_switch.is_none() {
        eprintln!(
            "liftoff: {} has no [kill_switch]: add one with `actions` and a `verify` readback (see docs/playbook.md)",
            path.display()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let journal = match journal::open(&pb.journal_config()) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("liftoff: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let ctx = ActContext::new(Arc::new(pb), journal, Actor::here(name));
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let rt = runtime()?;
    let outcome = rt.block_on(kill::fire(ctx.clone(), reason));
    let t = outcome.timings();
    println!(
        "KILL SWITCH fired: {} actions dispatched in {:.1}ms",
        outcome.fired.actions.len(),
        t.dispatched.as_secs_f64() * 1000.0
    );
    for a in &outcome.fired.actions {
        match &a.outcome {
            Ok(what) => println!("  ✔ {}: {what}", a.what),
            Err(why) => println!("  ✖ {}: {why}", a.what),
        }
    }
    match &outcome.fired.readback {
        ReadbackResult::Passed {
            after,
            reads,
            value,
        } => println!(
            "  ✔ readback passed after {}ms ({reads} reads){}",
            after.as_millis(),
            value
                .as_deref()
                .map(|v| format!(", value {v}"))
                .unwrap_or_default()
        ),
        ReadbackResult::Failed { why, .. } => println!("  ✖ {why}"),
        ReadbackResult::NotConfigured => println!("  ? no readback configured"),
    }
    for e in &outcome.journal_errors {
        eprintln!("warning: not journaled: {e}");
    }
    for k in &outcome.journal_kept {
        eprintln!("note: journal unavailable: {k}");
    }
    let place = ctx.journal.describe();
    for s in &outcome.journal_stored {
        eprintln!("journaled: {} as event {} in {place}", s.kind, s.id);
    }
    // The verdict (and so the exit code) is decided before anyone is told.
    let code = match &outcome.state {
        KillState::Halted { took_ms, .. } => {
            println!("HALTED: verified by the readback in {took_ms}ms");
            EXIT_OK
        }
        KillState::Failed { why, .. } => {
            println!("FAILED: the world is NOT proven halted: {why}");
            EXIT_NOGO
        }
        other => {
            println!("not verified: {other:?}");
            EXIT_NOGO
        }
    };
    use std::io::Write;
    let _ = std::io::stdout().flush();
    rt.block_on(super::notify_exit::tell(
        &ctx,
        since,
        outcome.journal_stored,
    ));
    Ok(code)
}
