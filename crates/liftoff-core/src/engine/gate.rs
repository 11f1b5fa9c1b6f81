//! The Go/No-Go gate. GO only when every required check passes (WARN where the
//! playbook allows it), no blocker holds, and every role the gate names has a
//! valid ACK. The decision always lists what holds it back.

use super::verdict::{Status, Verdict};
use crate::playbook::CompiledCheck;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    #[serde(rename = "GO")]
    Go,
    #[serde(rename = "NO-GO")]
    NoGo,
}

impl Decision {
    pub fn word(self) -> &'static str {
        match self {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
        }
    }
}

/// A role the gate needs, and whether it has a valid ACK (from the journal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AckStatus {
    pub role: String,
    /// Who holds the valid ACK, and when it was given; None when missing.
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// Why there is no valid ACK (never given, expired, same person as another role).
    pub missing: Option<String>,
}

impl AckStatus {
    pub fn is_valid(&self) -> bool {
        self.by.is_some() && self.missing.is_none()
    }
    pub fn pending(role: &str) -> Self {
        AckStatus {
            role: role.to_string(),
            by: None,
            at: None,
            missing: Some("no ACK yet".into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    Blocker,
    Check,
    Ack,
    Playbook,
}

/// One thing holding the gate at NO-GO.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hold {
    pub kind: HoldKind,
    /// The check id or role id.
    pub id: String,
    pub status: Option<Status>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateDecision {
    pub decision: Decision,
    pub holds: Vec<Hold>,
}

/// `verdicts` in any order; a check without a verdict counts as UNKNOWN.
pub fn decide(
    checks: &[CompiledCheck],
    verdicts: &[Verdict],
    acks: &[AckStatus],
    allow_warn: bool,
) -> GateDecision {
    let mut blockers = Vec::new();
    let mut holds = Vec::new();
    // Verdicts come in playbook order (`assess`): the check's own position
    // first, an index by id only for verdicts in another order (never a
    // search per check, which would be quadratic in the checks).
    let mut by_id: Option<HashMap<&str, &Verdict>> = None;
    for (i, check) in checks.iter().enumerate() {
        let spec = &check.spec;
        let verdict = match verdicts.get(i).filter(|v| v.check == spec.id) {
            Some(v) => Some(v),
            None => by_id
                .get_or_insert_with(|| {
                    let mut m = HashMap::with_capacity(verdicts.len());
                    for v in verdicts {
                        m.entry(v.check.as_str()).or_insert(v);
                    }
                    m
                })
                .get(spec.id.as_str())
                .copied(),
        };
        let (status, reason) = match verdict {
            Some(v) => (v.status, v.evidence.reason.clone()),
            None => (Status::Unknown, "not evaluated".to_string()),
        };
        let holds_gate = match status {
            Status::Pass => false,
            Status::Warn => !allow_warn,
            Status::Fail | Status::Unknown => true,
        };
        if !holds_gate {
            continue;
        }
        let hold = |kind| Hold {
            kind,
            id: spec.id.clone(),
            status: Some(status),
            reason: reason.clone(),
        };
        if spec.blocker {
            blockers.push(hold(HoldKind::Blocker));
        } else if spec.required {
            holds.push(hold(HoldKind::Check));
        }
    }
    for ack in acks.iter().filter(|a| !a.is_valid()) {
        holds.push(Hold {
            kind: HoldKind::Ack,
            id: ack.role.clone(),
            status: None,
            reason: ack.missing.clone().unwrap_or_else(|| "no ACK yet".into()),
        });
    }
    let decides_anything =
        checks.iter().any(|c| c.spec.required || c.spec.blocker) || !acks.is_empty();
    if !decides_anything {
        holds.push(Hold {
            kind: HoldKind::Playbook,
            id: "playbook".into(),
            status: None,
            reason: "the playbook has no required check and no ACK: nothing to decide GO on".into(),
        });
    }
    blockers.extend(holds);
    GateDecision {
        decision: if blockers.is_empty() {
            Decision::Go
        } else {
            Decision::NoGo
        },
        holds: blockers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::verdict::Evidence;
    use crate::playbook::{Check, CompiledCheck};

    fn check(id: &str, required: bool, blocker: bool) -> CompiledCheck {
        CompiledCheck::compile(Check {
            id: id.into(),
            section: None,
            title: None,
            source: "s".into(),
            query: None,
            pass: "true".into(),
            warn: None,
            max_age: None,
            required,
            blocker,
            runbook: None,
            show: None,
            baseline: None,
            waivable_by: Vec::new(),
        })
        .unwrap()
    }

    fn verdict(id: &str, status: Status) -> Verdict {
        Verdict {
            check: id.into(),
            status,
            evidence: Evidence {
                value: None,
                observed_at: None,
                source: "s".into(),
                origin: None,
                query: None,
                condition: "true".into(),
                reason: format!("{} because", status.word()),
                culprits: Vec::new(),
                stderr: None,
            },
        }
    }

    fn ack(role: &str) -> AckStatus {
        AckStatus {
            role: role.into(),
            by: Some("ana".into()),
            at: None,
            missing: None,
        }
    }

    #[test]
    fn go_when_all_required_pass_and_acks_present() {
        let checks = [check("a", true, false), check("b", true, false)];
        let v = [verdict("a", Status::Pass), verdict("b", Status::Pass)];
        let g = decide(&checks, &v, &[ack("captain")], true);
        assert_eq!(g.decision, Decision::Go);
        assert!(g.holds.is_empty());
    }

    #[test]
    fn required_fail_or_unknown_is_nogo_and_listed() {
        let checks = [check("a", true, false), check("b", true, false)];
        for bad in [Status::Fail, Status::Unknown] {
            let v = [verdict("a", Status::Pass), verdict("b", bad)];
            let g = decide(&checks, &v, &[], true);
            assert_eq!(g.decision, Decision::NoGo);
            assert_eq!(g.holds.len(), 1);
            assert_eq!(g.holds[0].id, "b");
            assert_eq!(g.holds[0].status, Some(bad));
        }
    }

    #[test]
    fn verdicts_in_another_order_or_missing_are_found_by_id() {
        let checks = [
            check("a", true, false),
            check("b", true, false),
            check("c", true, false),
        ];
        let v = [verdict("c", Status::Fail), verdict("a", Status::Pass)];
        let g = decide(&checks, &v, &[], true);
        let held: Vec<(&str, Option<Status>)> =
            g.holds.iter().map(|h| (h.id.as_str(), h.status)).collect();
        assert_eq!(
            held,
            [("b", Some(Status::Unknown)), ("c", Some(Status::Fail))]
        );
    }

    #[test]
    fn missing_verdict_counts_as_unknown() {
        let g = decide(&[check("a", true, false)], &[], &[], true);
        assert_eq!(g.decision, Decision::NoGo);
        assert_eq!(g.holds[0].reason, "not evaluated");
    }

    #[test]
    fn optional_checks_never_hold() {
        let checks = [check("a", true, false), check("opt", false, false)];
        let v = [verdict("a", Status::Pass), verdict("opt", Status::Fail)];
        assert_eq!(decide(&checks, &v, &[], true).decision, Decision::Go);
    }

    #[test]
    fn blocker_forces_nogo_even_when_not_required_and_comes_first() {
        let checks = [check("a", true, false), check("pages", false, true)];
        let v = [verdict("a", Status::Fail), verdict("pages", Status::Fail)];
        let g = decide(&checks, &v, &[], true);
        assert_eq!(g.decision, Decision::NoGo);
        assert_eq!(g.holds[0].kind, HoldKind::Blocker);
        assert_eq!(g.holds[0].id, "pages");
        assert_eq!(g.holds[1].id, "a");
    }

    #[test]
    fn warn_allowed_or_not() {
        let checks = [check("a", true, false)];
        let v = [verdict("a", Status::Warn)];
        assert_eq!(decide(&checks, &v, &[], true).decision, Decision::Go);
        assert_eq!(decide(&checks, &v, &[], false).decision, Decision::NoGo);
    }

    #[test]
    fn missing_or_expired_ack_holds() {
        let checks = [check("a", true, false)];
        let v = [verdict("a", Status::Pass)];
        let mut expired = ack("oncall");
        expired.missing = Some("expired 5m ago".into());
        let g = decide(
            &checks,
            &v,
            &[ack("captain"), expired, AckStatus::pending("lead")],
            true,
        );
        assert_eq!(g.decision, Decision::NoGo);
        let ids: Vec<_> = g.holds.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["oncall", "lead"]);
        assert_eq!(g.holds[0].reason, "expired 5m ago");
    }

    #[test]
    fn nothing_to_decide_on_is_nogo() {
        assert_eq!(decide(&[], &[], &[], true).decision, Decision::NoGo);
    }
}
