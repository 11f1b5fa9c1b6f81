//! Journal events -> `ReleaseState`, one event at a time. Pure: the same events
//! always fold to the same state, so every process sharing a journal agrees,
//! and a restart picks up exactly where the release was.

use super::summary::{actor_label, summary};
use super::{
    AckRecord, BaselineRecord, DecisionSummary, JournalLine, KillState, OutcomeSummary,
    OverrideRecord, ReleaseState, StageEntry, StageState, WaiverRecord,
};
use crate::journal::{Event, Followed, JournalWarning, ReadAll, Stored};
use crate::source::ManualState;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Events kept for the journal panel (between this and twice this).
pub const RECENT: usize = 200;
/// ACK records kept (one per role, person and stage; the oldest go first).
pub const MAX_ACKS: usize = 512;
/// Reader warnings kept.
pub const MAX_WARNINGS: usize = 50;
/// Overrides and waivers kept (the oldest go first).
pub const MAX_OVERRIDES: usize = 200;

impl ReleaseState {
    /// Folds events in journal order.
    pub fn fold(events: &[Stored]) -> Self {
        let mut state = ReleaseState::default();
        // Only the last RECENT events can end up on the journal panel: skip
        // writing summaries for the others (a 100,000-event replay stays fast).
        let first_shown = events.len().saturating_sub(RECENT);
        // ACKs are gathered and deduplicated once at the end: keeping the
        // newest-first list up to date per event costs a copy of it per ACK.
        let mut acks = Vec::new();
        for (i, e) in events.iter().enumerate() {
            state.apply_event(e, i >= first_shown, Some(&mut acks));
        }
        let mut seen = std::collections::HashSet::new();
        state.acks = acks
            .into_iter()
            .rev()
            .filter(|a: &AckRecord| seen.insert((a.role.clone(), a.by.clone(), a.stage.clone())))
            .take(MAX_ACKS)
            .collect();
        state
    }

    /// Folds everything a reader got, warnings included.
    pub fn from_read(read: &ReadAll) -> Self {
        let mut state = ReleaseState::fold(&read.events);
        for w in &read.warnings {
            state.warn(w);
        }
        state
    }

    /// What a follower delivered.
    pub fn apply_followed(&mut self, item: &Followed) {
        match item {
            Followed::Event(e) => self.apply(e),
            Followed::Warning(w) => self.warn(w),
        }
    }

    pub fn warn(&mut self, w: &JournalWarning) {
        self.warnings.push(w.to_string());
        if self.warnings.len() > MAX_WARNINGS {
            self.warnings.remove(0);
        }
    }

    /// A ramp is running: traffic is on (percent > 0) and no kill switch has fired.
    pub fn ramp_running(&self) -> bool {
        self.stage.as_ref().is_some_and(|s| s.percent > 0.0)
            && !matches!(
                self.kill,
                KillState::Firing { .. } | KillState::Halted { .. }
            )
    }

    pub fn apply(&mut self, e: &Stored) {
        self.apply_event(e, true, None);
    }

