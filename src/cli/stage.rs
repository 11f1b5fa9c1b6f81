//! `liftoff stage PLAYBOOK (--next | --back | --enter NAME) [--as NAME]
//! [--override-hold --justification TEXT]`: move the ramp with the cockpit's
//! rules (`ramp::can_enter_at`: order, gate, ACKs, `requires`, hold, decision
//! points). Exit 0 entered and read back, 1 refused (nothing written) or not
//! read back, 2 bad input.

use super::assess::{assess, journal};
use super::{load_or_report, EXIT_BAD_INPUT, EXIT_NOGO, EXIT_OK};
use crate::act::{stage, ActContext};
use crate::journal::Actor;
use crate::ramp::{self, Standing};
use crate::release;
use std::path::Path;
use std::sync::Arc;

/// Which way to move.
#[derive(Debug, Clone)]
pub enum Move {
    Next,
    Back,
    Enter(String),
}

pub struct Args<'a> {
    pub to: Move,
    pub as_name: Option<&'a str>,
    pub override_hold: bool,
    pub justification: Option<String>,
}

pub fn run(path: &Path, args: Args<'_>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let justification = args.justification.filter(|j| !j.trim().is_empty());
    if args.override_hold && justification.is_none() {
        eprintln!(
            "liftoff: --override-hold needs --justification TEXT (why the hold is cut short)"
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let Some(ramp) = pb.playbook.ramp.clone() else {
        eprintln!("liftoff: {} has no [ramp]", path.display());
        return Ok(EXIT_BAD_INPUT);
    };
    let (journal, read) = match journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let a = assess(&pb, &read)?;
    let next = ramp::next_stage(&pb.playbook, &a.state);
    let back = match &args.to {
        Move::Next => false,
        Move::Back => true,
        Move::Enter(name) => {
            let Some(i) = ramp.stages.iter().position(|s| s.name == *name) else {
                let names: Vec<&str> = ramp.stages.iter().map(|s| s.name.as_str()).collect();
                eprintln!("{}", super::ack::unknown("stage", name, &names, path));
                return Ok(EXIT_BAD_INPUT);
            };
            match (Some(i) == next, Some(i) == ramp::previous_stage(&a.state)) {
                (true, _) => false,
                (false, true) => true,
                (false, false) => {
                    let refusal = ramp::Refusal {
                        stage: Some(name.clone()),
                        reasons: vec![ramp::Reason::NotNext {
                            asked: name.clone(),
                            next: next.map(|n| ramp.stages[n].name.clone()),
                        }],
                    };
                    eprintln!("liftoff: {refusal}");
                    return Ok(EXIT_NOGO);
                }
            }
        }
    };
    let actor = Actor::here(args.as_name);
    let ctx = ActContext::new(Arc::new(pb.clone()), journal, actor);
    let rt = super::runtime()?;
    let outcome = if back {
        rt.block_on(stage::step_back(ctx, &a.state))
    } else {
        let roles = next
            .and_then(|i| ramp.stages.get(i))
            .map(|s| s.acks.clone())
            .unwrap_or_default();
        let acks = release::entry_ack_status(&pb.playbook, &a.state, &roles, a.now);
        let standing = Standing {
            gate: &a.gate,
            acks: &acks,
            verdicts: &a.verdicts,
        };
        let over = justification.filter(|_| args.override_hold);
        rt.block_on(stage::advance_at(ctx, &a.state, standing, a.now, over))
    };
    match outcome {
        Err(refusal) => {
            eprintln!("liftoff: {refusal}");
            Ok(EXIT_NOGO)
        }
        Ok(o) if o.entered => {
            let verb = if back { "stepped back to" } else { "entered" };
            println!(
                "{verb} stage {} ({}%), read back in {} ms{}",
                o.name,
                crate::expr::format_number(o.percent),
                o.fired.timings.finished.as_millis(),
                match &o.journaled {
                    Ok(id) => format!(" (journal event {id})"),
                    Err(e) => format!("; NOT journaled: {e}"),
                }
            );
            Ok(if o.journaled.is_ok() {
                EXIT_OK
            } else {
                EXIT_NOGO
            })
        }
        Ok(o) => {
            let why = match &o.fired.result {
                crate::act::fire::Verification::Failed { why } => why.clone(),
                _ => "not read back".into(),
            };
            eprintln!("liftoff: stage {} NOT entered: {why}", o.name);
            Ok(EXIT_NOGO)
        }
    }
}
