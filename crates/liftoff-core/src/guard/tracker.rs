//! The `for` of a guard: it trips only when its condition has held, without a
//! break, for that long (default 0: at once). A clear reading resets it, and so
//! does an unknown one (as a Prometheus alert's `for` does: no data is not
//! "still bad"); unknown never trips but is reported. Guards watch only while a
//! ramp runs. Pure: readings and times in, updates out.

use super::judge::Trip;
use crate::journal::event::GuardTripped;
use crate::journal::Event;
use crate::playbook::{Guard, OnTrip};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// What one reading did to a guard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Update {
    /// No ramp is running: guards do not watch.
    Idle,
    Clear,
    /// The condition holds; it trips once it has held for `for`.
    Pending {
        since: DateTime<Utc>,
        left: Duration,
    },
    /// It trips now: act (kill or alarm). Reported once per episode.
    Tripped {
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// Still holding after it tripped (already acted on).
    StillTripped {
        since: DateTime<Utc>,
    },
    /// No answer: does not trip, resets the `for` count.
    Unknown {
        reason: String,
    },
}

#[derive(Debug, Clone, Default)]
struct Track {
    since: Option<DateTime<Utc>>,
    tripped: bool,
}

/// Every guard's count toward its `for`, keyed by guard id.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    tracks: HashMap<String, Track>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one reading of `guard` taken at `at`. `running`: a ramp is running
    /// (`ReleaseState::ramp_running`).
    pub fn observe(
        &mut self,
        guard: &Guard,
        trip: &Trip,
        at: DateTime<Utc>,
        running: bool,
    ) -> Update {
        if !running {
            self.tracks.remove(&guard.id);
            return Update::Idle;
        }
        let track = self.tracks.entry(guard.id.clone()).or_default();
        match trip {
            Trip::Clear => {
                *track = Track::default();
                Update::Clear
            }
            Trip::Unknown(reason) => {
                track.since = None;
                Update::Unknown {
                    reason: reason.clone(),
                }
            }
            Trip::Holds => {
                let since = *track.since.get_or_insert(at);
                if track.tripped {
                    return Update::StillTripped { since };
                }
                let held = (at - since).to_std().unwrap_or_default();
                let need = guard.for_.map(|d| d.as_std()).unwrap_or_default();
                if held >= need {
                    track.tripped = true;
                    Update::Tripped { since, at }
                } else {
                    Update::Pending {
                        since,
                        left: need - held,
                    }
                }
            }
        }
    }

    /// Forgets every guard (e.g. after the kill switch fired).
    pub fn reset(&mut self) {
        self.tracks.clear();
    }
}

/// The journal event for a trip.
pub fn tripped_event(guard: &Guard, since: DateTime<Utc>, value: Option<String>) -> Event {
    let held = guard.for_.map(|d| format!(" for {d}")).unwrap_or_default();
    Event::GuardTripped(GuardTripped {
        guard: guard.id.clone(),
        on_trip: match guard.on_trip {
            OnTrip::Kill => "kill".into(),
            OnTrip::Alarm => "alarm".into(),
        },
        reason: format!(
            "`{}` held{held}{}",
            guard.trip,
            value
                .as_deref()
                .map(|v| format!(" (value {v})"))
                .unwrap_or_default()
        ),
        value,
        since,
    })
}
