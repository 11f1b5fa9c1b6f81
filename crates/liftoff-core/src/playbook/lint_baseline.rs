//! Baselines in a playbook: a stage's `record_baselines` must name a baseline
//! some check or guard compares with; a condition that reads `baseline` must
//! name which one; a manual source has no value to take a baseline of; a
//! source that gives many values (objects, files, alerts) needs a `query`
//! expression saying which number is the baseline.

use super::error::suggest;
use super::types::*;
use super::validate::Findings;
use std::collections::BTreeSet;

pub(super) fn baselines(f: &mut Findings, pb: &Playbook) {
    let named: BTreeSet<&str> = pb
        .checks
        .iter()
        .filter_map(|c| c.baseline.as_deref())
        .chain(pb.guards.iter().filter_map(|g| g.baseline.as_deref()))
        .collect();
    let kind = |source: &str| pb.sources.get(source).and_then(|s| s.kind);
    for (i, c) in pb.checks.iter().enumerate() {
        let conditions = [("pass", Some(c.pass.as_str())), ("warn", c.warn.as_deref())];
        reads_baseline(f, &format!("check.{i}"), &c.baseline, &conditions);
        if c.baseline.is_some() {
            takeable(
                f,
                &format!("check.{i}"),
                kind(&c.source),
                c.query.as_deref(),
            );
        }
    }
    for (i, g) in pb.guards.iter().enumerate() {
        reads_baseline(
            f,
            &format!("guard.{i}"),
            &g.baseline,
            &[("trip", Some(g.trip.as_str()))],
        );
        if g.baseline.is_some() {
            takeable(
                f,
                &format!("guard.{i}"),
                kind(&g.source),
                g.query.as_deref(),
            );
        }
    }
    let Some(ramp) = &pb.ramp else {
        return;
    };
    for (i, st) in ramp.stages.iter().enumerate() {
        for (j, name) in st.record_baselines.iter().enumerate() {
            if named.contains(name.as_str()) {
                continue;
            }
            let hint = match suggest(name, named.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!(
                    "name it on the check that compares with it: baseline = \"{name}\" (its value is what gets recorded)"
                ),
            };
            f.at(
                format!("ramp.stage.{i}.record_baselines.{j}"),
                format!("no check or guard names baseline \"{name}\""),
                Some(hint),
            );
        }
    }
}

/// Whether a baseline can be taken from a source of `kind` with `query`
/// (see `baseline::measure`): prometheus, scrape and sql give `value`; a
/// command or http endpoint its output when that is one number, or the
/// `query` expression; other kinds only the `query` expression.
fn takeable(f: &mut Findings, path: &str, kind: Option<SourceKind>, query: Option<&str>) {
    let Some(kind) = kind else { return };
    match (kind, query) {
        (SourceKind::Manual, _) => f.at(
            format!("{path}.baseline"),
            "a manual item has no value to take a baseline of",
            Some("remove `baseline`, or compare a check on a measured source".into()),
        ),
        (SourceKind::Prometheus | SourceKind::Scrape | SourceKind::Sql, _) => {}
        (SourceKind::Command | SourceKind::Http, None) => {}
        (_, None) => f.at(
            format!("{path}.baseline"),
            format!(
                "a source of kind {} gives many values, so the baseline needs a `query` expression saying which number to record",
                kind.name()
            ),
            Some(match kind {
                SourceKind::Artifacts => "add e.g. query = \"newest.json.score\" (or \"count\")".into(),
                _ => "add e.g. query = \"count\"".into(),
            }),
        ),
        (_, Some(q)) => {
            if let Err(e) = crate::expr::compile(q) {
                f.at(
                    format!("{path}.query"),
                    format!("the baseline's query expression does not compile: {e}"),
                    Some("on this source kind `query` is a CEL expression giving a number, e.g. query = \"json.candidates\"".into()),
                );
            }
        }
    }
}

/// `value >= baseline * 0.95` with no `baseline = "..."` beside it would be
/// UNKNOWN forever: say so at load.
fn reads_baseline(
    f: &mut Findings,
    path: &str,
    baseline: &Option<String>,
    conditions: &[(&str, Option<&str>)],
) {
    if baseline.is_some() {
        return;
    }
    let reads = conditions.iter().find(|(_, text)| {
        text.is_some_and(|t| {
            crate::expr::compile(t).is_ok_and(|e| e.variables().iter().any(|v| v == "baseline"))
        })
    });
    if let Some((key, _)) = reads {
        f.at(
            format!("{path}.{key}"),
            "the condition reads `baseline` but names no baseline",
            Some("add baseline = \"NAME\" beside it and record it (liftoff baseline PLAYBOOK --check ID, or record_baselines on a stage)".into()),
        );
    }
}
