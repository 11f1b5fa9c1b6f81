//! Which roles hold a valid ACK for the decision at hand. Pure: (playbook,
//! state, roles, now) -> statuses.
//!
//! An ACK counts when it was given at the current stage (None: before the
//! ramp), has not expired (`ack_valid_for`), and, with `distinct_roles`, its
//! person does not already hold another of the roles this decision needs.
//! ACKs are taken in time order: the later of one person's two roles is the
//! invalid one, and a role taken over by someone else frees its old holder.

use super::{AckRecord, ReleaseState};
use crate::engine::AckStatus;
use crate::playbook::Playbook;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub fn ack_status(
    pb: &Playbook,
    state: &ReleaseState,
    roles_needed: &[String],
    now: DateTime<Utc>,
) -> Vec<AckStatus> {
    let stage = state.stage.as_ref().map(|s| s.name.as_str());
    let valid_for = pb.release.ack_valid_for.map(|d| d.as_chrono());
    let expired = |a: &AckRecord| valid_for.is_some_and(|v| now - a.at > v);
    let needed = |a: &AckRecord| roles_needed.contains(&a.role);

    // Oldest first (the state keeps newest first; a stable sort keeps ties in journal order).
    let mut current: Vec<&AckRecord> = state
        .acks
        .iter()
        .rev()
        .filter(|a| needed(a) && a.stage.as_deref() == stage && !expired(a))
        .collect();
    current.sort_by_key(|a| a.at);

    let mut holder: HashMap<&str, &AckRecord> = HashMap::new();
    let mut holds: HashMap<&str, &str> = HashMap::new(); // person -> role
    let mut refused: HashMap<&str, String> = HashMap::new();
    for a in current {
        if pb.release.distinct_roles {
            if let Some(other) = holds.get(a.by.as_str()).filter(|r| **r != a.role) {
                refused.insert(
                    &a.role,
                    format!(
                        "{} already ACKed as {other}; with distinct_roles one person may not hold two roles",
                        a.by
                    ),
                );
                continue;
            }
        }
        if let Some(old) = holder.insert(&a.role, a) {
            if old.by != a.by {
                holds.remove(old.by.as_str());
            }
        }
        holds.insert(&a.by, &a.role);
    }

    roles_needed
        .iter()
        .map(|role| match holder.get(role.as_str()) {
            Some(a) => AckStatus {
                role: role.clone(),
                by: Some(a.by.clone()),
                at: Some(a.at),
                missing: None,
            },
            None => AckStatus {
                role: role.clone(),
                by: None,
                at: None,
                missing: Some(
                    refused
                        .remove(role.as_str())
                        .unwrap_or_else(|| why_missing(pb, state, role, stage, now)),
                ),
            },
        })
        .collect()
}

/// The most useful reason a role has no ACK: the newest ACK it has, and why it does not count.
fn why_missing(
    pb: &Playbook,
    state: &ReleaseState,
    role: &str,
    stage: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let Some(newest) = state.acks.iter().find(|a| a.role == role) else {
        return "no ACK yet".into();
    };
    let when = |s: Option<&str>| match s {
        Some(s) => format!("at stage {s}"),
        None => "before the ramp".into(),
    };
    if newest.stage.as_deref() != stage {
        return format!(
            "the last ACK ({}) was given {}; the ramp is now {}: ACK again",
            newest.by,
            when(newest.stage.as_deref()),
            when(stage)
        );
    }
    match pb.release.ack_valid_for {
        Some(v) => {
            let ago = (now - newest.at - v.as_chrono())
                .to_std()
                .map(|d| humantime::format_duration(std::time::Duration::from_secs(d.as_secs())))
                .map(|d| d.to_string())
                .unwrap_or_else(|_| "just now".into());
            format!(
                "the ACK by {} expired {ago} ago (ack_valid_for = {v})",
                newest.by
            )
        }
        None => "no ACK yet".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::load_str;
    use crate::release::StageState;
    use chrono::Duration;

    fn pb(extra: &str) -> Playbook {
        let text = format!(
            "[release]\nname = \"r\"\n{extra}\n[[role]]\nid = \"captain\"\n[[role]]\nid = \"oncall\"\n[[role]]\nid = \"lead\"\n"
        );
        load_str(std::path::Path::new("t.toml"), &text)
            .unwrap()
            .playbook
    }

    fn t(min: i64) -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(min)
    }

    fn state(acks: &[(&str, &str, i64, Option<&str>)]) -> ReleaseState {
        let mut s = ReleaseState::default();
        // The fold keeps newest first.
        for (role, by, at, stage) in acks {
            s.acks.insert(
                0,
                AckRecord {
                    role: role.to_string(),
                    by: by.to_string(),
                    at: t(*at),
                    comment: None,
                    stage: stage.map(str::to_string),
                },
            );
        }
        s
    }

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn valid_missing_and_who() {
        let s = state(&[("captain", "ana", 0, None)]);
        let st = ack_status(&pb(""), &s, &roles(&["captain", "oncall"]), t(5));
        assert!(st[0].is_valid());
        assert_eq!(st[0].by.as_deref(), Some("ana"));
        assert_eq!(st[0].at, Some(t(0)));
        assert!(!st[1].is_valid());
        assert_eq!(st[1].missing.as_deref(), Some("no ACK yet"));
    }

    #[test]
    fn acks_expire() {
        let p = pb("ack_valid_for = \"1h\"");
        let s = state(&[("captain", "ana", 0, None)]);
        assert!(ack_status(&p, &s, &roles(&["captain"]), t(59))[0].is_valid());
        let late = &ack_status(&p, &s, &roles(&["captain"]), t(90))[0];
        assert!(!late.is_valid());
        let why = late.missing.as_deref().unwrap();
        assert!(why.contains("expired 30m ago"), "{why}");
    }

    #[test]
    fn one_person_two_roles_the_later_is_invalid_and_names_the_other() {
        let p = pb("distinct_roles = true");
        let s = state(&[("captain", "ana", 0, None), ("oncall", "ana", 1, None)]);
        let st = ack_status(&p, &s, &roles(&["captain", "oncall"]), t(2));
        assert!(st[0].is_valid());
        assert!(!st[1].is_valid());
        let why = st[1].missing.as_deref().unwrap();
        assert!(why.contains("ana already ACKed as captain"), "{why}");
        // Without distinct_roles both count.
        let st = ack_status(&pb(""), &s, &roles(&["captain", "oncall"]), t(2));
        assert!(st.iter().all(AckStatus::is_valid));
    }

    #[test]
    fn someone_else_taking_the_role_frees_the_first_person() {
        let p = pb("distinct_roles = true");
        let s = state(&[
            ("captain", "ana", 0, None),
            ("captain", "bob", 1, None),
            ("oncall", "ana", 2, None),
        ]);
        let st = ack_status(&p, &s, &roles(&["captain", "oncall"]), t(3));
        assert_eq!(st[0].by.as_deref(), Some("bob"));
        assert_eq!(st[1].by.as_deref(), Some("ana"));
    }

    #[test]
    fn an_ack_is_for_the_current_stage() {
        let mut s = state(&[
            ("captain", "ana", 0, None),
            ("oncall", "bob", 1, Some("10%")),
        ]);
        s.stage = Some(StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: t(0),
            decision_points_done: vec![],
        });
        let st = ack_status(&pb(""), &s, &roles(&["captain", "oncall"]), t(2));
        assert!(!st[0].is_valid());
        assert!(st[0]
            .missing
            .as_deref()
            .unwrap()
            .contains("before the ramp"));
        assert!(st[1].is_valid());
    }
}
