//! `/metrics`: the release in the Prometheus text exposition format (0.0.4),
//! so the team's own Prometheus, Grafana and Alertmanager see it. A pure
//! function of one view: every family has HELP and TYPE lines, label values
//! are escaped, and a state family says 1 for the current state and 0 for
//! the others (so `liftoff_check_status{status="FAIL"} == 1` alerts).

use super::view::{Context, View};
use crate::engine::{Decision, Status};
use crate::release::KillState;
use std::fmt::Write;

/// The content type Prometheus expects for this format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const CHECK_STATUSES: [Status; 4] = [Status::Pass, Status::Warn, Status::Fail, Status::Unknown];
const KILL_STATES: [&str; 4] = ["READY", "FIRING", "HALTED", "FAILED"];

/// The exposition text of `view`.
pub fn render(ctx: &Context, view: &View) -> String {
    let mut out = String::with_capacity(256 + view.verdicts.len() * 400);
    let pb = &ctx.pb;

    family(
        &mut out,
        "liftoff_release_info",
        "gauge",
        "Always 1; the release's name and where its journal lives, as labels.",
    );
    sample(
        &mut out,
        "liftoff_release_info",
        &[("release", pb.name()), ("journal", &ctx.journal)],
        1.0,
    );

    family(
        &mut out,
        "liftoff_gate_go",
        "gauge",
        "The Go/No-Go gate: 1 GO, 0 NO-GO (fail-closed: a required UNKNOWN is NO-GO).",
    );
    let go = matches!(view.gate.decision, Decision::Go);
    sample(&mut out, "liftoff_gate_go", &[], if go { 1.0 } else { 0.0 });

    family(
        &mut out,
        "liftoff_gate_holds",
        "gauge",
        "How many things hold the gate at NO-GO (checks, blockers, missing ACKs).",
    );
    sample(
        &mut out,
        "liftoff_gate_holds",
        &[],
        view.gate.holds.len() as f64,
    );

    family(
        &mut out,
        "liftoff_check_status",
        "gauge",
        "A check's verdict: 1 for its current status, 0 for the others.",
    );
    for v in &view.verdicts {
        let section = pb
            .checks
            .iter()
            .find(|c| c.spec.id == v.check)
            .map(|c| c.spec.section())
            .unwrap_or_default();
        for s in CHECK_STATUSES {
            let labels = [
                ("check", v.check.as_str()),
                ("section", section),
                ("status", s.word()),
            ];
            sample(
                &mut out,
                "liftoff_check_status",
                &labels,
                flag(v.status == s),
            );
        }
    }

    family(
        &mut out,
        "liftoff_stage_percent",
        "gauge",
        "The traffic share of the ramp stage entered last (read back); 0 before the ramp starts.",
    );
    let percent = view
        .release
        .stage
        .as_ref()
        .map(|s| s.percent)
        .unwrap_or(0.0);
    sample(&mut out, "liftoff_stage_percent", &[], percent);
    if let Some(stage) = &view.release.stage {
        family(
            &mut out,
            "liftoff_stage_info",
            "gauge",
            "Always 1; the ramp stage entered last, as a label.",
        );
        sample(
            &mut out,
            "liftoff_stage_info",
            &[("stage", &stage.name)],
            1.0,
        );
    }

    family(
        &mut out,
        "liftoff_kill_switch_state",
        "gauge",
        "The kill switch as the journal proves it: 1 for the current state, 0 for the others.",
    );
    let current = kill_word(&view.kill);
    for state in KILL_STATES {
        sample(
            &mut out,
            "liftoff_kill_switch_state",
            &[("state", state)],
            flag(state == current),
        );
    }

    family(
        &mut out,
        "liftoff_guard_value",
        "gauge",
        "The value a guard watches, when it is a number (absent while unknown).",
    );
    for (id, g) in &view.guards {
        if let Some(n) = g.value {
            sample(&mut out, "liftoff_guard_value", &[("guard", id)], n);
        }
    }
    family(
        &mut out,
        "liftoff_guard_tripping",
        "gauge",
        "1 while a guard's trip condition holds, 0 while it is clear (absent while unknown).",
    );
    for (id, g) in &view.guards {
        if let Some(t) = g.tripping {
            sample(
                &mut out,
                "liftoff_guard_tripping",
                &[("guard", id)],
                flag(t),
            );
        }
    }

    family(
        &mut out,
        "liftoff_source_up",
        "gauge",
        "1 when the source's last poll brought data, 0 when it failed or has not answered yet.",
    );
    for (id, s) in &view.sources {
        sample(
            &mut out,
            "liftoff_source_up",
            &[("source", id)],
            flag(s.up == Some(true)),
        );
    }
    family(&mut out, "liftoff_source_last_success_timestamp_seconds", "gauge",
        "When the source's last poll that brought data finished (Unix time; absent before one did).");
    for (id, s) in &view.sources {
        if let Some(at) = s.last_success {
            let secs = at.timestamp_millis() as f64 / 1000.0;
            sample(
                &mut out,
                "liftoff_source_last_success_timestamp_seconds",
                &[("source", id)],
                secs,
            );
        }
    }

    family(
        &mut out,
        "liftoff_journal_events",
        "gauge",
        "How many journal events the release state was folded from.",
    );
    sample(
        &mut out,
        "liftoff_journal_events",
        &[],
        view.release.events as f64,
    );
    family(
        &mut out,
        "liftoff_assessed_timestamp_seconds",
        "gauge",
        "When this assessment was made (Unix time): a stale value means a stuck supervisor.",
    );
    sample(
        &mut out,
        "liftoff_assessed_timestamp_seconds",
        &[],
        view.at.timestamp_millis() as f64 / 1000.0,
    );
    out
}

/// The supervisor's kill state in the words of `liftoff_kill_switch_state`.
/// ARMED lives only in one cockpit's keyboard: the release is then READY.
fn kill_word(k: &KillState) -> &'static str {
    match k {
        KillState::Ready => "READY",
        KillState::Firing { .. } => "FIRING",
        KillState::Halted { .. } => "HALTED",
        KillState::Failed { .. } => "FAILED",
    }
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}=\"{}\"", escape_label(v));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {}", number(value));
}

/// Label values: backslash, double quote and line feed escaped.
pub fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// HELP text: backslash and line feed escaped.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Go's float syntax as Prometheus parses it (`NaN`, `+Inf`, `-Inf`).
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests;
