//! ACK states for the roles panel, from the journal's own rules
//! (`release::ack_status`: stage, expiry, distinct roles).

use super::App;
use crate::engine::AckStatus;
use crate::release;
use chrono::{DateTime, Utc};

/// The ACK state of `role`: as the gate counts it for gate roles, on its own
/// for the others.
pub fn role_status(app: &App, role: &str, now: DateTime<Utc>) -> AckStatus {
    if let Some(a) = app.acks.iter().find(|a| a.role == role) {
        return a.clone();
    }
    let one = [role.to_string()];
    release::ack_status(&app.pb.playbook, &app.release, &one, now)
        .pop()
        .unwrap_or_else(|| AckStatus::pending(role))
}