    /// `deferred`: collect ACKs there (oldest first) instead of into `self.acks`.
    fn apply_event(&mut self, e: &Stored, show: bool, deferred: Option<&mut Vec<AckRecord>>) {
        self.last_id = e.id;
        self.events += 1;
        let event = e.event();
        if show {
            self.push_recent(JournalLine {
                at: e.at,
                actor: actor_label(&e.actor),
                kind: e.kind.clone(),
                summary: match &event {
                    Some(ev) => summary(ev),
                    None => format!("({} from a newer liftoff or unreadable)", e.kind),
                },
            });
        }
        let Some(event) = event else {
            return;
        };
        let at = e.at;
        let by = &e.actor.name;
        match event {
            Event::Ack(a) => {
                let ack = AckRecord {
                    role: a.role,
                    by: by.clone(),
                    at,
                    comment: a.comment,
                    stage: a.stage,
                };
                match deferred {
                    Some(acks) => acks.push(ack),
                    None => self.add_ack(ack),
                }
            }
            Event::Decision(d) => {
                self.last_decision = Some(DecisionSummary {
                    decision: d.decision,
                    by: by.clone(),
                    at,
                    justification: d.justification,
                    next_review: d.next_review,
                })
            }
            Event::StageEntered(s) => {
                self.entries.push(StageEntry {
                    index: s.index,
                    name: s.name.clone(),
                    at,
                    back: s.back,
                });
                self.stage = Some(StageState {
                    index: s.index,
                    name: s.name,
                    percent: s.percent,
                    entered_at: at,
                    decision_points_done: Vec::new(),
                });
                // Entering a stage (set and read back) re-arms a kill switch that fired.
                if matches!(
                    self.kill,
                    KillState::Halted { .. } | KillState::Failed { .. }
                ) {
                    self.kill = KillState::Ready;
                }
            }
            Event::StageFailed(_) => {}
            Event::DecisionPoint(d) => {
                if let Some(stage) = self.stage.as_mut().filter(|s| s.name == d.stage) {
                    let offset = Duration::from_millis(d.offset_ms);
                    if !stage.decision_points_done.contains(&offset) {
                        stage.decision_points_done.push(offset);
                    }
                }
            }
            Event::GuardTripped(g) => {
                if g.on_trip == "alarm" {
                    self.alarm = Some(format!("guard {} tripped: {}", g.guard, g.reason));
                    self.alarm_guard = Some(g.guard);
                }
            }
            Event::AlarmAnswered(_) => {
                self.alarm = None;
                self.alarm_guard = None;
            }
            Event::KillFired(f) if self.kill_applies(&f.target, e) => {
                *self.kill_slot(f.target) = KillState::Firing { since: happened(e) }
            }
            Event::KillVerified(v) if self.kill_applies(&v.target, e) => {
                *self.kill_slot(v.target) = halted(happened(e), v.took_ms);
                // The world is halted: a ramp starts again from its first stage.
                if let Some(st) = self.stage.take() {
                    self.halted_from = Some(st);
                }
            }
            Event::KillFailed(f) if self.kill_applies(&f.target, e) => {
                *self.kill_slot(f.target) = failed(happened(e), f.why)
            }
            Event::KillFired(_) | Event::KillVerified(_) | Event::KillFailed(_) => {}
            Event::RollbackFired(f) => {
                *self.rollback_slot(f.target) = KillState::Firing { since: happened(e) }
            }
            Event::RollbackVerified(v) => {
                *self.rollback_slot(v.target) = halted(happened(e), v.took_ms)
            }
            Event::RollbackFailed(f) => *self.rollback_slot(f.target) = failed(happened(e), f.why),
            Event::ManualTicked(m) | Event::ManualUnticked(m) => {
                let checked = e.kind == "manual_ticked";
                self.manual.insert(
                    m.item,
                    ManualState {
                        checked,
                        by: Some(by.clone()),
                        at: Some(at),
                    },
                );
            }
            Event::BaselineRecorded(b) => {
                self.baselines.insert(b.name.clone(), b.value);
                self.baseline_records.insert(
                    b.name,
                    BaselineRecord {
                        value: b.value,
                        by: by.clone(),
                        at,
                        source: b.source,
                        check: b.check,
                        stage: b.stage,
                    },
                );
            }
            Event::NotifyFailed(n) => {
                self.notify_failures += 1;
                self.last_notify_failure = Some(format!("{}: {}", n.target, n.why));
            }
            Event::DecisionOutcome(d) => {
                if d.overridden {
                    self.push_override(OverrideRecord {
                        at,
                        by: by.clone(),
                        what: format!(
                            "decision {} recorded while the gate was {}",
                            d.outcome.to_uppercase(),
                            d.gate
                        ),
                        justification: d.justification.clone(),
                    });
                }
                self.last_decision = Some(DecisionSummary {
                    decision: d.outcome.to_uppercase(),
                    by: by.clone(),
                    at,
                    justification: Some(d.justification.clone()),
                    next_review: d.next_review,
                });
                self.last_outcome = Some(OutcomeSummary {
                    outcome: d.outcome,
                    gate: d.gate,
                    overridden: d.overridden,
                    by: by.clone(),
                    at,
                    justification: d.justification,
                    stage: d.stage,
                });
            }
            Event::HoldOverridden(h) => self.push_override(OverrideRecord {
                at,
                by: by.clone(),
                what: format!("entered stage {}: {}", h.to, h.overridden.join("; ")),
                justification: h.justification,
            }),
            Event::CheckWaived(w) => {
                self.waivers.push(WaiverRecord {
                    check: w.check,
                    role: w.role,
                    by: by.clone(),
                    at,
                    until: w.until,
                    justification: w.justification,
                });
                if self.waivers.len() > MAX_OVERRIDES {
                    self.waivers.remove(0);
                }
            }
        }
    }

