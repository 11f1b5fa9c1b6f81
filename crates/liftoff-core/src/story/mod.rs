//! The release's story (`liftoff report`): a pure reading of the journal for a
//! post-incident review. The timeline of stages, ACKs, decisions (with the
//! evidence their `_go_nogo.json` records), guard trips, the kill switch,
//! waivers and overrides; and the watched metrics over time, from the
//! snapshots decision points and decisions took ("hourly metrics").
//!
//! `Story::build` only reads what it is given (events, and the decision
//! records they name); `markdown` and `html` render it.

mod html;
mod markdown;
mod svg;

pub use html::html;
pub use markdown::markdown;

use crate::journal::{Event, Stored};
use crate::playbook::LoadedPlaybook;
use crate::release::{event_summary, ReleaseState};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// What kind of moment a timeline entry is (for the eye: a mark and a colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stage,
    Ack,
    Decision,
    Guard,
    Kill,
    Waiver,
    Override,
    Other,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Stage => "stage",
            Kind::Ack => "ACK",
            Kind::Decision => "decision",
            Kind::Guard => "guard",
            Kind::Kill => "kill switch",
            Kind::Waiver => "waiver",
            Kind::Override => "OVERRIDE",
            Kind::Other => "",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub who: String,
    pub kind: Kind,
    pub text: String,
}

/// One criterion (status, value, reason) as a decision point or a decision
/// read it: a story's snapshot or a decision's evidence.
#[derive(Debug, Clone)]
pub struct CriterionReading {
    pub status: String,
    pub value: Option<String>,
    pub reason: String,
}

/// Every check at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub at: DateTime<Utc>,
    /// "T+30m at 10%" or "decision EXPAND".
    pub label: String,
    pub gate: String,
    pub checks: BTreeMap<String, CriterionReading>,
}

/// A decision with the evidence it was taken on.
#[derive(Debug, Clone)]
pub struct DecisionStory {
    pub at: DateTime<Utc>,
    pub by: String,
    pub outcome: String,
    pub gate: String,
    pub overridden: bool,
    pub justification: String,
    pub holds: Vec<String>,
    pub record: Option<String>,
    /// From the record (empty when it could not be read).
    pub evidence: BTreeMap<String, CriterionReading>,
}

#[derive(Debug, Clone)]
pub struct Story {
    pub release: String,
    pub playbook: String,
    pub sha256: String,
    pub generated_at: DateTime<Utc>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub events: usize,
    pub timeline: Vec<Entry>,
    pub decisions: Vec<DecisionStory>,
    pub snapshots: Vec<Snapshot>,
    /// Check ids with their titles, in playbook order.
    pub checks: Vec<(String, String)>,
    /// The state at the end (stage, kill switch, overrides, waivers).
    pub end: ReleaseState,
}

fn kind_of(e: &Event) -> Kind {
    match e {
        Event::StageEntered(_) | Event::StageFailed(_) => Kind::Stage,
        Event::Ack(_) => Kind::Ack,
        Event::DecisionOutcome(d) if d.overridden => Kind::Override,
        Event::Decision(_) | Event::DecisionOutcome(_) => Kind::Decision,
        Event::GuardTripped(_) | Event::AlarmAnswered(_) => Kind::Guard,
        Event::KillFired(_)
        | Event::KillVerified(_)
        | Event::KillFailed(_)
        | Event::RollbackFired(_)
        | Event::RollbackVerified(_)
        | Event::RollbackFailed(_) => Kind::Kill,
        Event::CheckWaived(_) => Kind::Waiver,
        Event::HoldOverridden(_) => Kind::Override,
        _ => Kind::Other,
    }
}

fn who(s: &Stored) -> String {
    match &s.actor.role {
        Some(r) => format!("{} ({r})", s.actor.name),
        None => s.actor.name.clone(),
    }
}

