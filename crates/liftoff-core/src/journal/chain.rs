//! The chain walk every reader shares (`verify`, `read_all`, a follower): a
//! line counts only if it is on the chain — its own hash right, its `prev`
//! the hash of the last good line (and its id the next), and, for a keyed
//! journal read with the key, its MAC right. What `verify` names as bad, the
//! fold never counts.
//!
//! A bad line does not hide the ones after it: the next line may chain onto
//! it (a line edited after others were written onto it) or onto the last
//! good line (a line a writer could not decode, so it chained past it).
//!
//! Times: an event dated more than `AHEAD` after this host's clock is counted
//! as of the event before it (and said so), so one wrong clock cannot make
//! every later event — and every ACK — look fresh forever.

use super::error::JournalWarning;
use super::event::Stored;
use super::key::JournalKey;
use super::line::{decode_as, Bare, ChainFields, LineError};
use super::Followed;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How far ahead of the local clock an event's time may be.
pub const AHEAD: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Where the chain stands after some lines (kept in a `Cursor` so a follower
/// goes on checking where `read_all` stopped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChainState {
    /// The last good line's hash and id (all zeros, as `GENESIS`, and 0: none yet).
    head: [u8; 32],
    last_id: u64,
    /// A bad line right after it that states a hash and id: the next line may
    /// chain onto it (an edited line), so one break is reported once.
    alt: Option<([u8; 32], u64)>,
    /// The time of the last counted event (clamped: see `AHEAD`).
    last_at: Option<DateTime<Utc>>,
}

/// The time of a new event after one at `last`: never before it (time does
/// not run backwards along the chain, whatever the hosts' clocks say), unless
/// `last` is more than `AHEAD` after `now` — then `now`: one far-future line
/// must not date every line after it (readers name that line).
pub fn next_at(now: DateTime<Utc>, last: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match last {
        Some(last) if last <= now + AHEAD => now.max(last),
        _ => now,
    }
}

/// The journal's head: the last good line's hash and id, as `HASH@ID`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Head {
    pub hash: String,
    /// The event's id (its line number when no line is torn).
    pub line: u64,
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.hash, self.line)
    }
}

