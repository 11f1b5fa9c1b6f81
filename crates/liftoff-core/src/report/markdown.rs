//! The report as Markdown, for pasting into a ticket or a chat channel.

use super::Report;
use crate::engine::Decision;
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: **{}**\n", r.playbook.name, r.decision.word());
    let _ = writeln!(
        out,
        "_{} · liftoff {} · {} · playbook sha256 `{}`_\n",
        r.generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        r.liftoff_version,
        r.host,
        &r.playbook.sha256[..12.min(r.playbook.sha256.len())]
    );
    for (section, criteria) in r.sections() {
        let _ = writeln!(out, "## {section}\n");
        let _ = writeln!(out, "| | check | value | evidence |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in criteria {
            let mut evidence = c.evidence.reason.clone();
            for culprit in &c.evidence.culprits {
                evidence.push_str(&format!(" — culprit: {culprit}"));
            }
            if let Some(stderr) = &c.evidence.stderr {
                // A table cell is one line: lines become <br>, code keeps spaces.
                let lines: Vec<String> = stderr
                    .lines()
                    .map(|l| format!("`{}`", l.replace('`', "'")))
                    .collect();
                evidence.push_str(&format!(" — stderr:<br>{}", lines.join("<br>")));
            }
            if let Some(rb) = c
                .runbook
                .as_ref()
                .filter(|_| c.status != crate::engine::Status::Pass)
            {
                evidence.push_str(&format!(" — runbook: {rb}"));
            }
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} |",
                c.status.symbol(),
                c.status.word(),
                cell(&c.title),
                cell(c.evidence.value.as_deref().unwrap_or("-")),
                cell(&evidence)
            );
        }
        out.push('\n');
    }
    if r.decision == Decision::NoGo {
        let _ = writeln!(out, "## Holding the release\n");
        for h in &r.holds {
            let _ = writeln!(out, "- **{}**: {}", h.id, cell(&h.reason));
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
