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
use super::follow::Followed;
use super::key::JournalKey;
use super::line::{decode_with_mac, LineError};
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
pub enum Step {
    /// On the chain; `note` says if its time was clamped (or the event is left
    /// out of the fold: `event` None, a first line dated far ahead).
    On {
        event: Option<Stored>,
        note: Option<String>,
    },
    /// Not on the chain: not counted.
    Off(String),
}

/// A line whose own hash is right (and its MAC, unchecked), or why not.
pub type Decoded<'a> = Result<(Stored, Option<&'a str>), Undecoded>;

/// A line that is not a valid event: why, and the hash and id it states (if
/// its JSON parses), for the next line that may chain onto it.
#[derive(Debug)]
pub struct Undecoded {
    why: String,
    stated: Option<([u8; 32], u64)>,
}

/// The part of reading a line that needs no other line (JSON, own hash):
/// independent per line, so a big read decodes on several threads.
pub fn decode_line(raw: &[u8]) -> Decoded<'_> {
    let text = std::str::from_utf8(raw).map_err(|_| Undecoded {
        why: LineError::Torn("not UTF-8".into()).to_string(),
        stated: None,
    })?;
    decode_with_mac(text).map_err(|e| Undecoded {
        why: e.to_string(),
        stated: serde_json::from_str::<Stored>(text)
            .ok()
            .and_then(|s| hash_bytes(&s.hash).map(|h| (h, s.id))),
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
        self.link(decode_line(raw))
    }

    /// One line decoded by `decode_line` (maybe on another thread): is it on the chain?
    pub fn link(&mut self, decoded: Decoded<'_>) -> Step {
        let (mut stored, mac) = match decoded {
            Ok(d) => d,
            Err(Undecoded { why, stated }) => {
                // An edited line still states its hash: the next may chain onto it.
                if stated.is_some() {
                    self.state.alt = stated;
                }
                return Step::Off(why);
            }
        };
        let Some(hash) = hash_bytes(&stored.hash) else {
            return Step::Off("the hash is not 64 hex digits".into());
        };
        let prev = hash_bytes(&stored.prev);
        let after_head = prev == Some(self.state.head) && stored.id == self.state.last_id + 1;
        let after_alt = self
            .state
            .alt
            .is_some_and(|(h, id)| prev == Some(h) && stored.id == id + 1);
        let off = if let Some(why) = self.mac_problem(&stored, mac) {
            Some(why)
        } else if prev != Some(self.state.head) && !after_alt {
            Some(format!(
                "prev {} is not the hash of the last good line before it ({}): a line was removed, inserted or reordered; not counted",
                short(&stored.prev),
                short(&hex::encode(self.state.head))
            ))
        } else if !after_head && !after_alt {
            Some(format!(
                "id {} does not follow id {}; not counted",
                stored.id, self.state.last_id
            ))
        } else {
            None
        };
        if let Some(why) = off {
            self.state.alt = Some((hash, stored.id));
            return Step::Off(why);
        }
        self.state.head = hash;
        self.state.last_id = stored.id;
        self.state.alt = None;
        let mut note = None;
        let mut event = None;
        if stored.at > self.now + AHEAD {
            match self.state.last_at {
                Some(before) => {
                    note = Some(format!(
                        "dated {}, more than {} min after this host's clock: counted as of the event before it ({})",
                        stored.at.to_rfc3339(),
                        AHEAD.num_minutes(),
                        before.to_rfc3339()
                    ));
                    stored.at = before;
                    event = Some(stored);
                }
                None => {
                    note = Some(format!(
                        "dated {}, more than {} min after this host's clock, with no event before it: not counted",
                        stored.at.to_rfc3339(),
                        AHEAD.num_minutes()
                    ));
                }
            }
        } else {
            event = Some(stored);
        }
        if let Some(e) = &event {
            self.state.last_at = Some(self.state.last_at.map_or(e.at, |t| t.max(e.at)));
        }
        Step::On { event, note }
    }

    fn mac_problem(&self, stored: &Stored, mac: Option<&str>) -> Option<String> {
        let key = self.key?;
        match mac {
            None => Some(format!(
                "no MAC, and the journal is keyed ({}): written without the key, or edited; not counted",
                key.from()
            )),
            Some(m) if !key.checks(stored.hash.as_bytes(), m) => Some(format!(
                "the MAC does not match the key from {}: edited, re-chained or forged by someone without the key; not counted",
                key.from()
            )),
            Some(_) => None,
        }
    }

    /// Links one decoded line and hands what a reader delivers to `sink` (`line`: its number).
    pub fn link_into(
        &mut self,
        decoded: Decoded<'_>,
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