impl std::str::FromStr for Head {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (hash, line) = s
            .split_once('@')
            .ok_or_else(|| format!("`{s}` is not HASH@LINE"))?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{hash}` is not a 64-digit hex SHA-256 hash"));
        }
        let line = line
            .trim()
            .parse()
            .map_err(|_| format!("`{line}` is not a line number"))?;
        Ok(Head { hash, line })
    }
}

impl ChainState {
    /// The last good line, if any.
    pub fn head(&self) -> Option<Head> {
        (self.last_id > 0).then(|| Head {
            hash: hex::encode(self.head),
            line: self.last_id,
        })
    }
}

/// What one line is, on the chain or not.
#[derive(Debug)]
pub enum Step<T = Stored> {
    /// On the chain; `note` says if its time was clamped (or the event is left
    /// out of the fold: `event` None, a first line dated far ahead).
    On {
        event: Option<T>,
        note: Option<String>,
    },
    /// Not on the chain: not counted.
    Off(String),
}

/// A line whose own hash is right (and its MAC, unchecked), or why not.
pub type Decoded<'a, T = Stored> = Result<DecodedLine<'a, T>, Undecoded>;

/// A line's fields, its MAC (hex, if any) and its chain hashes as bytes: the
/// hex is decoded with the rest of the line, off the thread that links.
#[derive(Debug)]
pub struct DecodedLine<'a, T> {
    fields: T,
    mac: Option<&'a str>,
    hash: [u8; 32],
    prev: Option<[u8; 32]>,
}

/// A line that is not a valid event: why, and the hash and id it states (if
/// its JSON parses), for the next line that may chain onto it.
#[derive(Debug)]
pub struct Undecoded {
    why: String,
    stated: Option<([u8; 32], u64)>,
}

/// The part of reading a line that needs no other line (JSON, own hash):
/// independent per line, so a big read decodes on several threads.
pub fn decode_line<'a, T>(raw: &'a [u8]) -> Decoded<'a, T>
where
    T: serde::Deserialize<'a> + ChainFields,
{
    let text = std::str::from_utf8(raw).map_err(|_| Undecoded {
        why: LineError::Torn("not UTF-8".into()).to_string(),
        stated: None,
    })?;
    let (fields, mac) = decode_as::<T>(text).map_err(|e| Undecoded {
        why: e.to_string(),
        stated: serde_json::from_str::<Bare>(text)
            .ok()
            .and_then(|s| hash_bytes(s.hash).map(|h| (h, s.id))),
    })?;
    let hash = hash_bytes(fields.hash()).ok_or_else(|| Undecoded {
        why: "the hash is not 64 hex digits".into(),
        stated: None,
    })?;
    let prev = hash_bytes(fields.prev());
    Ok(DecodedLine {
        fields,
        mac,
        hash,
        prev,
    })
}

/// Walks lines in order. `key`: check MACs (a keyed journal, read with its key).
pub struct Chain<'k> {
    pub state: ChainState,
    key: Option<&'k JournalKey>,
    now: DateTime<Utc>,
}

impl<'k> Chain<'k> {
    pub fn new(state: ChainState, key: Option<&'k JournalKey>, now: DateTime<Utc>) -> Self {
        Chain { state, key, now }
    }

    /// One complete line (without its newline).
    pub fn step(&mut self, raw: &[u8]) -> Step {
        self.link(decode_line::<Stored>(raw))
    }

    /// One line decoded by `decode_line` (maybe on another thread): is it on the chain?
    pub fn link<T: ChainFields>(&mut self, decoded: Decoded<'_, T>) -> Step<T> {
        let DecodedLine {
            fields: mut stored,
            mac,
            hash,
            prev,
        } = match decoded {
            Ok(d) => d,
            Err(Undecoded { why, stated }) => {
                // An edited line still states its hash: the next may chain onto it.
                if stated.is_some() {
                    self.state.alt = stated;
                }
                return Step::Off(why);
            }
        };
        let id = stored.id();
        let after_head = prev == Some(self.state.head) && id == self.state.last_id + 1;
        let after_alt = self
            .state
            .alt
            .is_some_and(|(h, alt_id)| prev == Some(h) && id == alt_id + 1);
        let off = if let Some(why) = self.mac_problem(stored.hash(), mac) {
            Some(why)
        } else if prev != Some(self.state.head) && !after_alt {
            Some(format!(
                "prev {} is not the hash of the last good line before it ({}): a line was removed, inserted or reordered; not counted",
                short(stored.prev()),
                short(&hex::encode(self.state.head))
            ))
        } else if !after_head && !after_alt {
            Some(format!(
                "id {id} does not follow id {}; not counted",
                self.state.last_id
            ))
        } else {
            None
        };
        if let Some(why) = off {
            self.state.alt = Some((hash, id));
            return Step::Off(why);
        }
        self.state.head = hash;
        self.state.last_id = id;
        self.state.alt = None;
        let mut note = None;
        let mut event = None;
        let at = stored.at();
        if at > self.now + AHEAD {
            match self.state.last_at {
                Some(before) => {
                    note = Some(format!(
                        "dated {}, more than {} min after this host's clock: counted as of the event before it ({})",
                        at.to_rfc3339(),
                        AHEAD.num_minutes(),
                        before.to_rfc3339()
                    ));
                    stored.set_at(before);
                    event = Some(stored);
                }
                None => {
                    note = Some(format!(
                        "dated {}, more than {} min after this host's clock, with no event before it: not counted",
                        at.to_rfc3339(),
                        AHEAD.num_minutes()
                    ));
                }
            }
        } else {
            event = Some(stored);
        }
        if let Some(e) = &event {
            let at = e.at();
            self.state.last_at = Some(self.state.last_at.map_or(at, |t| t.max(at)));
        }
        Step::On { event, note }
    }

    fn mac_problem(&self, hash: &str, mac: Option<&str>) -> Option<String> {
        let key = self.key?;
        match mac {
            None => Some(format!(
                "no MAC, and the journal is keyed ({}): written without the key, or edited; not counted",
                key.from()
            )),
            Some(m) if !key.checks(hash.as_bytes(), m) => Some(format!(
                "the MAC does not match the key from {}: edited, re-chained or forged by someone without the key; not counted",
                key.from()
            )),
            Some(_) => None,
        }
    }

    /// Links one decoded line and hands what a reader delivers to `sink` (`line`: its number).
    pub fn link_into(
        &mut self,
        decoded: Decoded<'_, Stored>,
        line: usize,
        sink: &mut impl FnMut(Followed),
    ) {
        match self.link(decoded) {
            Step::On { event, note } => {
                if let Some(e) = event {
                    sink(Followed::Event(e));
                }
                if let Some(why) = note {
                    sink(Followed::Warning(JournalWarning { line, why }));
                }
            }
            Step::Off(why) => sink(Followed::Warning(JournalWarning { line, why })),
        }
    }
}

impl Default for Chain<'_> {
    fn default() -> Self {
        Chain::new(ChainState::default(), None, Utc::now())
    }
}

fn hash_bytes(hex_hash: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_hash, &mut out).ok().map(|_| out)
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::event::{Actor, NewEvent};
    use crate::journal::line::{encode, encode_keyed, GENESIS};
    use crate::journal::read::parse_all_with;

    fn ev(role: &str) -> NewEvent {
        NewEvent {
            actor: Actor::here(Some("t")),
            kind: "ack".into(),
            payload: serde_json::json!({ "role": role }),
        }
    }

    fn chain(n: u64, at: DateTime<Utc>) -> (Vec<Vec<u8>>, Vec<Stored>) {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let (s, l) = encode(id, at, &ev("x"), &prev);
                prev = s.hash.clone();
                (l, s)
            })
            .unzip()
    }

    #[test]
    fn a_line_with_its_own_hash_right_but_off_the_chain_is_not_counted() {
        let now = Utc::now();
        let (mut lines, events) = chain(2, now);
        let (_, forged) = encode(3, now, &ev("captain"), &"ab".repeat(32));
        lines.push(forged);
        let read = parse_all_with(&lines.concat(), None, now);
        assert_eq!(read.events, events);
        assert_eq!(read.warnings.len(), 1);
        assert_eq!(read.warnings[0].line, 3);
        assert!(read.warnings[0].why.contains("not counted"));
        assert_eq!(read.head().map(|h| h.line), Some(2));
    }

    #[test]
    fn after_an_edited_last_line_a_writer_chaining_past_it_is_counted() {
        let now = Utc::now();
        let (mut lines, events) = chain(2, now);
        lines[1] = String::from_utf8(lines[1].clone())
            .unwrap()
            .replace("\"x\"", "\"y\"")
            .into_bytes();
        // The writer's tail skips the edited line: it chains onto line 1.
        let (c, l3) = encode(2, now, &ev("z"), &events[0].hash);
        lines.push(l3);
        let read = parse_all_with(&lines.concat(), None, now);
        assert_eq!(read.events, vec![events[0].clone(), c]);
        assert_eq!(read.warnings.len(), 1);
        assert_eq!(read.warnings[0].line, 2);
    }

    #[test]
    fn a_time_far_ahead_counts_as_the_event_before_it() {
        let now = Utc::now();
        let (h1, l1) = encode(1, now, &ev("a"), GENESIS);
        let ahead = now + chrono::TimeDelta::days(365);
        let (_, l2) = encode(2, ahead, &ev("b"), &h1.hash);
        let read = parse_all_with(&[l1, l2].concat(), None, now);
        assert_eq!(read.events.len(), 2);
        assert_eq!(read.events[1].at, now);
        assert!(read.warnings[0].why.contains("after this host's clock"));
        // A first line far ahead has nothing to count as: left out, said.
        let (_, only) = encode(1, ahead, &ev("a"), GENESIS);
        let read = parse_all_with(&only, None, now);
        assert!(read.events.is_empty());
        assert_eq!(read.warnings.len(), 1);
        // Writers: never after a far-future line, never before a near one.
        assert_eq!(next_at(now, Some(ahead)), now);
        let soon = now + chrono::TimeDelta::seconds(2);
        assert_eq!(next_at(now, Some(soon)), soon);
    }

    #[test]
    fn with_the_key_only_lines_with_a_good_mac_count() {
        let now = Utc::now();
        let key = JournalKey::new(b"k".to_vec(), "$K");
        let (a, l1) = encode_keyed(1, now, &ev("a"), GENESIS, Some(&key));
        let (_, forged) = encode(2, now, &ev("captain"), &a.hash);
        let wrong = JournalKey::new(b"guess".to_vec(), "$K");
        let (_, guessed) = encode_keyed(2, now, &ev("captain"), &a.hash, Some(&wrong));
        for bad in [forged, guessed] {
            let bytes = [l1.clone(), bad].concat();
            let read = parse_all_with(&bytes, Some(&key), now);
            assert_eq!(read.events, vec![a.clone()]);
            assert!(read.warnings[0].why.contains("MAC"), "{:?}", read.warnings);
            // Without the key the same bytes count: that is the unkeyed chain.
            assert_eq!(parse_all_with(&bytes, None, now).events.len(), 2);
        }
    }

    #[test]
    fn a_head_reads_back_from_its_text() {
        let h: Head = format!("{}@12", "AB".repeat(32)).parse().unwrap();
        assert_eq!(h.line, 12);
        assert_eq!(h.to_string(), format!("{}@12", "ab".repeat(32)));
        assert!("abc@1".parse::<Head>().is_err());
        assert!(format!("{}@x", "ab".repeat(32)).parse::<Head>().is_err());
    }
}
