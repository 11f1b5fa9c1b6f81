//! Reading journal bytes: complete lines become events, bad lines become
//! warnings (a reader never stops at a torn or edited line).

use super::error::JournalWarning;
use super::event::Stored;
use super::line::{decode, LineError};
use serde::Serialize;

/// Where a reader stopped: the byte offset after the last complete line and
/// how many lines that was (so a follower numbers lines like `verify` does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cursor {
    pub offset: u64,
    pub lines: usize,
    /// etcd: the store revision the read saw (a follower watches from the next
    /// one); 0 for the file journal, or to follow from the start.
    pub revision: i64,
}

/// Everything in a journal, as one reader saw it.
#[derive(Debug, Clone, Default)]
pub struct ReadAll {
    pub events: Vec<Stored>,
    pub warnings: Vec<JournalWarning>,
    /// Follow from here to see only what comes after.
    pub cursor: Cursor,
}

/// One complete line: its number and what it holds.
pub(crate) fn parse_line(bytes: &[u8], line: usize) -> Result<Stored, JournalWarning> {
    let warn = |why: String| JournalWarning { line, why };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| warn(LineError::Torn("not UTF-8".into()).to_string()))?;
    decode(text).map_err(|e| warn(e.to_string()))
}

/// Parses the complete lines at the start of `bytes`, in order (a trailing
/// piece with no newline is left: it may be a line being written). Returns the
/// lines and how many bytes they took.
pub(crate) fn parse_complete(
    bytes: &[u8],
    first_line: usize,
) -> (Vec<Result<Stored, JournalWarning>>, usize) {
    let mut consumed = 0;
    let mut out = Vec::new();
    while let Some(nl) = bytes[consumed..].iter().position(|b| *b == b'\n') {
        out.push(parse_line(
            &bytes[consumed..consumed + nl],
            first_line + out.len(),
        ));
        consumed += nl + 1;
    }
    (out, consumed)
}

/// Parses a whole journal read at once (under a shared lock, so no writer is
/// mid-line): a trailing piece without a newline is a torn line.
pub(crate) fn parse_all(bytes: &[u8]) -> ReadAll {
    let mut out = ReadAll::default();
    let (lines, consumed) = parse_complete(bytes, 1);
    out.cursor = Cursor {
        offset: consumed as u64,
        lines: lines.len(),
        revision: 0,
    };
    for line in lines {
        match line {
            Ok(e) => out.events.push(e),
            Err(w) => out.warnings.push(w),
        }
    }
    if consumed < bytes.len() {
        out.warnings.push(JournalWarning {
            line: out.cursor.lines + 1,
            why: "the last line is incomplete (a writer died mid-write)".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, NewEvent};
    use crate::journal::line::{encode, GENESIS};

    fn line(id: u64, prev: &str) -> (Stored, Vec<u8>) {
        let ev = NewEvent {
            actor: Actor::here(Some("t")),
            kind: "ack".into(),
            payload: serde_json::json!({"role": "captain"}),
        };
        encode(id, chrono::Utc::now(), &ev, prev)
    }

    #[test]
    fn garbage_between_lines_is_skipped_and_named() {
        let (a, la) = line(1, GENESIS);
        let (b, lb) = line(2, &a.hash);
        let mut bytes = la.clone();
        bytes.extend_from_slice(b"{\"id\":9,\"at\n");
        bytes.extend_from_slice(&lb);
        let r = parse_all(&bytes);
        assert_eq!(r.events, vec![a, b]);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].line, 2);
        assert_eq!(r.cursor.lines, 3);
        assert_eq!(r.cursor.offset, bytes.len() as u64);
    }

    #[test]
    fn trailing_piece_is_torn_and_not_consumed() {
        let (a, la) = line(1, GENESIS);
        let mut bytes = la.clone();
        bytes.extend_from_slice(b"{\"id\":2");
        let r = parse_all(&bytes);
        assert_eq!(r.events, vec![a]);
        assert_eq!(r.warnings[0].line, 2);
        assert!(r.warnings[0].why.contains("incomplete"));
        assert_eq!(r.cursor.offset, la.len() as u64);
    }
}