/// The criteria a `_go_nogo.json` recorded, by check id.
fn record_evidence(path: &str) -> BTreeMap<String, CriterionReading> {
    let read = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let Some(json) = read else {
        return BTreeMap::new();
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    };
    json["criteria"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| {
                    Some((
                        c["id"].as_str()?.to_string(),
                        CriterionReading {
                            status: c["status"].as_str().unwrap_or("UNKNOWN").to_string(),
                            value: text(&c["evidence"]["value"]),
                            reason: c["evidence"]["reason"].as_str().unwrap_or("").to_string(),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn offset(ms: u64) -> String {
    humantime::format_duration(Duration::from_secs(ms / 1000)).to_string()
}

impl Story {
    pub fn build(pb: &LoadedPlaybook, events: &[Stored], now: DateTime<Utc>) -> Story {
        let mut timeline = Vec::new();
        let mut decisions = Vec::new();
        let mut snapshots = Vec::new();
        for s in events {
            let Some(e) = s.event() else { continue };
            match &e {
                Event::DecisionPoint(d) => snapshots.push(Snapshot {
                    at: s.at,
                    label: format!("T+{} at {}", offset(d.offset_ms), d.stage),
                    gate: d.decision.clone(),
                    checks: d
                        .checks
                        .iter()
                        .map(|c| {
                            let seen = CriterionReading {
                                status: c.status.clone(),
                                value: c.value.clone(),
                                reason: c.reason.clone(),
                            };
                            (c.id.clone(), seen)
                        })
                        .collect(),
                }),
                Event::DecisionOutcome(d) => {
                    let evidence = d.record.as_deref().map(record_evidence).unwrap_or_default();
                    if !evidence.is_empty() {
                        snapshots.push(Snapshot {
                            at: s.at,
                            label: format!("decision {}", d.outcome.to_uppercase()),
                            gate: d.gate.clone(),
                            checks: evidence.clone(),
                        });
                    }
                    decisions.push(DecisionStory {
                        at: s.at,
                        by: who(s),
                        outcome: d.outcome.to_uppercase(),
                        gate: d.gate.clone(),
                        overridden: d.overridden,
                        justification: d.justification.clone(),
                        holds: d.holds.clone(),
                        record: d.record.clone(),
                        evidence,
                    });
                }
                Event::Decision(d) => decisions.push(DecisionStory {
                    at: s.at,
                    by: who(s),
                    outcome: d.decision.clone(),
                    gate: d.decision.clone(),
                    overridden: false,
                    justification: d.justification.clone().unwrap_or_default(),
                    holds: d.holds.clone(),
                    record: d.record.clone(),
                    evidence: d.record.as_deref().map(record_evidence).unwrap_or_default(),
                }),
                _ => {}
            }
            let kind = kind_of(&e);
            // Decision points are the metrics table's rows, not timeline lines.
            if !matches!(e, Event::DecisionPoint(_) | Event::NotifyFailed(_)) {
                timeline.push(Entry {
                    id: s.id,
                    at: s.at,
                    who: who(s),
                    kind,
                    text: event_summary(&e),
                });
            }
        }
        Story {
            release: pb.name().to_string(),
            playbook: pb.path.display().to_string(),
            sha256: pb.sha256.clone(),
            generated_at: now,
            first: events.first().map(|e| e.at),
            last: events.last().map(|e| e.at),
            events: events.len(),
            timeline,
            decisions,
            snapshots,
            checks: pb
                .checks
                .iter()
                .map(|c| (c.spec.id.clone(), c.spec.title().to_string()))
                .collect(),
            end: ReleaseState::fold(events),
        }
    }

    /// The waiver that held `check` at `at`, if any.
    pub fn waived_at(
        &self,
        check: &str,
        at: DateTime<Utc>,
    ) -> Option<&crate::release::WaiverRecord> {
        self.end
            .waivers
            .iter()
            .rev()
            .find(|w| w.check == check && w.at <= at && at < w.until)
    }

    /// A check's numeric values over time (snapshots whose value reads as a number).
    pub fn series(&self, check: &str) -> Vec<(DateTime<Utc>, f64, String)> {
        self.snapshots
            .iter()
            .filter_map(|s| {
                let seen = s.checks.get(check)?;
                let v = number(seen.value.as_deref()?)?;
                Some((s.at, v, seen.status.clone()))
            })
            .collect()
    }
}

/// The number at the start of a value as evidence shows it ("0.97", "12 alerts", "3.5%").
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let end = t
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_digit() || *c == '.' || ((*c == '-' || *c == '+') && *i == 0) || *c == 'e')
        })
        .map_or(t.len(), |(i, _)| i);
    t[..end].parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_read_from_the_start_of_a_value() {
        assert_eq!(number("0.97"), Some(0.97));
        assert_eq!(number("12 alerts"), Some(12.0));
        assert_eq!(number("-3.5%"), Some(-3.5));
        assert_eq!(number("true"), None);
        assert_eq!(number(""), None);
    }
}
