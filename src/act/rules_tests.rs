//! The rule book's "Why" cases (issue 16), judged on journal-folded state.

use super::*;
use crate::engine::gate::HoldKind;
use crate::engine::Hold;
use crate::playbook::load_str;
use crate::release::{StageEntry, StageState};

fn pb() -> Playbook {
    loaded().playbook
}

fn loaded() -> LoadedPlaybook {
    let release = r#"
[release]
name = "pilot cohort"
distinct_roles = true
ack_valid_for = "4h"
go_acks = ["commander"]
"#;
    let shared = crate::act::test_playbook::roles_and_coverage("lead");
    let rest = r#"
[[role]]
id = "lead"

[[check]]
id = "errors"
source = "cmd"
pass = "exit_code == 0"

[ramp]
set = { kind = "command", run = ["true"] }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10
acks = ["commander", "sre"]
"#;
    let text = format!("{release}{shared}{rest}");
    load_str(std::path::Path::new("t.toml"), &text).unwrap()
}

fn t(min: i64) -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(min)
}

fn acked(acks: &[(&str, &str, i64)]) -> ReleaseState {
    let mut s = ReleaseState::default();
    for (role, by, at) in acks {
        s.acks.insert(
            0,
            AckRecord {
                role: role.to_string(),
                by: by.to_string(),
                at: t(*at),
                comment: None,
                stage: None,
            },
        );
    }
    s
}

#[test]
fn a_tick_by_someone_without_the_items_role_ack_is_refused() {
    let p = loaded();
    let s = acked(&[("sre", "bob", 0)]);
    let r = may_tick(&p, &s, "plan", "mallory", t(1)).unwrap_err();
    assert_eq!(
        r.to_string(),
        "tick refused: Rollback plan reviewed is ticked by the sre role: mallory holds no valid ACK as sre"
    );
    let ok = may_tick(&p, &s, "plan", "bob", t(1)).unwrap();
    assert_eq!(ok.role.as_deref(), Some("sre"));
    // The ACK expires (4h): so does the right to tick.
    assert!(may_tick(&p, &s, "plan", "bob", t(241)).is_err());
    // Not a manual item.
    let r = may_tick(&p, &s, "cmd", "bob", t(1)).unwrap_err();
    assert!(r.why.contains("is not a manual item"), "{r}");
}

#[test]
fn a_second_role_under_distinct_roles_is_refused_not_noted() {
    let p = pb();
    let s = acked(&[("commander", "dana", 0)]);
    let r = may_ack(&p, &s, "sre", "dana", t(1)).unwrap_err();
    assert_eq!(
        r.to_string(),
        "ACK refused: dana already ACKed as commander; with distinct_roles one person may not hold two roles"
    );
    // Someone else may.
    let plan = may_ack(&p, &s, "sre", "bob", t(1)).unwrap();
    assert_eq!(
        plan.counts,
        "counts for sre; it authorizes entering stage 10%; valid for 4h"
    );
}

#[test]
fn the_ack_plan_says_exactly_what_will_count() {
    let p = pb();
    let mut s = acked(&[("commander", "ana", 0)]);
    // Taking over a role: it counts, and says whom it replaces.
    let plan = may_ack(&p, &s, "commander", "bob", t(1)).unwrap();
    assert!(
        plan.counts.contains("it replaces ana's ACK"),
        "{}",
        plan.counts
    );
    // In shadow, the next stage (10%) needs sre: the ACK authorizes it.
    s.entries.push(StageEntry {
        index: 0,
        name: "shadow".into(),
        at: t(2),
        back: false,
    });
    s.stage = Some(StageState {
        index: 0,
        name: "shadow".into(),
        percent: 0.0,
        entered_at: t(2),
        decision_points_done: vec![],
    });
    let plan = may_ack(&p, &s, "sre", "carol", t(3)).unwrap();
    assert_eq!(
        plan.counts,
        "counts for sre; it authorizes entering stage 10%; valid for 4h"
    );
    // A role nothing needs now: recorded, and it says it authorizes nothing.
    let plan = may_ack(&p, &s, "lead", "erin", t(3)).unwrap();
    assert!(
        plan.counts.contains("authorizes nothing now"),
        "{}",
        plan.counts
    );
    assert!(may_ack(&p, &s, "pilot", "erin", t(3)).is_err());
    assert!(may_ack(&p, &s, "lead", "  ", t(3)).is_err());
}

#[test]
fn waivers_need_waivable_by_the_role_an_ack_and_a_justification() {
    let p = pb();
    let s = acked(&[("lead", "erin", 0), ("sre", "bob", 0)]);
    let ask = |check, role, who, why| WaiveAsk {
        check,
        role,
        who,
        justification: why,
        for_: Some(Dur::secs(7200)),
    };
    let no = |a: WaiveAsk| may_waive(&p, &s, &a, t(1)).unwrap_err().to_string();
    assert_eq!(
        no(ask("errors", "lead", "erin", "x")),
        "waiver refused: check errors cannot be waived: it names no waivable_by roles"
    );
    assert_eq!(
        no(ask("coverage", "sre", "bob", "x")),
        "waiver refused: the sre role may not waive coverage (waivable_by: lead)"
    );
    assert_eq!(
        no(ask("coverage", "lead", "mallory", "x")),
        "waiver refused: mallory holds no valid ACK as lead: only the lead role's holder waives coverage"
    );
    assert_eq!(
        no(ask("coverage", "lead", "erin", " ")),
        "waiver refused: a waiver needs a justification"
    );
    let plan = may_waive(&p, &s, &ask("coverage", "lead", "erin", "hotfix"), t(1)).unwrap();
    assert_eq!(plan.until, t(121));
    let default = WaiveAsk {
        for_: None,
        ..ask("coverage", "lead", "erin", "hotfix")
    };
    assert_eq!(may_waive(&p, &s, &default, t(1)).unwrap().until, t(61));
}

#[test]
fn an_outcome_the_gate_does_not_support_is_an_override() {
    let no_go = GateDecision {
        decision: Decision::NoGo,
        holds: vec![Hold {
            kind: HoldKind::Check,
            id: "errors".into(),
            status: None,
            reason: "x".into(),
        }],
    };
    let go = GateDecision {
        decision: Decision::Go,
        holds: vec![],
    };
    let plan = may_decide(&no_go, "expand", "debrief: error budget ok").unwrap();
    assert!(plan.overridden);
    assert_eq!(
        plan.says,
        "expand OVERRIDES the gate: it is NO-GO (held by errors); recorded as an override"
    );
    assert!(may_decide(&no_go, "go", "x").unwrap().overridden);
    for o in ["no-go", "mitigate", "rollback"] {
        assert!(!may_decide(&no_go, o, "x").unwrap().overridden, "{o}");
        assert!(!may_decide(&go, o, "x").unwrap().overridden, "{o}");
    }
    assert!(!may_decide(&go, "expand", "x").unwrap().overridden);
    assert_eq!(
        may_decide(&go, "launch", "x").unwrap_err().to_string(),
        "decision refused: unknown outcome `launch` (outcomes: go, no-go, expand, mitigate, rollback)"
    );
    assert_eq!(
        may_decide(&go, "go", "").unwrap_err().to_string(),
        "decision refused: a decision needs a justification"
    );
}
