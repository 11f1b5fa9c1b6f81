//! Baselines in a playbook: a stage's `record_baselines` must name a baseline
//! some check or guard compares with; a condition that reads `baseline` must
//! name which one; a manual source has no value to take a baseline of.

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
    let manual = |source: &str| {
        pb.sources
            .get(source)
            .is_some_and(|s| s.kind == Some(SourceKind::Manual))
    };
    for (i, c) in pb.checks.iter().enumerate() {
        let conditions = [("pass", Some(c.pass.as_str())), ("warn", c.warn.as_deref())];
        reads_baseline(f, &format!("check.{i}"), &c.baseline, &conditions);
        if c.baseline.is_some() && manual(&c.source) {
            f.at(
                format!("check.{i}.baseline"),
                "a manual item has no value to take a baseline of",
                Some("remove `baseline`, or compare a check on a measured source".into()),
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
