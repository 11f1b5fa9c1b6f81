//! Reading journal bytes: complete lines become events, bad lines become
//! warnings (a reader never stops at a torn or edited line).

use super::chain::{decode_line, Chain, ChainState, Decoded, Head};
use super::error::JournalWarning;
use super::event::Stored;
use super::key::JournalKey;
use super::line::{decode, ChainFields, LineError};
use super::Followed;
use chrono::{DateTime, Utc};
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
    /// Where the hash chain stood: a follower goes on checking from here.
    #[serde(skip)]
    pub chain: ChainState,
}

/// Everything in a journal, as one reader saw it.
#[derive(Debug, Clone, Default)]
pub struct ReadAll {
    pub events: Vec<Stored>,
    pub warnings: Vec<JournalWarning>,
    /// Follow from here to see only what comes after.
    pub cursor: Cursor,
}

/// One complete line: its number and what it holds (its own hash only; the
/// chain is checked by `Chain`).
pub fn parse_line(bytes: &[u8], line: usize) -> Result<Stored, JournalWarning> {
    let warn = |why: String| JournalWarning { line, why };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| warn(LineError::Torn("not UTF-8".into()).to_string()))?;
    decode(text).map_err(|e| warn(e.to_string()))
}

/// Walks the complete lines at the start of `bytes` along `chain`, in order
/// (a trailing piece with no newline is left: it may be a line being
/// written). Returns what they hold and how many bytes and lines they took.
pub fn parse_complete(
    bytes: &[u8],
    first_line: usize,
    chain: &mut Chain<'_>,
) -> (Vec<Followed>, usize, usize) {
    let mut out = Vec::new();
    let (consumed, lines) = walk(bytes, first_line, chain, |item| out.push(item));
    (out, consumed, lines)
}

/// Below this many lines one thread decodes (threads cost more than they save).
const PARALLEL_FROM: usize = 4096;

/// `parse_complete`, handing each item to `sink` as the chain reaches it.
/// Lines are decoded (JSON, own hash) on up to four threads, then linked
/// into the chain in order on this one.
fn walk(
    bytes: &[u8],
    first_line: usize,
    chain: &mut Chain<'_>,
    mut sink: impl FnMut(Followed),
) -> (usize, usize) {
    let mut raws: Vec<&[u8]> = Vec::with_capacity(bytes.len() / 256 + 1);
    let mut consumed = 0;
    for raw in bytes.split_inclusive(|b| *b == b'\n') {
        let Some(raw) = raw.strip_suffix(b"\n") else {
            break;
        };
        consumed += raw.len() + 1;
        raws.push(raw);
    }
    for (i, decoded) in decode_many::<Stored>(&raws).enumerate() {
        chain.link_into(decoded, first_line + i, &mut sink);
    }
    (consumed, raws.len())
}

/// Each line decoded (JSON, own hash), in order: on up to four threads for a
/// big read, since lines do not depend on each other until they are linked.
pub fn decode_many<'a, T>(raws: &[&'a [u8]]) -> impl Iterator<Item = Decoded<'a, T>>
where
    T: serde::Deserialize<'a> + ChainFields + Send,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let parts: Vec<Vec<Decoded<'a, T>>> = if threads < 2 || raws.len() < PARALLEL_FROM {
        vec![raws.iter().map(|r| decode_line::<T>(r)).collect()]
    } else {
        let per = raws.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = raws
                .chunks(per)
                .map(|part| scope.spawn(move || part.iter().map(|r| decode_line::<T>(r)).collect()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        })
    };
    parts.into_iter().flatten()
}

/// Parses a whole journal read at once (under a shared lock, so no writer is
/// mid-line): a trailing piece without a newline is a torn line. Only lines
/// on the chain are events; the others are warnings.
pub fn parse_all(bytes: &[u8]) -> ReadAll {
    parse_all_with(bytes, None, Utc::now())
}

/// As `parse_all`, checking MACs with `key` and times against `now`.
pub fn parse_all_with(bytes: &[u8], key: Option<&JournalKey>, now: DateTime<Utc>) -> ReadAll {
    let mut chain = Chain::new(ChainState::default(), key, now);
    let (mut events, mut warnings) = (Vec::with_capacity(bytes.len() / 256), Vec::new());
    let (consumed, lines) = walk(bytes, 1, &mut chain, |item| match item {
        Followed::Event(e) => events.push(e),
        Followed::Warning(w) => warnings.push(w),
    });
    let mut out = ReadAll {
        events,
        warnings,
        cursor: Cursor {
            offset: consumed as u64,
            lines,
            revision: 0,
            chain: chain.state,
        },
    };
    if consumed < bytes.len() {
        out.warnings.push(JournalWarning {
            line: out.cursor.lines + 1,
            why: "the last line is incomplete (a writer died mid-write)".into(),
        });
    }
    out
}

impl ReadAll {
    /// The journal's head as this reader saw it (the last line on the chain).
    pub fn head(&self) -> Option<Head> {
        self.cursor.chain.head()
    }
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
