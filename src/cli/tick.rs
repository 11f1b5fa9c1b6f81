//! `liftoff tick PLAYBOOK --item ID [--as NAME] [--untick]`: tick a manual
//! item (the id of a `manual` source) as the rule book allows (an item that
//! names a role needs that role's ACK); exit 0 recorded, 2 bad input or refused.

use super::status::open_journal;
use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_OK};
use crate::act::{self, ActContext, ActError};
use crate::journal::Actor;
use crate::playbook::SourceConfig;
use chrono::Utc;
use std::path::Path;
use std::sync::Arc;

pub fn run(path: &Path, item: &str, name: Option<&str>, untick: bool) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    // Refusals (an unknown item, not a manual one, a missing role ACK) are
    // the rule book's, in the cockpit's words; this only names the actor's role.
    let role = match pb.sources.get(item).map(|s| &s.config) {
        Some(SourceConfig::Manual(m)) => m.role.clone(),
        _ => None,
    };
    let (journal, read) = match open_journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let actor = Actor::here(name).with_role(role.as_deref());
    // The rule book decides (the cockpit's Space asks the same); a refused tick writes nothing.
    let state = crate::release::ReleaseState::from_read(&read);
    let ctx = ActContext::new(Arc::new(pb), journal, actor);
    let ticked = runtime()?.block_on(act::tick::tick(&ctx, &state, item, !untick, Utc::now()));
    match ticked {
        Ok((plan, stored)) => {
            let verb = if untick { "unticked" } else { "ticked" };
            println!(
                "{verb}: {} by {} (journal event {})",
                plan.title, ctx.actor.name, stored.id
            );
            Ok(EXIT_OK)
        }
        Err(ActError::Refused(refused)) => {
            eprintln!("liftoff: {refused}");
            Ok(EXIT_BAD_INPUT)
        }
        Err(ActError::NotRecorded(e)) => {
            eprintln!("liftoff: {e}");
            Ok(EXIT_BAD_INPUT)
        }
    }
}
