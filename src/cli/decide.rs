//! `liftoff decide PLAYBOOK --outcome OUTCOME --justification TEXT [--as NAME]
//! [--next-review TIME]`: record a decision with an outcome and its
//! `_go_nogo.json`, as the rule book allows (`act::rules::may_decide`); an
//! outcome the gate does not support is recorded as an override and says so.
//! Exit 0 recorded, 2 bad input or refused (nothing written).

use super::assess::{assess, journal};
use super::{load_or_report, EXIT_BAD_INPUT, EXIT_OK};
use crate::act::{decision, rules, ActContext};
use crate::journal::Actor;
use crate::report::Report;
use std::path::Path;
use std::sync::Arc;

pub struct Args<'a> {
    pub outcome: &'a str,
    pub justification: &'a str,
    pub as_name: Option<&'a str>,
    pub next_review: Option<String>,
}

pub fn run(path: &Path, args: Args<'_>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let (journal, read) = match journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let a = assess(&pb, &read)?;
    let plan = match rules::may_decide(&a.gate, args.outcome, args.justification) {
        Ok(p) => p,
        Err(refused) => {
            eprintln!("liftoff: {refused}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let report = Report::build(&pb, &a.verdicts, &a.gate, &a.acks, a.now);
    let stage = a.state.stage.as_ref().map(|s| s.name.clone());
    let ctx = ActContext::new(Arc::new(pb.clone()), journal, Actor::here(args.as_name));
    let by = ctx.actor.name.clone();
    let says = plan.says.clone();
    let rec = super::runtime()?.block_on(decision::record_outcome(
        ctx,
        report,
        plan,
        args.next_review,
        stage,
    ));
    match rec {
        Ok(r) => {
            println!(
                "decision recorded by {by}: {says} (journal event {}, record {})",
                r.event_id,
                r.record.display()
            );
            Ok(EXIT_OK)
        }
        Err(e) => {
            eprintln!("liftoff: decision NOT recorded: {e}");
            Ok(EXIT_BAD_INPUT)
        }
    }
}
