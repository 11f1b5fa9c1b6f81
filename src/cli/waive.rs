//! `liftoff waive PLAYBOOK --check ID --role ROLE --justification TEXT
//! [--for DURATION] [--as NAME]`: waive one check for a time, as the rule book
//! allows (`act::rules::may_waive`: the check's `waivable_by` names the role,
//! the person holds a valid ACK as it). Exit 0 recorded, 2 bad input or refused.

use super::assess::journal;
use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_OK};
use crate::act::rules::WaiveAsk;
use crate::act::{self, ActContext, ActError};
use crate::journal::Actor;
use crate::playbook::parse_duration;
use crate::release::ReleaseState;
use chrono::Utc;
use std::path::Path;
use std::sync::Arc;

pub struct Args<'a> {
    pub check: &'a str,
    pub role: &'a str,
    pub justification: &'a str,
    pub for_: Option<&'a str>,
    pub as_name: Option<&'a str>,
}

pub fn run(path: &Path, args: Args<'_>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let for_ = match args.for_.map(parse_duration).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("liftoff: --for {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let (journal, read) = match journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let state = ReleaseState::from_read(&read);
    let actor = Actor::here(args.as_name).with_role(Some(args.role));
    let ctx = ActContext::new(Arc::new(pb), journal, actor);
    let ask = WaiveAsk {
        check: args.check,
        role: args.role,
        who: &ctx.actor.name,
        justification: args.justification,
        for_,
    };
    match runtime()?.block_on(act::waive::waive(&ctx, &state, &ask, Utc::now())) {
        Ok((plan, stored)) => {
            println!(
                "check {} WAIVED by {} ({}) until {} (journal event {})",
                plan.check,
                plan.by,
                plan.role,
                plan.until.format("%Y-%m-%d %H:%M:%S UTC"),
                stored.id
            );
            Ok(EXIT_OK)
        }
        Err(ActError::Refused(refused)) => {
            eprintln!("liftoff: {refused}");
            Ok(EXIT_BAD_INPUT)
        }
        Err(ActError::NotRecorded(e)) => {
            eprintln!("liftoff: waiver NOT recorded: {e}");
            Ok(EXIT_BAD_INPUT)
        }
    }
}
