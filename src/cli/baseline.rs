//! `liftoff baseline PLAYBOOK (--check ID | --source ID [--query Q]) [--name NAME]`:
//! poll once and record the value as a named baseline in the journal.
//! Exit 0 recorded, 1 could not measure (e.g. the source is down), 2 bad input.
//! `--query` is PromQL (prometheus), a selector (scrape), SQL (sql), and on
//! every other kind a CEL expression giving the number (`count`, `json.n`).

use super::ack::unknown;
use super::status::open_journal;
use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_NOGO, EXIT_OK};
use crate::act::{self, ActContext};
use crate::baseline::{BaselineError, Origin};
use crate::expr::format_number;
use crate::journal::Actor;
use std::path::Path;
use std::sync::Arc;

pub struct Args<'a> {
    pub name: Option<&'a str>,
    pub check: Option<&'a str>,
    pub source: Option<&'a str>,
    pub query: Option<&'a str>,
    pub as_name: Option<&'a str>,
}

pub fn run(path: &Path, args: Args<'_>) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let p = &pb.playbook;
    let origin = match (args.check, args.source) {
        (Some(id), None) => {
            let ids: Vec<&str> = p.checks.iter().map(|c| c.id.as_str()).collect();
            if !ids.contains(&id) {
                eprintln!("{}", unknown("check", id, &ids, path));
                return Ok(EXIT_BAD_INPUT);
            }
            Origin::Check(id.to_string())
        }
        (None, Some(id)) => {
            let ids: Vec<&str> = p.sources.keys().map(String::as_str).collect();
            if !ids.contains(&id) {
                eprintln!("{}", unknown("source", id, &ids, path));
                return Ok(EXIT_BAD_INPUT);
            }
            Origin::Source {
                id: id.to_string(),
                query: args.query.map(str::to_string),
            }
        }
        _ => {
            eprintln!("liftoff: say where the value comes from: --check CHECK_ID, or --source SOURCE_ID [--query QUERY]");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    // The name defaults to the baseline the check compares with.
    let named = match &origin {
        Origin::Check(id) => p
            .checks
            .iter()
            .find(|c| &c.id == id)
            .and_then(|c| c.baseline.clone()),
        _ => None,
    };
    let Some(name) = args.name.map(str::to_string).or(named) else {
        eprintln!("liftoff: name the baseline with --name NAME (the check names none with `baseline = \"...\"`)");
        return Ok(EXIT_BAD_INPUT);
    };
    let (journal, _) = match open_journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let ctx = ActContext::new(Arc::new(pb), journal, Actor::here(args.as_name));
    match runtime()?.block_on(act::baseline::record(&ctx, &name, &origin, None)) {
        Ok((m, id)) => {
            let from = match &m.check {
                Some(c) => format!("check {c}, source {}", m.source),
                None => format!("source {}", m.source),
            };
            println!(
                "baseline {name} = {} recorded by {} ({from}, observed {}; journal event {id})",
                format_number(m.value),
                ctx.actor.name,
                m.observed_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            Ok(EXIT_OK)
        }
        Err(e @ (BaselineError::Measure(_) | BaselineError::NotANumber(_))) => {
            eprintln!("liftoff: baseline {name} NOT recorded: {e}");
            Ok(EXIT_NOGO)
        }
        Err(e) => {
            eprintln!("liftoff: baseline {name} NOT recorded: {e}");
            Ok(EXIT_BAD_INPUT)
        }
    }
}
