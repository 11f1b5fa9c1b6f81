//! The story as Markdown: for a post-incident review document or a ticket.

use super::{CriterionReading, Kind, Story};
use chrono::{DateTime, Utc};
use std::fmt::Write;

fn clock(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A table cell: pipes and newlines would break the row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn symbol(status: &str) -> &'static str {
    match status {
        "PASS" => "✔",
        "WARN" => "!",
        "FAIL" => "✖",
        _ => "?",
    }
}

pub(super) fn reading_text(s: &CriterionReading) -> String {
    match &s.value {
        Some(v) => format!("{} {} {v}", symbol(&s.status), s.status),
        None => format!("{} {}", symbol(&s.status), s.status),
    }
}

pub fn markdown(s: &Story) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Release report: {}\n", s.release);
    let span = match (s.first, s.last) {
        (Some(a), Some(b)) => format!("{} – {} UTC", clock(a), clock(b)),
        _ => "no events".into(),
    };
    let _ = writeln!(out, "- playbook: `{}` (sha256 `{}`)", s.playbook, &s.sha256);
    let _ = writeln!(out, "- journal: {} events, {span}", s.events);
    let _ = writeln!(
        out,
        "- generated: {} UTC by liftoff {}\n",
        clock(s.generated_at),
        env!("CARGO_PKG_VERSION")
    );

    out.push_str("## Summary\n\n");
    let e = &s.end;
    let stage = match (&e.stage, &e.halted_from) {
        (Some(st), _) => format!("{} ({}%)", st.name, crate::expr::format_number(st.percent)),
        (None, Some(h)) => format!("halted (was at {})", h.name),
        _ => "not started".into(),
    };
    let _ = writeln!(out, "- final stage: {stage}");
    let _ = writeln!(out, "- kill switch: {}", kill_word(&e.kill));
    if let Some(d) = s.decisions.last() {
        let _ = writeln!(
            out,
            "- last decision: {}{} by {} at {} UTC",
            d.outcome,
            if d.overridden { " (OVERRIDE)" } else { "" },
            d.by,
            clock(d.at)
        );
    }
    let _ = writeln!(out, "- overrides: {}", e.overrides.len());
    let _ = writeln!(out, "- waivers: {}\n", e.waivers.len());

    out.push_str("## Timeline\n\n| time (UTC) | what | who | event |\n| --- | --- | --- | --- |\n");
    for t in &s.timeline {
        let mark = match t.kind {
            Kind::Override => "**OVERRIDE** ",
            Kind::Kill => "**KILL** ",
            Kind::Guard => "**GUARD** ",
            Kind::Waiver => "**WAIVER** ",
            _ => "",
        };
        let _ = writeln!(
            out,
            "| {} | {mark}{} | {} | {} |",
            clock(t.at),
            cell(&t.text),
            cell(&t.who),
            t.id
        );
    }

    section(
        &mut out,
        "\n## Decisions\n\n",
        &s.decisions,
        "No decision was recorded.\n",
        |out, d| decision(out, s, d),
    );
    section(
        &mut out,
        "## Overrides\n\n",
        &e.overrides,
        "None.\n",
        |out, o| {
            let _ = writeln!(
                out,
                "- {} UTC, {}: {} — “{}”",
                clock(o.at),
                o.by,
                o.what,
                o.justification
            );
        },
    );
    section(
        &mut out,
        "\n## Waivers\n\n",
        &e.waivers,
        "None.\n",
        |out, w| {
            let _ = writeln!(
                out,
                "- {} UTC: {} waived by {} ({}) until {} UTC — “{}”",
                clock(w.at),
                w.check,
                w.by,
                w.role,
                clock(w.until),
                w.justification
            );
        },
    );

    out.push_str("\n## Metrics over time\n\nEvery check as each decision point and decision recorded it.\n\n");
    if s.snapshots.is_empty() {
        out.push_str("No decision point or decision recorded the checks.\n");
    } else {
        out.push_str("| time (UTC) | when | gate |");
        for (id, _) in &s.checks {
            let _ = write!(out, " {id} |");
        }
        out.push_str("\n| --- | --- | --- |");
        for _ in &s.checks {
            out.push_str(" --- |");
        }
        out.push('\n');
        for snap in &s.snapshots {
            let _ = write!(
                out,
                "| {} | {} | {} |",
                clock(snap.at),
                cell(&snap.label),
                snap.gate
            );
            for (id, _) in &s.checks {
                let mut v = snap.checks.get(id).map(reading_text).unwrap_or_default();
                if let Some(w) = s.waived_at(id, snap.at) {
                    v.push_str(&format!(" (WAIVED by {})", w.by));
                }
                let _ = write!(out, " {} |", cell(&v));
            }
            out.push('\n');
        }
    }
    out
}

pub(super) fn kill_word(k: &crate::release::KillState) -> String {
    use crate::release::KillState;
    match k {
        KillState::Ready => "armed, not fired".into(),
        KillState::Firing { since } => format!("FIRING since {} UTC", clock(*since)),
        KillState::Halted { at, took_ms } => {
            format!("HALTED, verified at {} UTC in {took_ms} ms", clock(*at))
        }
        KillState::Failed { at, why } => format!("FAILED at {} UTC: {why}", clock(*at)),
    }
}

/// A heading, `none` when there is nothing, else one entry per item.
fn section<T>(
    out: &mut String,
    heading: &str,
    items: &[T],
    none: &str,
    mut entry: impl FnMut(&mut String, &T),
) {
    out.push_str(heading);
    if items.is_empty() {
        out.push_str(none);
    }
    for item in items {
        entry(out, item);
    }
}

/// One decision: outcome, gate, justification, what held it, its evidence.
fn decision(out: &mut String, s: &Story, d: &super::DecisionStory) {
    let _ = writeln!(
        out,
        "### {} UTC: {}{} by {}\n",
        clock(d.at),
        d.outcome,
        if d.overridden {
            format!(" — OVERRIDE of a {} gate", d.gate)
        } else {
            String::new()
        },
        d.by
    );
    let _ = writeln!(out, "- gate: {}", d.gate);
    let _ = writeln!(out, "- justification: {}", d.justification);
    if !d.holds.is_empty() {
        let _ = writeln!(out, "- held by: {}", d.holds.join("; "));
    }
    if let Some(r) = &d.record {
        let _ = writeln!(out, "- record: `{r}`");
    }
    if !d.evidence.is_empty() {
        out.push_str("\n| check | status | value | why |\n| --- | --- | --- | --- |\n");
        for (id, seen) in &d.evidence {
            let waived = s
                .waived_at(id, d.at)
                .map(|w| {
                    format!(
                        " (WAIVED by {} until {} UTC)",
                        w.by,
                        w.until.format("%H:%M")
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {id} | {} {}{waived} | {} | {} |",
                symbol(&seen.status),
                seen.status,
                cell(seen.value.as_deref().unwrap_or("")),
                cell(&seen.reason)
            );
        }
    }
    out.push('\n');
}
