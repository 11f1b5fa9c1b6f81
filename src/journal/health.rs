//! Whether a journal can be written right now, for the status line: a journal
//! on a remote store (etcd) can go away while liftoff runs; the file cannot.

use chrono::{DateTime, Utc};
use serde::Serialize;
#[cfg(feature = "etcd")]
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    /// The last call worked (or there is nothing remote: the file journal).
    Ok,
    /// Not contacted yet.
    Unknown,
    /// The last call failed; appends fail loudly until it answers again.
    Unreachable { since: DateTime<Utc>, why: String },
}

impl Health {
    pub fn is_ok(&self) -> bool {
        matches!(self, Health::Ok)
    }

    /// A few words for the status line.
    pub fn line(&self) -> String {
        match self {
            Health::Ok => "journal ok".into(),
            Health::Unknown => "journal not contacted yet".into(),
            Health::Unreachable { since, why } => {
                format!(
                    "JOURNAL UNREACHABLE since {}: {why}",
                    since.format("%H:%M:%S")
                )
            }
        }
    }
}

/// The health of one journal, updated by every call it makes (the etcd backend).
#[cfg(feature = "etcd")]
#[derive(Debug)]
pub(crate) struct HealthCell(Mutex<Health>);

#[cfg(feature = "etcd")]
impl HealthCell {
    pub(crate) fn new() -> Self {
        HealthCell(Mutex::new(Health::Unknown))
    }

    pub(crate) fn get(&self) -> Health {
        self.0.lock().map(|h| h.clone()).unwrap_or(Health::Unknown)
    }

    pub(crate) fn ok(&self) {
        if let Ok(mut h) = self.0.lock() {
            *h = Health::Ok;
        }
    }

    /// Keeps the first failure's time: "unreachable since" is when it went away.
    pub(crate) fn failed(&self, why: impl Into<String>) {
        if let Ok(mut h) = self.0.lock() {
            let since = match &*h {
                Health::Unreachable { since, .. } => *since,
                _ => Utc::now(),
            };
            *h = Health::Unreachable {
                since,
                why: why.into(),
            };
        }
    }
}

#[cfg(all(test, feature = "etcd"))]
mod tests {
    use super::*;

    #[test]
    fn unreachable_keeps_its_first_time_until_ok() {
        let cell = HealthCell::new();
        assert_eq!(cell.get(), Health::Unknown);
        cell.failed("connection refused");
        let Health::Unreachable { since: first, .. } = cell.get() else {
            panic!("not unreachable")
        };
        cell.failed("timed out");
        match cell.get() {
            Health::Unreachable { since, why } => {
                assert_eq!(since, first);
                assert_eq!(why, "timed out");
            }
            other => panic!("{other:?}"),
        }
        assert!(cell.get().line().contains("UNREACHABLE"));
        cell.ok();
        assert!(cell.get().is_ok());
    }
}
