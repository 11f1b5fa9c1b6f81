//! `/status`: the JSON of `liftoff status --format json` (the same builder,
//! `release::status_report`), plus what only a running supervisor knows: the
//! gate, every check's verdict with its evidence (redacted at the source),
//! the guards and the sources' health.

use super::view::{Context, GuardView, SourceView, View};
use crate::engine::{GateDecision, Verdict};
use crate::release::{self, StatusReport};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Body<'a> {
    #[serde(flatten)]
    status: StatusReport<'a>,
    gate: &'a GateDecision,
    verdicts: &'a [Verdict],
    guards: &'a BTreeMap<String, GuardView>,
    sources: &'a BTreeMap<String, SourceView>,
}

/// The `/status` document of `view` (its `generated_at` is the assessment's time).
pub fn render(ctx: &Context, view: &View) -> serde_json::Result<String> {
    let body = Body {
        status: release::status_report(&ctx.pb, ctx.journal.clone(), &view.release, view.at),
        gate: &view.gate,
        verdicts: &view.verdicts,
        guards: &view.guards,
        sources: &view.sources,
    };
    serde_json::to_string_pretty(&body)
}
