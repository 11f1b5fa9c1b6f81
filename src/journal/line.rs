//! One journal line, byte for byte. The hash covers the exact bytes of the
//! line without its `hash` field (the body `{...,"prev":"..."}`), so checking a
//! line never depends on how a JSON library orders or formats things.

use super::event::{Actor, NewEvent, Stored};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Serialize)]
struct Body<'a> {
    id: u64,
    at: &'a DateTime<Utc>,
    actor: &'a Actor,
    kind: &'a str,
    payload: &'a serde_json::Value,
    prev: &'a str,
}

/// Why a line is not a valid journal event.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineError {
    #[error("not a complete JSON event ({0}); a writer probably died mid-write")]
    Torn(String),
    #[error("the hash field is not the last field of the line (edited by hand?)")]
    NotCanonical,
    #[error("hash mismatch: the line says {stated}, its content hashes to {actual} (edited after it was written)")]
    HashMismatch { stated: String, actual: String },
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The line for `event` (with its trailing newline) and the event as stored.
pub fn encode(id: u64, at: DateTime<Utc>, event: &NewEvent, prev: &str) -> (Stored, Vec<u8>) {
    let body = Body {
        id,
        at: &at,
        actor: &event.actor,
        kind: &event.kind,
        payload: &event.payload,
        prev,
    };
    // A struct of strings, numbers and JSON values always serializes.
    let mut line = serde_json::to_vec(&body).unwrap_or_default();
    let hash = sha256_hex(&line);
    line.pop(); // the closing brace
    line.extend_from_slice(b",\"hash\":\"");
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}\n");
    let stored = Stored {
        id,
        at,
        actor: event.actor.clone(),
        kind: event.kind.clone(),
        payload: event.payload.clone(),
        prev: prev.to_string(),
        hash,
    };
    (stored, line)
}

/// Parses and checks one line (without its newline).
pub fn decode(line: &str) -> Result<Stored, LineError> {
    let stored: Stored = serde_json::from_str(line).map_err(|e| LineError::Torn(e.to_string()))?;
    let suffix = format!(",\"hash\":\"{}\"}}", stored.hash);
    let Some(head) = line.strip_suffix(suffix.as_str()) else {
        return Err(LineError::NotCanonical);
    };
    let mut hasher = Sha256::new();
    hasher.update(head.as_bytes());
    hasher.update(b"}");
    let actual = hex::encode(hasher.finalize());
    if actual != stored.hash {
        return Err(LineError::HashMismatch {
            stated: stored.hash,
            actual,
        });
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_event() -> NewEvent {
        NewEvent {
            actor: Actor {
                name: "ana".into(),
                role: Some("captain".into()),
                host: "h".into(),
                pid: 7,
            },
            kind: "ack".into(),
            payload: serde_json::json!({"role": "captain", "z": 1, "a": [1.5, "x"]}),
        }
    }

    #[test]
    fn encode_then_decode_is_identity() {
        let at = "2026-11-21T12:00:00.123456Z".parse().unwrap();
        let (stored, line) = encode(3, at, &new_event(), GENESIS);
        let text = std::str::from_utf8(&line).unwrap();
        assert!(text.ends_with("\"}\n"));
        assert_eq!(text.matches('\n').count(), 1);
        let back = decode(text.trim_end()).unwrap();
        assert_eq!(back, stored);
        assert_eq!(back.hash.len(), 64);
    }

    #[test]
    fn an_edit_breaks_the_hash() {
        let (_, line) = encode(1, Utc::now(), &new_event(), GENESIS);
        let text = String::from_utf8(line).unwrap().replace("ana", "eve");
        assert!(matches!(
            decode(text.trim_end()),
            Err(LineError::HashMismatch { .. })
        ));
    }

    #[test]
    fn half_a_line_is_torn() {
        let (_, line) = encode(1, Utc::now(), &new_event(), GENESIS);
        let half = &line[..line.len() / 2];
        assert!(matches!(
            decode(std::str::from_utf8(half).unwrap()),
            Err(LineError::Torn(_))
        ));
    }
}
