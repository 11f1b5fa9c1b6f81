//! `liftoff waive PLAYBOOK --check ID --role ROLE --justification TEXT
//! [--for DURATION] [--as NAME]`: waive one check for a time, as the rule book
//! allows (`act::rules::may_waive`: the check's `waivable_by` names the role,
//! the person holds a valid ACK as it). Exit 0 recorded, 2 bad input or refused.

use super::assess::journal;
use super::{load_or_report, EXIT_BAD_INPUT, EXIT_OK};
use crate::act::rules::{self, WaiveAsk};
use crate::journal::event::Waiver;
use crate::journal::{Actor, Event, NewEvent};
use crate::playbook::parse_duration;
use crate::release::ReleaseState;
use std::path::Path;

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
    let ask = WaiveAsk {
        check: args.check,
        role: args.role,
        who: &actor.name,
        justification: args.justification,
        for_,
    };
    let plan = match rules::may_waive(&pb.playbook, &state, &ask, chrono::Utc::now()) {
        Ok(p) => p,
        Err(refused) => {
            eprintln!("liftoff: {refused}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let event = Event::CheckWaived(Waiver {
        check: plan.check.clone(),
        role: plan.role.clone(),
        justification: plan.justification.clone(),
        until: plan.until,
        status: None,
    });
    match journal.append(NewEvent::new(&actor, &event)) {
        Ok(stored) => {
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
        Err(e) => {
            eprintln!("liftoff: waiver NOT recorded: {e}");
            Ok(EXIT_BAD_INPUT)
        }
    }
}
