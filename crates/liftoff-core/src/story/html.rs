//! The story as one self-contained html file: inline CSS, inline SVG charts,
//! no script and nothing fetched from the network.

use super::markdown::{kill_word, reading_text, symbol};
use super::svg::{escape, line_chart};
use super::{Kind, Story};
use chrono::{DateTime, Utc};
use std::fmt::Write;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#1f2328;padding:0 1em}\
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.meta{color:#57606a}.kind{font-weight:600;white-space:nowrap}\
tr.override td{background:#fff8c5}tr.kill td{background:#ffebe9}tr.guard td{background:#fff1e5}tr.waiver td{background:#ddf4ff}\
.PASS{color:#1a7f37}.WARN{color:#9a6700}.FAIL{color:#cf222e}.UNKNOWN{color:#6e7781}\
.badge{display:inline-block;padding:0 .4em;border-radius:4px;background:#cf222e;color:#fff;font-weight:600}\
figure{margin:1em 0}figcaption{font-weight:600}";

fn clock(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn status_cell(status: &str, text: &str) -> String {
    let class = match status {
        "PASS" | "WARN" | "FAIL" => status,
        _ => "UNKNOWN",
    };
    format!("<td class=\"{class}\">{}</td>", escape(text))
}

pub fn html(s: &Story) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Release report: {}</title><style>{STYLE}</style></head><body>",
        escape(&s.release)
    );
    let _ = write!(o, "<h1>Release report: {}</h1>", escape(&s.release));
    let span = match (s.first, s.last) {
        (Some(a), Some(b)) => format!("{} – {} UTC", clock(a), clock(b)),
        _ => "no events".into(),
    };
    let _ = write!(
        o,
        "<p class=\"meta\">playbook <code>{}</code> (sha256 <code>{}</code>) · journal: {} events, {span} · generated {} UTC by liftoff {}</p>",
        escape(&s.playbook),
        escape(&s.sha256),
        s.events,
        clock(s.generated_at),
        env!("CARGO_PKG_VERSION")
    );

    let e = &s.end;
    o.push_str("<h2>Summary</h2><ul>");
    let stage = match (&e.stage, &e.halted_from) {
        (Some(st), _) => format!("{} ({}%)", st.name, crate::expr::format_number(st.percent)),
        (None, Some(h)) => format!("halted (was at {})", h.name),
        _ => "not started".into(),
    };
    let _ = write!(o, "<li>final stage: {}</li>", escape(&stage));
    let _ = write!(o, "<li>kill switch: {}</li>", escape(&kill_word(&e.kill)));
    if let Some(d) = s.decisions.last() {
        let _ = write!(
            o,
            "<li>last decision: {}{} by {} at {} UTC</li>",
            escape(&d.outcome),
            if d.overridden {
                " <span class=\"badge\">OVERRIDE</span>"
            } else {
                ""
            },
            escape(&d.by),
            clock(d.at)
        );
    }
    let _ = write!(
        o,
        "<li>overrides: {}</li><li>waivers: {}</li></ul>",
        e.overrides.len(),
        e.waivers.len()
    );

    o.push_str("<h2>Metrics over time</h2>");
    let (from, to) = (
        s.snapshots.first().map(|x| x.at).or(s.first),
        s.snapshots.last().map(|x| x.at).or(s.last),
    );
    let mut charts = 0;
    if let (Some(from), Some(to)) = (from, to) {
        for (id, title) in &s.checks {
            let points = s.series(id);
            if points.is_empty() {
                continue;
            }
            charts += 1;
            let _ = write!(
                o,
                "<figure><figcaption>{} <span class=\"meta\">({})</span></figcaption>{}</figure>",
                escape(title),
                escape(id),
                line_chart(title, &points, from, to)
            );
        }
    }
    if charts == 0 {
        o.push_str("<p>No numeric readings were recorded by decision points or decisions.</p>");
    }
    if !s.snapshots.is_empty() {
        o.push_str("<table><tr><th>time (UTC)</th><th>when</th><th>gate</th>");
        for (id, _) in &s.checks {
            let _ = write!(o, "<th>{}</th>", escape(id));
        }
        o.push_str("</tr>");
        for snap in &s.snapshots {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td>{}",
                clock(snap.at),
                escape(&snap.label),
                status_cell(if snap.gate == "GO" { "PASS" } else { "FAIL" }, &snap.gate)
            );
            for (id, _) in &s.checks {
                match snap.checks.get(id) {
                    Some(seen) => {
                        let mut text = reading_text(seen);
                        if let Some(w) = s.waived_at(id, snap.at) {
                            text.push_str(&format!(" (WAIVED by {})", w.by));
                        }
                        o.push_str(&status_cell(&seen.status, &text))
                    }
                    None => o.push_str("<td></td>"),
                }
            }
            o.push_str("</tr>");
        }
        o.push_str("</table>");
    }

    o.push_str("<h2>Timeline</h2><table><tr><th>time (UTC)</th><th></th><th>what</th><th>who</th><th>event</th></tr>");
    for t in &s.timeline {
        let class = match t.kind {
            Kind::Override => "override",
            Kind::Kill => "kill",
            Kind::Guard => "guard",
            Kind::Waiver => "waiver",
            _ => "",
        };
        let _ = write!(
            o,
            "<tr class=\"{class}\"><td>{}</td><td class=\"kind\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            clock(t.at),
            t.kind.word(),
            escape(&t.text),
            escape(&t.who),
            t.id
        );
    }
    o.push_str("</table>");

    o.push_str("<h2>Decisions</h2>");
    if s.decisions.is_empty() {
        o.push_str("<p>No decision was recorded.</p>");
    }
    for d in &s.decisions {
        let _ = write!(
            o,
            "<h3>{} UTC: {}{} by {}</h3><ul><li>gate: {}</li><li>justification: {}</li>",
            clock(d.at),
            escape(&d.outcome),
            if d.overridden {
                format!(
                    " <span class=\"badge\">OVERRIDE of a {} gate</span>",
                    escape(&d.gate)
                )
            } else {
                String::new()
            },
            escape(&d.by),
            escape(&d.gate),
            escape(&d.justification)
        );
        if !d.holds.is_empty() {
            let _ = write!(o, "<li>held by: {}</li>", escape(&d.holds.join("; ")));
        }
        if let Some(r) = &d.record {
            let _ = write!(o, "<li>record: <code>{}</code></li>", escape(r));
        }
        o.push_str("</ul>");
        if !d.evidence.is_empty() {
            o.push_str("<table><tr><th>check</th><th>status</th><th>value</th><th>why</th></tr>");
            for (id, seen) in &d.evidence {
                let _ = write!(
                    o,
                    "<tr><td>{}</td>{}<td>{}</td><td>{}</td></tr>",
                    escape(id),
                    status_cell(
                        &seen.status,
                        &format!("{} {}", symbol(&seen.status), seen.status)
                    ),
                    escape(seen.value.as_deref().unwrap_or("")),
                    escape(&seen.reason)
                );
            }
            o.push_str("</table>");
        }
    }

    o.push_str("<h2>Overrides</h2>");
    list(
        &mut o,
        e.overrides.iter().map(|x| {
            format!(
                "{} UTC, {}: {} — “{}”",
                clock(x.at),
                x.by,
                x.what,
                x.justification
            )
        }),
    );
    o.push_str("<h2>Waivers</h2>");
    list(
        &mut o,
        e.waivers.iter().map(|w| {
            format!(
                "{} UTC: {} waived by {} ({}) until {} UTC — “{}”",
                clock(w.at),
                w.check,
                w.by,
                w.role,
                clock(w.until),
                w.justification
            )
        }),
    );
    o.push_str("</body></html>\n");
    o
}

fn list(o: &mut String, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        o.push_str("<p>None.</p>");
        return;
    }
    o.push_str("<ul>");
    for i in items {
        let _ = write!(o, "<li>{}</li>", escape(&i));
    }
    o.push_str("</ul>");
}