    fn push_override(&mut self, o: OverrideRecord) {
        self.overrides.push(o);
        if self.overrides.len() > MAX_OVERRIDES {
            self.overrides.remove(0);
        }
    }

    fn push_recent(&mut self, line: JournalLine) {
        self.recent.push(line);
        // Drop in batches: folding 100,000 events stays linear.
        if self.recent.len() >= 2 * RECENT {
            self.recent.drain(..RECENT);
        }
    }

    /// Newest first; one record per (role, person, stage): an ACK again refreshes it.
    fn add_ack(&mut self, ack: AckRecord) {
        self.acks
            .retain(|a| !(a.role == ack.role && a.by == ack.by && a.stage == ack.stage));
        self.acks.insert(0, ack);
        self.acks.truncate(MAX_ACKS);
    }

    /// Whether a kill_* record still says something about the kill switch: not
    /// when it was kept while the journal was away and a stage was entered
    /// after it happened (that stage's set action ran after the kill; entering
    /// it re-armed the switch, as it would have had the record come in time).
    fn kill_applies(&self, target: &Option<String>, e: &Stored) -> bool {
        let before_the_stage = match (kept_at(e), &self.stage) {
            (Some(kept), Some(stage)) => kept < stage.entered_at,
            _ => false,
        };
        target.is_some() || !before_the_stage
    }

    /// The kill switch's state (kill_* events name no target).
    fn kill_slot(&mut self, target: Option<String>) -> &mut KillState {
        match target {
            None => &mut self.kill,
            Some(t) => self.rollbacks.entry(t).or_default(),
        }
    }

    fn rollback_slot(&mut self, target: Option<String>) -> &mut KillState {
        self.rollbacks
            .entry(target.unwrap_or_else(|| "rollback".into()))
            .or_default()
    }
}

/// When a kill switch's (or rollback's) record kept in the local spool while
/// the journal was away was made (`kept_at`, see `journal::spool`); None for
/// a record written in time. Never later than it was written.
fn kept_at(e: &Stored) -> Option<DateTime<Utc>> {
    if e.payload.get("delayed") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    let kept = e.payload.get("kept_at")?.as_str()?;
    let kept = DateTime::parse_from_rfc3339(kept).ok()?.with_timezone(&Utc);
    Some(kept.min(e.at))
}

/// When the act a record tells of happened: when it was kept, for a record
/// that arrived late (its `at` is when the journal took it, maybe minutes
/// later: "HALTED 0s ago" would be a lie).
fn happened(e: &Stored) -> DateTime<Utc> {
    kept_at(e).unwrap_or(e.at)
}

fn halted(at: DateTime<Utc>, took_ms: u64) -> KillState {
    KillState::Halted { at, took_ms }
}

fn failed(at: DateTime<Utc>, why: String) -> KillState {
    KillState::Failed { at, why }
}
