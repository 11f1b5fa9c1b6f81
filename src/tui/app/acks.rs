//! ACK states from the release state: which gate roles hold a valid ACK.
//! Pure: (playbook, release state, now) -> statuses.

use crate::engine::AckStatus;
use crate::playbook::LoadedPlaybook;
use crate::release::{AckRecord, ReleaseState};
use chrono::{DateTime, Utc};

/// The newest ACK for `role`, if any.
pub fn newest<'a>(release: &'a ReleaseState, role: &str) -> Option<&'a AckRecord> {
    release
        .acks
        .iter()
        .filter(|a| a.role == role)
        .max_by_key(|a| a.at)
}

/// When `ack` stops counting, if the playbook limits ACKs in time.
pub fn expires_at(pb: &LoadedPlaybook, ack: &AckRecord) -> Option<DateTime<Utc>> {
    pb.playbook
        .release
        .ack_valid_for
        .map(|d| ack.at + d.as_chrono())
}

pub fn is_expired(pb: &LoadedPlaybook, ack: &AckRecord, now: DateTime<Utc>) -> bool {
    expires_at(pb, ack).is_some_and(|t| t <= now)
}

/// Each role the gate names (`release.go_acks`), with its ACK state.
pub fn gate_acks(
    pb: &LoadedPlaybook,
    release: &ReleaseState,
    now: DateTime<Utc>,
) -> Vec<AckStatus> {
    let distinct = pb.playbook.release.distinct_roles;
    let mut people: Vec<(&str, &str)> = Vec::new();
    pb.playbook
        .release
        .go_acks
        .iter()
        .map(|role| {
            let Some(ack) = newest(release, role) else {
                return AckStatus::pending(role);
            };
            let expired = expires_at(pb, ack).filter(|t| *t <= now);
            let missing = if let Some(t) = expired {
                Some(format!(
                    "ACK by {} expired at {}",
                    ack.by,
                    t.format("%H:%M:%SZ")
                ))
            } else if let Some((other, _)) = people
                .iter()
                .find(|(_, by)| distinct && *by == ack.by.as_str())
            {
                Some(format!(
                    "{} already ACKed as {other}: distinct_roles needs another person",
                    ack.by
                ))
            } else {
                None
            };
            if missing.is_none() {
                people.push((role.as_str(), ack.by.as_str()));
            }
            AckStatus {
                role: role.clone(),
                by: Some(ack.by.clone()),
                at: Some(ack.at),
                missing,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pb(distinct: bool) -> LoadedPlaybook {
        let text = format!(
            r#"
[release]
name = "r"
ack_valid_for = "4h"
distinct_roles = {distinct}
go_acks = ["captain", "oncall"]
[[role]]
id = "captain"
[[role]]
id = "oncall"
"#
        );
        crate::playbook::load_str(std::path::Path::new("p.toml"), &text).unwrap()
    }

    fn ack(role: &str, by: &str, at: &str) -> AckRecord {
        AckRecord {
            role: role.into(),
            by: by.into(),
            at: at.parse().unwrap(),
            comment: None,
            stage: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn missing_valid_and_expired_acks() {
        let release = ReleaseState {
            acks: vec![
                ack("captain", "alice", "2026-11-21T11:00:00Z"),
                ack("oncall", "bob", "2026-11-21T07:00:00Z"),
            ],
            ..Default::default()
        };
        let s = gate_acks(&pb(false), &release, now());
        assert!(s[0].is_valid());
        assert!(!s[1].is_valid());
        assert!(s[1]
            .missing
            .as_deref()
            .unwrap()
            .contains("expired at 11:00:00Z"));
        let none = gate_acks(&pb(false), &ReleaseState::default(), now());
        assert!(none.iter().all(|a| !a.is_valid()));
    }

    #[test]
    fn one_person_cannot_hold_two_roles_when_distinct() {
        let release = ReleaseState {
            acks: vec![
                ack("captain", "alice", "2026-11-21T11:00:00Z"),
                ack("oncall", "alice", "2026-11-21T11:30:00Z"),
            ],
            ..Default::default()
        };
        let s = gate_acks(&pb(true), &release, now());
        assert!(s[0].is_valid());
        assert!(s[1].missing.as_deref().unwrap().contains("distinct_roles"));
        assert!(gate_acks(&pb(false), &release, now())[1].is_valid());
    }
}
