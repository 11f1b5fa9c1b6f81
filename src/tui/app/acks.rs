//! ACK states for the roles panel, from the journal's own rules
//! (`release::ack_status`: stage, expiry, distinct roles).

use super::App;
use crate::engine::AckStatus;
use crate::release;
use chrono::{DateTime, Utc};

/// How `release::entry_ack_status` says an ACK was used up by a stage entry.
pub const USED_UP: &str = "was used to enter stage";

/// The ACK state of `role`: an ACK used up by entering the current stage is
/// not shown as held (the next step needs a new one, and says so); otherwise
/// as the gate counts it for gate roles, on its own for the others.
pub fn role_status(app: &App, role: &str, now: DateTime<Utc>) -> AckStatus {
    let one = [role.to_string()];
    if let Some(next) = release::entry_ack_status(&app.pb.playbook, &app.release, &one, now).pop() {
        if next.missing.as_deref().is_some_and(|m| m.contains(USED_UP)) {
            return next;
        }
    }
    if let Some(a) = app.acks.iter().find(|a| a.role == role) {
        return a.clone();
    }
    release::ack_status(&app.pb.playbook, &app.release, &one, now)
        .pop()
        .unwrap_or_else(|| AckStatus::pending(role))
}
