//! `liftoff audit verify`: walk the hash chain and name every line that breaks
//! it (torn, edited, removed or reordered). A bad line does not hide the ones
//! after it: the chain resumes from the last good line.

use super::line::GENESIS;
use super::read::parse_line;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    pub why: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerifyReport {
    pub lines: usize,
    pub valid: usize,
    pub bad: Vec<BadLine>,
    /// The hash of the last valid line (the chain's head).
    pub head: Option<String>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.bad.is_empty()
    }
    pub fn first_bad(&self) -> Option<&BadLine> {
        self.bad.first()
    }
}

pub fn verify_bytes(bytes: &[u8]) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut prev_hash = GENESIS.to_string();
    let mut prev_id = 0u64;
    let mut rest = bytes;
    while !rest.is_empty() {
        let (raw, next, complete) = match rest.iter().position(|b| *b == b'\n') {
            Some(nl) => (&rest[..nl], &rest[nl + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        rest = next;
        report.lines += 1;
        let line = report.lines;
        let bad = |why: String| BadLine { line, why };
        if !complete {
            report.bad.push(bad(
                "the last line is incomplete (a writer died mid-write)".into()
            ));
            break;
        }
        let stored = match parse_line(raw, line) {
            Ok(s) => s,
            Err(w) => {
                report.bad.push(bad(w.why));
                // An edited line still states its hash: the chain goes on from
                // it, so only the edited line is named, not the one after.
                if let Ok(stated) = serde_json::from_slice::<super::event::Stored>(raw) {
                    prev_hash = stated.hash;
                    prev_id = stated.id;
                }
                continue;
            }
        };
        if stored.prev != prev_hash {
            report.bad.push(bad(format!(
                "prev {} is not the hash of the last good line before it ({}): a line was removed, inserted or reordered",
                short(&stored.prev),
                short(&prev_hash)
            )));
        } else if stored.id != prev_id + 1 {
            report.bad.push(bad(format!(
                "id {} does not follow id {prev_id}",
                stored.id
            )));
        } else {
            report.valid += 1;
        }
        // Resume the chain from here so one break is reported once.
        prev_hash = stored.hash;
        prev_id = stored.id;
    }
    report.head = (report.valid > 0).then_some(prev_hash);
    report
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, NewEvent};
    use crate::journal::line::encode;

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
