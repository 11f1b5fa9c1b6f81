//! `liftoff ack PLAYBOOK --role ROLE [--as NAME] [--comment TEXT]`: record an
//! ACK in the journal, as the rule book (`act::rules::may_ack`) allows; exit 0
//! recorded, 2 bad input or refused (nothing written).

use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_OK};
use crate::act::{self, ActContext, ActError};
use crate::journal::{self, Actor};
use crate::playbook::suggest;
use crate::release::ReleaseState;
use chrono::Utc;
use std::path::Path;
use std::sync::Arc;

pub fn run(
    path: &Path,
    role: &str,
    name: Option<&str>,
    comment: Option<String>,
) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let roles: Vec<&str> = pb.playbook.roles.iter().map(|r| r.id.as_str()).collect();
    if !roles.contains(&role) {
        eprintln!("{}", unknown("role", role, &roles, path));
        return Ok(EXIT_BAD_INPUT);
    }
    // The journal must take the ACK now (e.g. etcd is up), or it is refused, loudly.
    let (journal, read) =
        match journal::open(&pb.journal_config()).and_then(|j| Ok((j.read_all()?, j))) {
            Ok((read, j)) => (j, read),
            Err(e) => {
                eprintln!("liftoff: ACK NOT recorded: {e}");
                return Ok(EXIT_BAD_INPUT);
            }
        };
    for w in &read.warnings {
        eprintln!("warning: {w}");
    }
    let state = ReleaseState::from_read(&read);
    let actor = Actor::here(name).with_role(Some(role));
    let ctx = ActContext::new(Arc::new(pb), journal, actor);
    let acked = runtime()?.block_on(act::ack::ack(&ctx, &state, role, comment, Utc::now()));
    let (plan, stored) = match acked {
        Ok(done) => done,
        Err(ActError::Refused(refused)) => {
            eprintln!("liftoff: {refused}");
            return Ok(EXIT_BAD_INPUT);
        }
        Err(ActError::NotRecorded(e)) => {
            eprintln!("liftoff: ACK NOT recorded: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let at_stage = match &plan.stage {
        Some(s) => format!(" at stage {s}"),
        None => " (before the ramp)".into(),
    };
    println!(
        "ACK recorded: {role} by {}{at_stage} (journal event {}): {}",
        ctx.actor.name, stored.id, plan.counts
    );
    Ok(EXIT_OK)
}

/// "unknown role `captian` in liftoff.toml; did you mean `captain`? (roles: captain, oncall)"
pub(crate) fn unknown(what: &str, word: &str, known: &[&str], path: &Path) -> String {
    let hint = suggest(word, known.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let list = if known.is_empty() {
        format!("the playbook defines no {what}")
    } else {
        format!("{what}s: {}", known.join(", "))
    };
    format!(
        "liftoff: unknown {what} `{word}` in {}{hint} ({list})",
        path.display()
    )
}
