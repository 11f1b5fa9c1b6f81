//! The end of a program's output, as evidence shows it: the last lines (where
//! a failing program says why), capped, newlines kept, other control
//! characters dropped (no terminal escapes reach a report or the cockpit),
//! credentials redacted.

use crate::io::secret;

/// At most this many lines ...
pub const TAIL_LINES: usize = 10;
/// ... and this many bytes.
pub const TAIL_BYTES: usize = 2048;

/// The last `TAIL_LINES` lines of `text`, at most `TAIL_BYTES` (cut at a
/// character boundary, marked `…`), trailing blank lines dropped.
pub fn tail(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let trimmed = clean.trim_end();
    let lines: Vec<&str> = trimmed.lines().collect();
    let kept = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    let mut out = if kept.len() > TAIL_BYTES {
        let mut start = kept.len() - TAIL_BYTES;
        while !kept.is_char_boundary(start) {
            start += 1;
        }
        format!("…{}", &kept[start..])
    } else {
        kept
    };
    if lines.len() > TAIL_LINES && !out.starts_with('…') {
        out = format!("…\n{out}");
    }
    secret::redact(&out, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines_with_their_newlines() {
        let text: String = (1..=15).map(|i| format!("line {i}\n")).collect();
        let t = tail(&text);
        assert!(t.starts_with("…\nline 6\n"), "{t}");
        assert!(t.ends_with("line 15"), "{t}");
        assert_eq!(t.lines().count(), TAIL_LINES + 1);
        assert_eq!(tail("one\ntwo\n\n"), "one\ntwo");
    }

    #[test]
    fn caps_bytes_at_a_char_boundary_and_drops_escapes() {
        let long = "é".repeat(3000);
        let t = tail(&long);
        assert!(t.len() <= TAIL_BYTES + '…'.len_utf8(), "{}", t.len());
        assert!(t.starts_with('…'));
        assert_eq!(tail("\x1b[31mred\x1b[0m\n"), "[31mred[0m");
    }

    #[test]
    fn redacts_credentials() {
        let t = tail("connect postgres://app:hunter2@db:5432/x failed\n");
        assert!(!t.contains("hunter2"), "{t}");
    }
}
