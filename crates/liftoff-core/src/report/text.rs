//! The plain-text report `liftoff check` prints: grouped by section, a symbol
//! per verdict, the evidence, the runbook line of each failing check, and what
//! holds a NO-GO.

use super::Report;
use crate::engine::gate::HoldKind;
use crate::engine::verdict::human_age;
use crate::engine::{Decision, Status};
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.playbook.name, r.playbook.path);
    for (section, criteria) in r.sections() {
        let _ = writeln!(out, "\n{section}");
        for c in criteria {
            let value = c.evidence.value.as_deref().unwrap_or("-");
            let age = c
                .evidence
                .observed_at
                .map(|t| format!(" ({} ago)", human_age(r.generated_at - t)))
                .unwrap_or_default();
            let tag = match (c.blocker, c.required) {
                (true, _) => " [blocker]",
                (false, false) => " [optional]",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {} {:<7} {}{tag}: {value}{age}",
                c.status.symbol(),
                c.status.word(),
                c.title
            );
            if c.status != Status::Pass {
                let _ = writeln!(out, "      why: {}", c.evidence.reason);
                for culprit in &c.evidence.culprits {
                    let _ = writeln!(out, "      culprit: {culprit}");
                }
                if let Some(stderr) = &c.evidence.stderr {
                    let _ = writeln!(out, "      stderr:");
                    for line in stderr.lines() {
                        let _ = writeln!(out, "        {line}");
                    }
                }
                let _ = writeln!(
                    out,
                    "      from: {}{}  condition: {}",
                    c.evidence.source,
                    c.evidence
                        .origin
                        .as_deref()
                        .map(|o| format!(" ({o})"))
                        .unwrap_or_default(),
                    c.evidence.condition
                );
                if let Some(rb) = &c.runbook {
                    let _ = writeln!(out, "      runbook: {rb}");
                }
            }
        }
    }
    if !r.acks.is_empty() {
        let _ = writeln!(out, "\nACKs");
        for a in &r.acks {
            match (&a.by, &a.missing) {
                (Some(by), None) => {
                    let _ = writeln!(out, "  ✔ {}: {by}", a.role);
                }
                (_, missing) => {
                    let _ = writeln!(
                        out,
                        "  ? {}: {}",
                        a.role,
                        missing.as_deref().unwrap_or("no ACK yet")
                    );
                }
            }
        }
    }
    let counts: Vec<String> = r
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.word()))
        .collect();
    let _ = writeln!(out, "\n{}", counts.join(", "));
    match r.decision {
        Decision::Go => {
            let _ = writeln!(out, "DECISION: GO");
        }
        Decision::NoGo => {
            let _ = writeln!(out, "DECISION: NO-GO — held back by {}:", r.holds.len());
            for h in &r.holds {
                let what = match h.kind {
                    HoldKind::Blocker => "blocker",
                    HoldKind::Check => "check",
                    HoldKind::Ack => "ACK",
                    HoldKind::Playbook => "playbook",
                };
                let status = h
                    .status
                    .map(|s| format!(" {}", s.word()))
                    .unwrap_or_default();
                let _ = writeln!(out, "  - {what} {}{status}: {}", h.id, h.reason);
            }
        }
    }
    out
}
