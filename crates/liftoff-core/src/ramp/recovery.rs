//! Where the world stands and what may happen next, in words: after a kill
//! the ramp's stage is gone, but the world is what the kill switch's readback
//! proved, and the way back is the ramp's first stage. `liftoff status` and
//! the cockpit's ramp panel say the same sentences.

use super::{hold_reasons, next_stage};
use crate::playbook::Playbook;
use crate::release::{KillState, ReleaseState};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Whereabouts {
    /// What the world was proven to be in, and by what.
    pub proven: String,
    /// The next step the rules allow (or what it waits for).
    pub next: String,
}

fn stage_label(pb: &Playbook, i: usize) -> Option<String> {
    let s = pb.ramp.as_ref()?.stages.get(i)?;
    Some(format!(
        "{} ({}%)",
        s.name,
        crate::expr::format_number(s.percent)
    ))
}

/// Where the release stands at `now`; None without a ramp.
pub fn whereabouts(pb: &Playbook, state: &ReleaseState, now: DateTime<Utc>) -> Option<Whereabouts> {
    let ramp = pb.ramp.as_ref()?;
    let verify = pb
        .kill_switch
        .as_ref()
        .map(|k| {
            let q = k
                .verify
                .query
                .as_deref()
                .map(|q| format!(" {q}"))
                .unwrap_or_default();
            format!("{}{q}: {}", k.verify.source, k.verify.pass)
        })
        .unwrap_or_default();
    let proven = match (&state.kill, &state.stage, &state.halted_from) {
        (KillState::Halted { at, .. }, None, from) => format!(
            "HALTED: the kill switch's readback proved it at {} ({verify}){}",
            at.format("%H:%M:%S UTC"),
            from.as_ref()
                .map(|f| format!("; the ramp was at {} before", f.name))
                .unwrap_or_default()
        ),
        (KillState::Failed { why, .. }, _, _) => {
            format!("NOT PROVEN: the kill switch FAILED ({why}); the world may still carry traffic")
        }
        (KillState::Firing { .. }, _, _) => {
            "the kill switch is firing: waiting for its readback".into()
        }
        (_, Some(st), _) => format!(
            "stage {} ({}%), read back at {}",
            st.name,
            crate::expr::format_number(st.percent),
            st.entered_at.format("%H:%M:%S UTC")
        ),
        (_, None, _) => "not started: no stage has been set".into(),
    };
    let next = match (&state.kill, next_stage(pb, state)) {
        (KillState::Failed { .. }, _) => "K K fires the kill switch again (or [ steps back)".into(),
        (KillState::Firing { .. }, _) => "wait for the kill switch's readback".into(),
        (_, None) if !ramp.stages.is_empty() => {
            "the ramp is at its last stage ([ steps back)".into()
        }
        (_, None) => "the ramp has no stages".into(),
        (kill, Some(i)) => {
            let label = stage_label(pb, i).unwrap_or_default();
            let mut words = vec![format!("] enters {label} once the gate is GO")];
            if matches!(kill, KillState::Halted { .. }) && state.stage.is_none() {
                words[0] = format!(
                    "recover: ] enters {label} (its set and readback run) once the gate is GO"
                );
            }
            let holds: Vec<String> = hold_reasons(pb, state, now)
                .iter()
                .map(ToString::to_string)
                .collect();
            if !holds.is_empty() {
                words.push(format!("waits: {}", holds.join("; ")));
            }
            words.join("; ")
        }
    };
    Some(Whereabouts { proven, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::load_str;
    use crate::release::StageState;

    fn pb() -> Playbook {
        load_str(
            std::path::Path::new("t.toml"),
            r#"
[release]
name = "r"
[source.pct]
kind = "command"
run = ["true"]
[ramp]
set = { kind = "command", run = ["true"] }
[[ramp.stage]]
name = "shadow"
percent = 0
[[ramp.stage]]
name = "10%"
percent = 10
hold = "2h"
[[ramp.stage]]
name = "25%"
percent = 25
[kill_switch]
actions = [{ kind = "command", run = ["true"] }]
verify = { source = "pct", pass = "exit_code == 0" }
"#,
        )
        .unwrap()
        .playbook
    }

    fn t(s: &str) -> DateTime<Utc> {
        format!("2026-11-21T{s}Z").parse().unwrap()
    }

    #[test]
    fn after_a_kill_it_says_what_was_proven_and_how_to_recover() {
        let p = pb();
        let st = StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: t("12:00:00"),
            decision_points_done: vec![],
        };
        let state = ReleaseState {
            kill: KillState::Halted {
                at: t("12:30:00"),
                took_ms: 40,
            },
            halted_from: Some(st.clone()),
            ..Default::default()
        };
        let w = whereabouts(&p, &state, t("12:31:00")).unwrap();
        assert_eq!(
            w.proven,
            "HALTED: the kill switch's readback proved it at 12:30:00 UTC (pct: exit_code == 0); the ramp was at 10% before"
        );
        assert_eq!(
            w.next,
            "recover: ] enters shadow (0%) (its set and readback run) once the gate is GO"
        );
        // In a held stage it names the hold.
        let held = ReleaseState {
            stage: Some(st),
            ..Default::default()
        };
        let w = whereabouts(&p, &held, t("12:30:00")).unwrap();
        assert_eq!(w.proven, "stage 10% (10%), read back at 12:00:00 UTC");
        assert!(
            w.next.contains("the 10% hold has 1h 30m left"),
            "{}",
            w.next
        );
    }
}
