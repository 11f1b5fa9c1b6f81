//! `liftoff audit verify`: walk the hash chain and name every line that breaks
//! it (torn, edited, removed or reordered). A bad line does not hide the ones
//! after it: the chain resumes from the last good line.

use super::chain::{Chain, ChainState, Head, Step};
use super::key::KeySetting;
use super::line::Bare;
use super::read::decode_many;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    pub why: String,
}

/// What the MAC check could do.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MacCheck {
    /// No key configured: the unkeyed chain only.
    #[default]
    NotKeyed,
    /// Every line's MAC was checked with the key from `from`.
    Checked { from: String },
    /// A key is configured but this process does not have it.
    KeyMissing { from: String, why: String },
}

/// How `--expect-head` came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum HeadCheck {
    /// The anchored line is on the chain, where the anchor says.
    Found,
    /// No line on the chain has that hash: the tail was cut (or rewritten).
    Missing { expected: Head },
    /// The hash is there, with another id.
    Moved { expected: Head, id: u64 },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerifyReport {
    pub lines: usize,
    pub valid: usize,
    pub bad: Vec<BadLine>,
    /// The hash of the last valid line (the chain's head).
    pub head: Option<String>,
    /// The last valid line as `HASH@ID` (for `--expect-head`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_at: Option<Head>,
    /// Lines counted but noted (a time far ahead of this host's clock).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<BadLine>,
    pub mac: MacCheck,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_head: Option<HeadCheck>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.bad.is_empty()
            && !matches!(
                self.expected_head,
                Some(HeadCheck::Missing { .. } | HeadCheck::Moved { .. })
            )
    }
    pub fn first_bad(&self) -> Option<&BadLine> {
        self.bad.first()
    }
}

/// The unkeyed chain check.
pub fn verify_bytes(bytes: &[u8]) -> VerifyReport {
    verify_with(bytes, &KeySetting::None, None, Utc::now())
}

/// The chain check with the playbook's key setting, and the anchored head if given.
pub fn verify_with(
    bytes: &[u8],
    key: &KeySetting,
    expect: Option<&Head>,
    now: DateTime<Utc>,
) -> VerifyReport {
    let mut report = VerifyReport {
        mac: match key {
            KeySetting::None => MacCheck::NotKeyed,
            KeySetting::Available(k) => MacCheck::Checked {
                from: k.from().to_string(),
            },
            KeySetting::Missing { from, why } => MacCheck::KeyMissing {
                from: from.clone(),
                why: why.clone(),
            },
        },
        ..VerifyReport::default()
    };
    let mut chain = Chain::new(ChainState::default(), key.key(), now);
    let mut found: Option<u64> = None;
    let mut raws: Vec<&[u8]> = Vec::with_capacity(bytes.len() / 256 + 1);
    let mut consumed = 0;
    for raw in bytes.split_inclusive(|b| *b == b'\n') {
        let Some(raw) = raw.strip_suffix(b"\n") else {
            break;
        };
        consumed += raw.len() + 1;
        raws.push(raw);
    }
    // Only the chain fields: verify builds no payloads.
    for (i, decoded) in decode_many::<Bare>(&raws).enumerate() {
        let line = i + 1;
        match chain.link(decoded) {
            Step::On { note, .. } => {
                report.valid += 1;
                if let Some(why) = note {
                    report.notes.push(BadLine { line, why });
                }
                if let (Some(h), None) = (expect, found) {
                    if let Some(c) = chain.state.head().filter(|c| c.hash == h.hash) {
                        found = Some(c.line);
                    }
                }
            }
            Step::Off(why) => report.bad.push(BadLine { line, why }),
        }
    }
    report.lines = raws.len();
    if consumed < bytes.len() {
        report.lines += 1;
        report.bad.push(BadLine {
            line: report.lines,
            why: "the last line is incomplete (a writer died mid-write)".into(),
        });
    }
    report.head_at = chain.state.head();
    report.head = report.head_at.as_ref().map(|h| h.hash.clone());
    report.expected_head = expect.map(|h| match found {
        Some(id) if id == h.line => HeadCheck::Found,
        Some(id) => HeadCheck::Moved {
            expected: h.clone(),
            id,
        },
        None => HeadCheck::Missing {
            expected: h.clone(),
        },
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, NewEvent};
    use crate::journal::line::{encode, GENESIS};

    fn chain(n: u64) -> Vec<Vec<u8>> {
        let ev = NewEvent {
            actor: Actor::here(Some("t")),
            kind: "ack".into(),
            payload: serde_json::json!({"role": "x"}),
        };
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let (s, l) = encode(id, chrono::Utc::now(), &ev, &prev);
                prev = s.hash;
                l
            })
            .collect()
    }

    #[test]
    fn intact_chain() {
        let r = verify_bytes(&chain(5).concat());
        assert!(r.is_intact());
        assert_eq!((r.lines, r.valid), (5, 5));
    }

    #[test]
    fn removed_line_is_named_once() {
        let mut lines = chain(5);
        lines.remove(2);
        let r = verify_bytes(&lines.concat());
        assert_eq!(r.bad.len(), 1);
        assert_eq!(r.first_bad().unwrap().line, 3);
        assert!(r.bad[0].why.contains("removed"));
    }

    #[test]
    fn edited_line_is_named() {
        let mut lines = chain(3);
        lines[1] = String::from_utf8(lines[1].clone())
            .unwrap()
            .replace("\"x\"", "\"y\"")
            .into_bytes();
        let r = verify_bytes(&lines.concat());
        assert_eq!(r.bad.len(), 1);
        assert_eq!(r.first_bad().unwrap().line, 2);
        assert!(r.bad[0].why.contains("hash mismatch"));
    }

    #[test]
    fn swapped_lines_break_the_chain() {
        let mut lines = chain(4);
        lines.swap(1, 2);
        let r = verify_bytes(&lines.concat());
        assert_eq!(r.first_bad().unwrap().line, 2);
    }
}
