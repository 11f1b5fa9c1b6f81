//! The end of a journal file: the last valid event (its id and hash continue
//! the chain) found by reading backwards, so an append costs the same on a
//! journal of ten lines or ten million.

use super::event::Stored;
use super::line::decode;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// The last valid event within the first `len` bytes of `file`, and whether
/// those bytes end with a newline (if not, the last line is torn).
pub(crate) fn last_valid(file: &File, len: u64) -> io::Result<(Option<Stored>, bool)> {
    if len == 0 {
        return Ok((None, true));
    }
    let mut last = [0u8];
    file.read_exact_at(&mut last, len - 1)?;
    let ends_with_newline = last[0] == b'\n';
    let mut window: u64 = 16 * 1024;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = vec![0u8; (len - start) as usize];
        file.read_exact_at(&mut buf, start)?;
        let mut segments: Vec<&[u8]> = buf.split(|b| *b == b'\n').collect();
        if start > 0 {
            // The first piece may begin mid-line.
            segments.remove(0);
        }
        let found = segments
            .iter()
            .rev()
            .filter(|s| !s.is_empty())
            .find_map(|s| std::str::from_utf8(s).ok().and_then(|t| decode(t).ok()));
        if found.is_some() || start == 0 {
            return Ok((found, ends_with_newline));
        }
        window = window.saturating_mul(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, NewEvent};
    use crate::journal::line::{encode, GENESIS};
    use std::io::Write;

    #[test]
    fn skips_a_torn_tail_and_reaches_far_back() {
        let ev = NewEvent {
            actor: Actor::here(Some("t")),
            kind: "ack".into(),
            payload: serde_json::json!({"role": "x"}),
        };
        let (first, line) = encode(1, chrono::Utc::now(), &ev, GENESIS);
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&line).unwrap();
        // 100 KB of garbage lines after it: more than the first window.
        for _ in 0..2000 {
            f.write_all(&[b'x'; 50]).unwrap();
            f.write_all(b"\n").unwrap();
        }
        f.write_all(b"{\"id\":2,\"at\"").unwrap();
        let len = f.metadata().unwrap().len();
        let (found, nl) = last_valid(&f, len).unwrap();
        assert_eq!(found, Some(first));
        assert!(!nl);
    }

    #[test]
    fn empty_file_has_no_tail() {
        let f = tempfile::tempfile().unwrap();
        assert_eq!(last_valid(&f, 0).unwrap(), (None, true));
    }
}
