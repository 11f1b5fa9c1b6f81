//! An event kept in the local spool while the journal was away, and the
//! delayed event it becomes (the spool itself is the `liftoff` crate's
//! `journal::spool`).

use super::event::{Actor, NewEvent};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An event waiting for the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub actor: Actor,
    pub kind: String,
    pub payload: serde_json::Value,
    pub kept_at: DateTime<Utc>,
    /// Why it could not be written at the time.
    pub why: String,
    /// The token of the append that failed (its answer may have been lost
    /// after it went in): the flush appends with it, so it goes in once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Kept {
    /// The event as it goes into the journal: its payload says it is late.
    pub fn into_delayed(self) -> NewEvent {
        let mut payload = match self.payload {
            serde_json::Value::Object(map) => map,
            serde_json::Value::Null => serde_json::Map::new(),
            other => serde_json::Map::from_iter([("value".to_string(), other)]),
        };
        payload.insert("delayed".into(), true.into());
        payload.insert("kept_at".into(), self.kept_at.to_rfc3339().into());
        payload.insert("kept_because".into(), self.why.into());
        NewEvent {
            actor: self.actor,
            kind: self.kind,
            payload: serde_json::Value::Object(payload),
        }
    }
}
