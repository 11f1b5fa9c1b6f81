//! One journal line, byte for byte. The hash covers the exact bytes of the
//! line without its `hash` field (the body `{...,"prev":"..."}`), so checking a
//! line never depends on how a JSON library orders or formats things.

use super::event::{Actor, NewEvent, Stored};
use super::key::JournalKey;
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
    encode_keyed(id, at, event, prev, None)
}

/// As `encode`; with a key the line ends with `"mac"`, the HMAC of its hash
/// (`{...,"prev":"..","hash":"..","mac":".."}`).
pub fn encode_keyed(
    id: u64,
    at: DateTime<Utc>,
    event: &NewEvent,
    prev: &str,
    key: Option<&JournalKey>,
) -> (Stored, Vec<u8>) {
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
    line.extend_from_slice(HASH_FIELD);
    line.extend_from_slice(hash.as_bytes());
    if let Some(key) = key {
        line.extend_from_slice(MAC_FIELD);
        line.extend_from_slice(key.mac_hex(hash.as_bytes()).as_bytes());
    }
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

const HASH_FIELD: &[u8] = b",\"hash\":\"";
const MAC_FIELD: &[u8] = b"\",\"mac\":\"";
/// `,"hash":"` + 64 hex digits + `"`.
const HASH_TAIL: usize = HASH_FIELD.len() + 64 + 1;
/// `","mac":"` + 64 hex digits (after the hash's digits).
const MAC_TAIL: usize = MAC_FIELD.len() + 64;

/// What the chain needs of a decoded line: the whole event (`Stored`), or
/// only its chain fields (`Bare`, for `verify`: no payload built).
pub trait ChainFields {
    fn id(&self) -> u64;
    fn at(&self) -> DateTime<Utc>;
    fn set_at(&mut self, at: DateTime<Utc>);
    fn prev(&self) -> &str;
    fn hash(&self) -> &str;
}

impl ChainFields for Stored {
    fn id(&self) -> u64 {
        self.id
    }
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    fn set_at(&mut self, at: DateTime<Utc>) {
        self.at = at;
    }
    fn prev(&self) -> &str {
        &self.prev
    }
    fn hash(&self) -> &str {
        &self.hash
    }
}

/// A line's chain fields only, borrowed from the line (hex needs no escapes).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Bare<'a> {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub prev: &'a str,
    pub hash: &'a str,
    // Present, as in every event, but not built.
    #[serde(rename = "actor")]
    _actor: serde::de::IgnoredAny,
    #[serde(rename = "kind")]
    _kind: serde::de::IgnoredAny,
    #[serde(rename = "payload")]
    _payload: serde::de::IgnoredAny,
}

impl ChainFields for Bare<'_> {
    fn id(&self) -> u64 {
        self.id
    }
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    fn set_at(&mut self, at: DateTime<Utc>) {
        self.at = at;
    }
    fn prev(&self) -> &str {
        self.prev
    }
    fn hash(&self) -> &str {
        self.hash
    }
}

/// Parses and checks one line (without its newline): its own hash only.
pub fn decode(line: &str) -> Result<Stored, LineError> {
    decode_with_mac(line).map(|(stored, _)| stored)
}

/// As `decode`, with the line's MAC (hex) if it carries one (not checked here:
/// that needs the key, see `chain`).
pub fn decode_with_mac(line: &str) -> Result<(Stored, Option<&str>), LineError> {
    decode_as(line)
}

/// As `decode_with_mac`, into `T` (the whole event or its chain fields).
pub fn decode_as<'a, T>(line: &'a str) -> Result<(T, Option<&'a str>), LineError>
where
    T: serde::Deserialize<'a> + ChainFields,
{
    let bytes = line.as_bytes();
    let Some(inner) = bytes.strip_suffix(b"}") else {
        return Err(torn_or_not_canonical(line));
    };
    // `inner` ends with `,"hash":"H"` or `,"hash":"H","mac":"M"`.
    let (inner, mac) = match inner.len().checked_sub(MAC_TAIL + 1) {
        Some(at) if inner[at..].starts_with(MAC_FIELD) => (
            &inner[..at + 1],
            Some(&line[at + MAC_FIELD.len()..inner.len() - 1]),
        ),
        _ => (inner, None),
    };
    let Some(head_len) = inner
        .len()
        .checked_sub(HASH_TAIL)
        .filter(|&at| inner[at..].starts_with(HASH_FIELD) && inner.ends_with(b"\""))
    else {
        return Err(torn_or_not_canonical(line));
    };
    let stated = &line[head_len + HASH_FIELD.len()..inner.len() - 1];
    let stored: T = serde_json::from_str(line).map_err(|e| LineError::Torn(e.to_string()))?;
    if stored.hash() != stated {
        // The JSON's hash is not the one at the end (a duplicate key?).
        return Err(LineError::NotCanonical);
    }
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..head_len]);
    hasher.update(b"}");
    let actual = hasher.finalize();
    let mut stated_bytes = [0u8; 32];
    if hex::decode_to_slice(stated, &mut stated_bytes).is_err() || stated_bytes[..] != actual[..] {
        return Err(LineError::HashMismatch {
            stated: stored.hash().to_string(),
            actual: hex::encode(actual),
        });
    }
    Ok((stored, mac))
}

/// A line without the canonical ending: torn if it is not even JSON.
fn torn_or_not_canonical(line: &str) -> LineError {
    match serde_json::from_str::<Bare>(line) {
        Err(e) => LineError::Torn(e.to_string()),
        Ok(_) => LineError::NotCanonical,
    }
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
    fn a_keyed_line_carries_a_mac_of_its_hash() {
        let key = JournalKey::new(b"k".to_vec(), "$K");
        let (stored, line) = encode_keyed(1, Utc::now(), &new_event(), GENESIS, Some(&key));
        let text = std::str::from_utf8(&line).unwrap().trim_end();
        let (back, mac) = decode_with_mac(text).unwrap();
        assert_eq!(back, stored);
        assert!(key.checks(stored.hash.as_bytes(), mac.unwrap()));
        // The same event unkeyed hashes the same: the MAC sits outside the hash.
        let (plain, _) = encode(1, stored.at, &new_event(), GENESIS);
        assert_eq!(plain.hash, stored.hash);
        assert_eq!(
            decode_with_mac(text.replace("\"mac\"", "\"max\"").as_str()).err(),
            Some(LineError::NotCanonical)
        );
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
