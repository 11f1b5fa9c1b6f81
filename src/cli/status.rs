//! `liftoff status PLAYBOOK [--format text|json]`: the release as the journal
//! tells it (stage and countdown, ACKs, kill switch, last decision). Exit 0.

use super::{load_or_report, StatusFormat, EXIT_BAD_INPUT, EXIT_OK};
use crate::engine::AckStatus;
use crate::expr::format_number;
use crate::journal::{self, JournalError, ReadAll, SharedJournal};
use crate::playbook::LoadedPlaybook;
use crate::release::{self, KillState, ReleaseState, StatusReport};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::time::Duration;

/// The playbook's journal and everything in it, or exit 2 with why.
pub(crate) fn open_journal(pb: &LoadedPlaybook) -> Result<(SharedJournal, ReadAll), u8> {
    let fail = |e: JournalError| {
        eprintln!("liftoff: {e}");
        EXIT_BAD_INPUT
    };
    let journal = journal::open(&pb.journal_config()).map_err(fail)?;
    let read = journal.read_all().map_err(fail)?;
    for w in &read.warnings {
        eprintln!("warning: {w}");
    }
    Ok((journal, read))
}

pub fn run(path: &Path, format: StatusFormat) -> color_eyre::Result<u8> {
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let (journal, read) = match open_journal(&pb) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let mut state = ReleaseState::from_read(&read);
    // Kill switch records still in the local spool (the journal could not
    // take them, and this reader could not write them): they count, so a
    // verified kill never shows as ARMED.
    let spool = journal::spool::Spool::new(journal::file::spool_in(&pb.audit_dir()));
    for kept in spool.waiting() {
        state.apply(&kept);
    }
    let now = Utc::now();
    let status = release::status_report(&pb, journal.describe(), &state, now);
    match format {
        StatusFormat::Json => println!("{}", serde_json::to_string_pretty(&status)?),
        StatusFormat::Text => print!("{}", text(&status, now)),
    }
    Ok(EXIT_OK)
}

fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = (now - at).to_std().unwrap_or_default();
    format!("{} ago", short(d))
}

fn short(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

fn acks_text(out: &mut String, title: &str, acks: &[AckStatus], now: DateTime<Utc>) {
    if acks.is_empty() {
        return;
    }
    out.push_str(&format!("{title}\n"));
    for a in acks {
        match (&a.by, a.at, &a.missing) {
            (Some(by), Some(at), None) => {
                out.push_str(&format!("  ✔ {:<12} {by}, {}\n", a.role, ago(at, now)))
            }
            _ => out.push_str(&format!(
                "  ✖ {:<12} {}\n",
                a.role,
                a.missing.as_deref().unwrap_or("no ACK yet")
            )),
        }
    }
}

fn text(s: &StatusReport, now: DateTime<Utc>) -> String {
    let st = s.state;
    let mut out = format!(
        "release: {}\njournal: {} ({} events)\n",
        s.release, s.journal, st.events
    );
    match (&st.stage, &s.countdown) {
        (Some(stage), Some(c)) => {
            out.push_str(&format!(
                "stage:   {} ({}%), entered {}",
                stage.name,
                format_number(stage.percent),
                ago(stage.entered_at, now)
            ));
            if let Some(left) = c.hold_left {
                out.push_str(&if left.is_zero() {
                    "; hold over".to_string()
                } else {
                    format!("; hold {} left", short(left))
                });
            }
            if let Some(n) = &c.next_decision_point {
                out.push_str(&format!(
                    "; decision point T+{} {}",
                    short(n.offset),
                    if n.left.is_zero() {
                        "due".to_string()
                    } else {
                        format!("in {}", short(n.left))
                    }
                ));
            }
            out.push('\n');
        }
        _ => out.push_str("stage:   not started\n"),
    }
    if let Some(w) = &s.whereabouts {
        out.push_str(&format!("world:   {}\nnext:    {}\n", w.proven, w.next));
    }
    out.push_str(&match (&s.sees.stage, s.sees.percent) {
        (Some(stage), Some(p)) => format!(
            "checks see: stage = \"{stage}\", percent = {}\n",
            format_number(p)
        ),
        _ => "checks see: no stage (`stage` and `percent` are UNKNOWN)\n".to_string(),
    });
    out.push_str(&format!("kill:    {}\n", kill_text(&st.kill, now)));
    for (id, k) in &st.rollbacks {
        out.push_str(&format!("rollback {id}: {}\n", kill_text(k, now)));
    }
    if let Some(alarm) = &st.alarm {
        out.push_str(&format!("ALARM:   {alarm} (unanswered)\n"));
    }
    match &st.last_decision {
        Some(d) => out.push_str(&format!(
            "decision: {} by {}, {}{}\n",
            d.decision,
            d.by,
            ago(d.at, now),
            d.justification
                .as_deref()
                .map(|j| format!(": {j}"))
                .unwrap_or_default()
        )),
        None => out.push_str("decision: none recorded\n"),
    }
    if let Some(o) = st.last_outcome.as_ref().filter(|o| o.overridden) {
        out.push_str(&format!(
            "OVERRIDE: decision {} by {} while the gate was {}\n",
            o.outcome.to_uppercase(),
            o.by,
            o.gate
        ));
    }
    for w in crate::release::active_waivers(st, now) {
        out.push_str(&format!("waiver {}: {}\n", w.check, w.describe()));
    }
    for o in &st.overrides {
        out.push_str(&format!(
            "override {} by {}: {} ({})\n",
            o.at.format("%H:%M:%S"),
            o.by,
            o.what,
            o.justification
        ));
    }
    acks_text(&mut out, "ACKs for the Go decision:", &s.go_acks, now);
    if let Some(n) = &s.next_stage {
        let title = format!(
            "ACKs to enter stage {} ({}%):",
            n.name,
            format_number(n.percent)
        );
        acks_text(&mut out, &title, &n.acks, now);
    }
    for (item, m) in &st.manual {
        let mark = if m.checked {
            "✔ ticked"
        } else {
            "✖ unticked"
        };
        let who = m.by.as_deref().unwrap_or("?");
        out.push_str(&format!("manual {item}: {mark} by {who}\n"));
    }
    for (name, b) in &st.baseline_records {
        let from = b
            .check
            .as_deref()
            .map(|c| format!(" from check {c}"))
            .or_else(|| b.source.as_deref().map(|s| format!(" from source {s}")))
            .unwrap_or_default();
        out.push_str(&format!(
            "baseline {name} = {} by {}{from}, {}\n",
            format_number(b.value),
            b.by,
            ago(b.at, now)
        ));
    }
    if let Some(last) = &st.last_notify_failure {
        out.push_str(&format!(
            "notifications: {} failed; last: {last}\n",
            st.notify_failures
        ));
    }
    for w in &st.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

fn kill_text(k: &KillState, now: DateTime<Utc>) -> String {
    match k {
        KillState::Ready => "ARMED (not fired)".into(),
        KillState::Firing { since } => format!("FIRING since {}", ago(*since, now)),
        KillState::Halted { at, took_ms } => format!(
            "HALTED (verified {}, took {})",
            ago(*at, now),
            humantime::format_duration(Duration::from_millis(*took_ms))
        ),
        KillState::Failed { at, why } => format!("FAILED {}: {why}", ago(*at, now)),
    }
}
