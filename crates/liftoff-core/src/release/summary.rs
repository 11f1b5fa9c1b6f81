//! One line per journal event, as the journal panel and `liftoff status` show it.

use crate::expr::format_number;
use crate::journal::{Actor, Event};

pub(super) fn actor_label(a: &Actor) -> String {
    match &a.role {
        Some(role) => format!("{} ({role})", a.name),
        None => a.name.clone(),
    }
}

fn with(text: String, extra: &Option<String>, sep: &str) -> String {
    match extra.as_deref().filter(|s| !s.is_empty()) {
        Some(x) => format!("{text}{sep}{x}"),
        None => text,
    }
}

fn secs(ms: u64) -> String {
    humantime::format_duration(std::time::Duration::from_millis(ms)).to_string()
}

pub fn summary(e: &Event) -> String {
    match e {
        Event::Ack(a) => {
            let stage = a
                .stage
                .as_deref()
                .map(|s| format!(" at stage {s}"))
                .unwrap_or_default();
            with(format!("ACK {}{stage}", a.role), &a.comment, ": ")
        }
        Event::Decision(d) => with(format!("decision {}", d.decision), &d.justification, ": "),
        Event::StageEntered(s) => {
            let how = if s.verified {
                format!("read back in {}", secs(s.took_ms))
            } else {
                "no readback configured".into()
            };
            let verb = if s.back { "stepped back to" } else { "entered" };
            format!(
                "{verb} stage {} ({}%), {how}",
                s.name,
                format_number(s.percent)
            )
        }
        Event::StageFailed(s) => format!("stage {} NOT entered: {}", s.name, s.why),
        Event::DecisionPoint(d) => format!(
            "decision point T+{} at {}: {}",
            secs(d.offset_ms),
            d.stage,
            d.decision
        ),
        Event::GuardTripped(g) => {
            format!("guard {} tripped ({}): {}", g.guard, g.on_trip, g.reason)
        }
        Event::AlarmAnswered(a) => with(
            format!(
                "alarm answered{}",
                a.guard
                    .as_deref()
                    .map(|g| format!(" ({g})"))
                    .unwrap_or_default()
            ),
            &a.comment,
            ": ",
        ),
        Event::KillFired(f) => with(
            format!("KILL SWITCH fired ({} actions)", f.actions),
            &f.reason,
            ": ",
        ),
        Event::KillVerified(v) => format!("KILL SWITCH verified HALTED in {}", secs(v.took_ms)),
        Event::KillFailed(f) => format!("KILL SWITCH FAILED: {}", f.why),
        Event::RollbackFired(f) => with(
            format!(
                "rollback {} fired ({} actions)",
                f.target.as_deref().unwrap_or("?"),
                f.actions
            ),
            &f.reason,
            ": ",
        ),
        Event::RollbackVerified(v) => format!(
            "rollback {} verified in {}",
            v.target.as_deref().unwrap_or("?"),
            secs(v.took_ms)
        ),
        Event::RollbackFailed(f) => format!(
            "rollback {} FAILED: {}",
            f.target.as_deref().unwrap_or("?"),
            f.why
        ),
        Event::ManualTicked(m) => format!("ticked {}", m.item),
        Event::ManualUnticked(m) => format!("unticked {}", m.item),
        Event::BaselineRecorded(b) => {
            let from = match (&b.check, &b.source, &b.stage) {
                (Some(c), _, Some(st)) => format!(" (check {c}, entering stage {st})"),
                (Some(c), _, None) => format!(" (check {c})"),
                (None, Some(src), _) => format!(" (source {src})"),
                _ => String::new(),
            };
            format!("baseline {} = {}{from}", b.name, format_number(b.value))
        }
        Event::DecisionOutcome(d) => {
            let overridden = if d.overridden {
                format!(" OVERRIDING the gate ({})", d.gate)
            } else {
                String::new()
            };
            format!(
                "decision {}{overridden}: {}",
                d.outcome.to_uppercase(),
                d.justification
            )
        }
        Event::HoldOverridden(h) => format!(
            "OVERRIDE: entering stage {} ({}): {}",
            h.to,
            h.overridden.join("; "),
            h.justification
        ),
        Event::CheckWaived(w) => format!(
            "check {} WAIVED ({}) until {}: {}",
            w.check,
            w.role,
            w.until.format("%Y-%m-%d %H:%M UTC"),
            w.justification
        ),
        Event::NotifyFailed(n) => format!(
            "notification to {} failed after {} attempt{}{}: {}",
            n.target,
            n.attempts,
            if n.attempts == 1 { "" } else { "s" },
            n.event_kind
                .as_deref()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default(),
            n.why
        ),
    }
}
