//! Which roles hold a valid ACK for the decision at hand. Pure: (playbook,
//! state, roles, now) -> statuses.
//!
//! An ACK authorizes the ramp's next step and stays on record through it:
//! entering a stage that names `acks` uses up the ACKs given before that
//! entry, so the step after it needs new ones, while the gate at that stage
//! still counts the ACKs that let the ramp in (a stage just entered is not
//! NO-GO for want of the ACKs it was entered with). Stepping back uses up
//! nothing. An ACK also counts only while it has not expired
//! (`ack_valid_for`) and, with `distinct_roles`, while its person does not
//! already hold another of the roles this decision needs. ACKs are taken in
//! time order: the later of one person's two roles is the invalid one, and a
//! role taken over by someone else frees its old holder.

use super::{AckRecord, ReleaseState, StageEntry};
use crate::engine::AckStatus;
use crate::playbook::Playbook;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The ACKs the gate counts now: those given since the last entry that used
/// ACKs up, not counting the entry into the current stage.
pub fn ack_status(
    pb: &Playbook,
    state: &ReleaseState,
    roles_needed: &[String],
    now: DateTime<Utc>,
) -> Vec<AckStatus> {
    let current = state.entries.len().saturating_sub(1);
    statuses(
        pb,
        state,
        roles_needed,
        now,
        used_up_by(pb, &state.entries[..current]),
    )
}

/// The ACKs entering the next stage counts: those given since the last entry
/// that used ACKs up, the current stage's included.
pub fn entry_ack_status(
    pb: &Playbook,
    state: &ReleaseState,
    roles_needed: &[String],
    now: DateTime<Utc>,
) -> Vec<AckStatus> {
    statuses(pb, state, roles_needed, now, used_up_by(pb, &state.entries))
}

/// The last forward entry, among `entries`, into a stage that names ACKs.
fn used_up_by<'a>(pb: &Playbook, entries: &'a [StageEntry]) -> Option<&'a StageEntry> {
    let takes_acks = |i: usize| {
        pb.ramp
            .as_ref()
            .and_then(|r| r.stages.get(i))
            .is_some_and(|s| !s.acks.is_empty())
    };
    entries
        .iter()
        .rev()
        .find(|e| !e.back && takes_acks(e.index))
}

fn statuses(
    pb: &Playbook,
    state: &ReleaseState,
    roles_needed: &[String],
    now: DateTime<Utc>,
    used_up: Option<&StageEntry>,
) -> Vec<AckStatus> {
    let valid_for = pb.release.ack_valid_for.map(|d| d.as_chrono());
    let expired = |a: &AckRecord| valid_for.is_some_and(|v| now - a.at > v);
    let needed = |a: &AckRecord| roles_needed.contains(&a.role);
    let fresh = |a: &AckRecord| used_up.is_none_or(|e| a.at > e.at);

    // Oldest first (the state keeps newest first; a stable sort keeps ties in journal order).
    let mut current: Vec<&AckRecord> = state
        .acks
        .iter()
        .rev()
        .filter(|a| needed(a) && fresh(a) && !expired(a))
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
                        .unwrap_or_else(|| why_missing(pb, state, role, used_up, now)),
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
    used_up: Option<&StageEntry>,
    now: DateTime<Utc>,
) -> String {
    let Some(newest) = state.acks.iter().find(|a| a.role == role) else {
        return "no ACK yet".into();
    };
    if let Some(e) = used_up.filter(|e| newest.at <= e.at) {
        return format!(
            "the last ACK ({}) was used to enter stage {} at {}: ACK again for the next step",
            newest.by,
            e.name,
            e.at.format("%H:%M:%S UTC")
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
    use crate::release::{StageEntry, StageState};
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

    /// Three stages: shadow (no ACKs), 10% and 50% (ACKs needed).
    fn ramp_pb() -> Playbook {
        pb(r#"
[source.pct]
kind = "command"
run = ["true"]

[ramp]
set = { kind = "command", run = ["true"] }
readback = { source = "pct", pass = "true" }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10
acks = ["captain", "oncall"]

[[ramp.stage]]
name = "50%"
percent = 50
acks = ["captain", "oncall"]
"#)
    }

    fn enter(s: &mut ReleaseState, index: usize, name: &str, at: i64, back: bool) {
        s.entries.push(StageEntry {
            index,
            name: name.into(),
            at: t(at),
            back,
        });
        s.stage = Some(StageState {
            index,
            name: name.into(),
            percent: 0.0,
            entered_at: t(at),
            decision_points_done: vec![],
        });
    }

    fn valid(st: &[AckStatus]) -> Vec<bool> {
        st.iter().map(AckStatus::is_valid).collect()
    }

    #[test]
    fn acks_given_before_the_ramp_carry_through_shadow_into_the_stage_they_open() {
        let p = ramp_pb();
        let both = roles(&["captain", "oncall"]);
        let mut s = state(&[("captain", "ana", 0, None), ("oncall", "bob", 1, None)]);
        enter(&mut s, 0, "shadow", 2, false);
        // Shadow names no ACKs: it uses none up, so they open 10%...
        assert_eq!(valid(&entry_ack_status(&p, &s, &both, t(3))), [true, true]);
        enter(&mut s, 1, "10%", 4, false);
        // ...and the gate at 10% still counts them: a stage just entered is not NO-GO for want of them.
        assert_eq!(valid(&ack_status(&p, &s, &both, t(5))), [true, true]);
        // Entering 50% needs new ones, and says why the old ones do not count.
        let next = entry_ack_status(&p, &s, &both, t(5));
        assert_eq!(valid(&next), [false, false]);
        let why = next[0].missing.as_deref().unwrap();
        assert!(
            why.contains("the last ACK (ana) was used to enter stage 10% at 12:04:00 UTC"),
            "{why}"
        );
    }

    #[test]
    fn fresh_acks_open_the_next_stage_and_stepping_back_uses_none_up() {
        let p = ramp_pb();
        let both = roles(&["captain", "oncall"]);
        let mut s = state(&[
            ("captain", "ana", 0, None),
            ("oncall", "bob", 1, None),
            ("captain", "ana", 6, Some("10%")),
            ("oncall", "bob", 7, Some("10%")),
        ]);
        enter(&mut s, 1, "10%", 4, false);
        assert_eq!(valid(&entry_ack_status(&p, &s, &both, t(8))), [true, true]);
        enter(&mut s, 2, "50%", 9, false);
        assert_eq!(valid(&ack_status(&p, &s, &both, t(10))), [true, true]);
        // Back to 10% (the safe direction): nothing used up, but re-entering
        // 50% needs ACKs given after the first entry into it.
        enter(&mut s, 1, "10%", 11, true);
        assert_eq!(
            valid(&entry_ack_status(&p, &s, &both, t(12))),
            [false, false]
        );
        assert_eq!(valid(&ack_status(&p, &s, &both, t(12))), [false, false]);
    }
}
