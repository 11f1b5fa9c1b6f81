//! `liftoff ack PLAYBOOK --role ROLE [--as NAME] [--comment TEXT]`: record an
//! ACK in the journal; exit 0 recorded, 2 bad input.

use super::{load_or_report, EXIT_BAD_INPUT, EXIT_OK};
use crate::journal::event::Ack;
use crate::journal::{self, Actor, Event, NewEvent};
use crate::playbook::suggest;
use crate::release::{self, ReleaseState};
use std::path::Path;

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
    let (journal, read) = match journal::open(&pb).and_then(|j| Ok((j.read_all()?, j))) {
        Ok((read, j)) => (j, read),
        Err(e) => {
            eprintln!("liftoff: ACK NOT recorded: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    for w in &read.warnings {
        eprintln!("warning: {w}");
    }
    let mut state = ReleaseState::from_read(&read);
    let actor = Actor::here(name).with_role(Some(role));
    let event = Event::Ack(Ack {
        role: role.to_string(),
        comment,
        stage: state.stage.as_ref().map(|s| s.name.clone()),
    });
    let stored = match journal.append(NewEvent::new(&actor, &event)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("liftoff: ACK NOT recorded: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let at_stage = match &state.stage {
        Some(s) => format!(" at stage {}", s.name),
        None => " (before the ramp)".into(),
    };
    println!(
        "ACK recorded: {role} by {}{at_stage} (journal event {})",
        actor.name, stored.id
    );
    // Say so when the ACK will not count (e.g. the same person holds another role).
    state.apply(&stored);
    let all: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    let statuses = release::ack_status(&pb.playbook, &state, &all, stored.at);
    let mine = statuses.iter().find(|s| s.role == role);
    if mine.and_then(|s| s.by.as_deref()) != Some(actor.name.as_str()) {
        let why = mine
            .and_then(|s| s.missing.clone())
            .or_else(|| {
                statuses
                    .iter()
                    .find(|s| s.role != role && s.by.as_deref() == Some(actor.name.as_str()))
                    .map(|o| format!("{} already holds {} (distinct_roles)", actor.name, o.role))
            })
            .unwrap_or_else(|| "see `liftoff status`".into());
        eprintln!("note: this ACK does not count: {why}");
    }
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
