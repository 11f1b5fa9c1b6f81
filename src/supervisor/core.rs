//! The supervisor's state, without I/O: observations, the journal's state and
//! the clock go in; the assessment, guard trips and due decision points come
//! out as `Duty`s for the task (`run.rs`) to carry out, and a `Snapshot`
//! describes it all. The clock (`now`) is always passed in.
//!
//! An observation re-evaluates only the checks and guards reading its source
//! (`engine::SourceIndex`); the clock ticking only the checks time alone can
//! change (stale data, conditions reading `now`, manual items); the journal
//! changing re-assesses every check.

use super::history::GuardHistory;
use super::kill_view;
use super::snapshot::{Said, Snapshot, SourceHealth};
use crate::engine::{self, Assessment, SourceIndex, Verdict};
use crate::guard::{judge_trip, stale_after, Tracker, Update};
use crate::journal::Event;
use crate::playbook::{Guard, LoadedPlaybook, OnTrip};
use crate::poller::PollEvent;
use crate::ramp;
use crate::release::{KillState, ReleaseState};
use crate::source::Observation;
use crate::supervisor::event::SupervisorEvent;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

/// What the supervisor must do in the world (the task does it, `duties.rs`).
#[derive(Debug, Clone)]
pub enum Duty {
    /// A guard tripped while the ramp ran: kill or alarm, as it says.
    GuardTripped {
        guard: Box<Guard>,
        since: DateTime<Utc>,
        value: Option<String>,
    },
    /// A decision point of `stage` fell due: journal `event` unless another
    /// process already did.
    DecisionPoint {
        stage: String,
        offset: Duration,
        event: Box<Event>,
    },
}

/// How soon what changed should be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Publish {
    /// Nothing changed since the last snapshot (a poll merely starting is
    /// not worth one: it rides along with the next).
    Nothing,
    /// New data: publish, coalesced with whatever else comes soon.
    Soon,
    /// The kill switch, the journal, a trip or a notice: publish now.
    Now,
}

/// The parts of the last snapshot, shared with every snapshot (and reader)
/// until they change: publishing copies only what changed since.
#[derive(Debug, Default)]
struct Shared {
    verdicts: Option<Arc<Vec<Verdict>>>,
    observations: Option<Arc<HashMap<String, Arc<Observation>>>>,
    sources: Option<Arc<BTreeMap<String, SourceHealth>>>,
    guards: Option<Arc<Vec<GuardHistory>>>,
}

pub struct Core {
    pb: Arc<LoadedPlaybook>,
    index: SourceIndex,
    observations: HashMap<String, Arc<Observation>>,
    sources: BTreeMap<String, SourceHealth>,
    release: Arc<ReleaseState>,
    assessment: Assessment,
    guards: Vec<GuardHistory>,
    tracker: Tracker,
    /// Decision points handed out: (stage, entered at, offset).
    points_asked: Vec<(String, DateTime<Utc>, Duration)>,
    /// This supervisor's own guard kill, until the journal has caught up.
    kill_local: Option<KillState>,
    conditions: BTreeMap<&'static str, String>,
    said: Option<Said>,
    seq: u64,
    /// Checks evaluated since start (incremental evaluation's cost, tested).
    evaluated: u64,
    shared: Shared,
    publish: Publish,
}

impl Core {
    pub fn new(pb: Arc<LoadedPlaybook>, now: DateTime<Utc>) -> Core {
        let sources = crate::supervisor::snapshot::fresh_sources(&pb);
        let guards = crate::supervisor::snapshot::fresh_guards(&pb);
        let observations = HashMap::new();
        let release = Arc::new(ReleaseState::default());
        let assessment = engine::assess(&pb, &observations, &release, now);
        Core {
            index: SourceIndex::new(&pb),
            evaluated: pb.checks.len() as u64,
            pb,
            observations,
            sources,
            release,
            assessment,
            guards,
            tracker: Tracker::new(),
            points_asked: Vec::new(),
            kill_local: None,
            conditions: BTreeMap::new(),
            said: None,
            seq: 0,
            shared: Shared::default(),
            publish: Publish::Now,
        }
    }

    /// How soon the changes since the last snapshot should be published.
    pub fn publish(&self) -> Publish {
        self.publish
    }

    fn changed(&mut self, how: Publish) {
        self.publish = self.publish.max(how);
    }

    pub fn playbook(&self) -> &Arc<LoadedPlaybook> {
        &self.pb
    }

    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }

    pub fn release(&self) -> &ReleaseState {
        &self.release
    }

    /// How many check evaluations have run since start.
    pub fn evaluated(&self) -> u64 {
        self.evaluated
    }

    /// The kill switch as this supervisor knows it (see `Snapshot::kill`).
    pub fn kill(&self) -> &KillState {
        self.kill_local.as_ref().unwrap_or(&self.release.kill)
    }

    /// Guards watch only while traffic is on and no kill switch has fired.
    pub fn guards_watching(&self) -> bool {
        self.release.ramp_running()
            && !matches!(
                self.kill(),
                KillState::Firing { .. } | KillState::Halted { .. }
            )
    }

    pub fn poll_started(&mut self, source: &str) {
        if let Some(h) = self.sources.get_mut(source) {
            h.polling = true;
            self.shared.sources = None;
        }
    }

    /// A poll finished: its source's health, guards and checks; returns the
    /// guards that tripped (straight from the data, no timer in between).
    pub fn observe(&mut self, obs: Observation, now: DateTime<Utc>) -> Vec<Duty> {
        if let Some(health) = self.sources.get_mut(&obs.source) {
            health.polling = false;
            health.last_at = Some(obs.at);
            health.last_ok = Some(obs.outcome.is_ok());
            match &obs.outcome {
                Ok(_) => {
                    health.last_success = Some(obs.at);
                    health.error = None;
                    health.failures = 0;
                }
                Err(e) => {
                    health.error = Some(e.to_string());
                    health.failures = health.failures.saturating_add(1);
                }
            }
        }
        let duties = self.watch_guards(&obs, now);
        self.shared = Shared {
            guards: self
                .shared
                .guards
                .take()
                .filter(|_| self.index.guards(&obs.source).is_empty()),
            ..Shared::default()
        };
        self.changed(if duties.is_empty() {
            Publish::Soon
        } else {
            Publish::Now
        });
        let source = obs.source.clone();
        self.observations.insert(source.clone(), Arc::new(obs));
        let n = self.assessment.observe(
            &self.pb,
            &self.index,
            &source,
            &self.observations,
            &self.release,
            now,
        );
        self.evaluated += n as u64;
        duties
    }

    fn watch_guards(&mut self, obs: &Observation, now: DateTime<Utc>) -> Vec<Duty> {
        let running = self.guards_watching();
        let around = engine::assess::surroundings(&self.release);
        let mut duties = Vec::new();
        for &i in self.index.guards(&obs.source) {
            let (Some(guard), Some(history)) = (self.pb.guards.get(i), self.guards.get_mut(i))
            else {
                continue;
            };
            let around =
                around.with_baseline_named(guard.spec.baseline.as_deref(), &self.release.baselines);
            history.record(guard, obs, &around);
            let stale = self
                .pb
                .sources
                .get(&guard.spec.source)
                .map(stale_after)
                .unwrap_or_default();
            let reading = judge_trip(guard, Some(obs), now, &around, stale);
            let update = self
                .tracker
                .observe(&guard.spec, &reading.trip, obs.at, running);
            let Update::Tripped { since, .. } = update else {
                continue;
            };
            match guard.spec.on_trip {
                OnTrip::Kill => {
                    self.kill_local = Some(KillState::Firing { since: now });
                }
                // Already up (raised here or by another process): answer it first.
                OnTrip::Alarm
                    if self.release.alarm_guard.as_deref() == Some(guard.spec.id.as_str()) =>
                {
                    continue
                }
                OnTrip::Alarm => {}
            }
            duties.push(Duty::GuardTripped {
                guard: Box::new(guard.spec.clone()),
                since,
                value: reading.value,
            });
        }
        duties
    }

    /// The journal's fold changed: re-assess every check.
    pub fn release_changed(&mut self, state: ReleaseState, now: DateTime<Utc>) {
        self.release = Arc::new(state);
        self.changed(Publish::Now);
        if let Some(local) = &self.kill_local {
            if kill_view::caught_up(local, &self.release) {
                self.kill_local = None;
            }
        }
        self.reassess(now);
    }

    /// The clock: the checks time alone can change (staleness, `now`, manual
    /// items), the gate, and decision points falling due.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<Duty> {
        let ticked = self.assessment.tick(
            &self.pb,
            &self.index,
            &self.observations,
            &self.release,
            now,
        );
        self.evaluated += ticked.evaluated as u64;
        if ticked.changed {
            self.shared.verdicts = None;
            self.changed(Publish::Soon);
        }
        let duties = self.due_points(now);
        if !duties.is_empty() {
            self.changed(Publish::Now);
        }
        duties
    }

    fn reassess(&mut self, now: DateTime<Utc>) {
        self.assessment = engine::assess(&self.pb, &self.observations, &self.release, now);
        self.evaluated += self.pb.checks.len() as u64;
        self.shared.verdicts = None;
    }

    fn due_points(&mut self, now: DateTime<Utc>) -> Vec<Duty> {
        let Some(stage) = self.release.stage.clone() else {
            self.points_asked.clear();
            return Vec::new();
        };
        // A new stage (or the same one entered again) starts afresh.
        self.points_asked
            .retain(|(name, entered, _)| *name == stage.name && *entered == stage.entered_at);
        let mut duties = Vec::new();
        for offset in ramp::due_decision_points(&self.pb.playbook, &self.release, now) {
            if self.points_asked.iter().any(|(_, _, o)| *o == offset) {
                continue;
            }
            self.points_asked
                .push((stage.name.clone(), stage.entered_at, offset));
            let event = ramp::decision_point_event(
                &stage,
                offset,
                &self.assessment.gate,
                &self.assessment.verdicts,
            );
            duties.push(Duty::DecisionPoint {
                stage: stage.name.clone(),
                offset,
                event: Box::new(event),
            });
        }
        duties
    }

    /// What this supervisor's guard kill's readback proved.
    pub fn kill_done(&mut self, state: KillState) {
        let caught_up = kill_view::caught_up(&state, &self.release);
        self.kill_local = (!caught_up).then_some(state);
        self.changed(Publish::Now);
    }

    /// The guard's kill could not even start: nothing is firing.
    pub fn kill_not_started(&mut self) {
        if matches!(self.kill_local, Some(KillState::Firing { .. })) {
            self.kill_local = None;
        }
        self.changed(Publish::Now);
    }

    /// A lasting condition ("journal", "webhooks") holds (`Some`) or cleared.
    pub fn condition(&mut self, topic: &'static str, text: Option<String>) {
        let changed = match text {
            Some(t) => self.conditions.insert(topic, t.clone()) != Some(t),
            None => self.conditions.remove(topic).is_some(),
        };
        if changed {
            self.changed(Publish::Now);
        }
    }

    /// Something for the status line (and the log).
    pub fn say(&mut self, text: String, bad: bool, now: DateTime<Utc>) {
        self.changed(Publish::Now);
        let seq = self.said.as_ref().map_or(1, |s| s.seq + 1);
        self.said = Some(Said {
            seq,
            text,
            bad,
            at: now,
        });
    }

    /// Folds one event from the pollers, the journal follower, the journal's
    /// health, the webhooks or the actuator; returns the duties it gave rise to.
    pub fn apply(&mut self, event: SupervisorEvent, now: DateTime<Utc>) -> Vec<Duty> {
        match event {
            SupervisorEvent::Poll(PollEvent::Started { source }) => self.poll_started(&source),
            SupervisorEvent::Poll(PollEvent::Finished(obs)) => return self.observe(*obs, now),
            SupervisorEvent::ReleaseChanged(state) => self.release_changed(*state, now),
            SupervisorEvent::Notice { text, bad } => self.say(text, bad, now),
            SupervisorEvent::Condition { topic, text } => self.condition(topic, text),
            SupervisorEvent::KillDone { state, text, .. } => {
                let bad = !matches!(state, KillState::Halted { .. });
                self.kill_done(state);
                self.say(text, bad, now);
            }
            // The supervisor publishes snapshots; it never receives one.
            SupervisorEvent::Snapshot(_) => {}
        }
        Vec::new()
    }

    /// The picture to publish. What did not change since the last one is
    /// shared with it, not copied.
    pub fn snapshot(&mut self, now: DateTime<Utc>) -> Snapshot {
        self.seq += 1;
        self.publish = Publish::Nothing;
        let shared = &mut self.shared;
        let verdicts = shared
            .verdicts
            .get_or_insert_with(|| Arc::new(self.assessment.verdicts.clone()))
            .clone();
        let observations = shared
            .observations
            .get_or_insert_with(|| Arc::new(self.observations.clone()))
            .clone();
        let sources = shared
            .sources
            .get_or_insert_with(|| Arc::new(self.sources.clone()))
            .clone();
        let guards = shared
            .guards
            .get_or_insert_with(|| Arc::new(self.guards.clone()))
            .clone();
        Snapshot {
            at: now,
            seq: self.seq,
            release_name: self.pb.name().to_string(),
            verdicts,
            acks: self.assessment.acks.clone(),
            gate: self.assessment.gate.clone(),
            release: self.release.clone(),
            kill: self.kill().clone(),
            sources,
            guards,
            observations,
            conditions: self.conditions.clone(),
            said: self.said.clone(),
            guards_watching: self.guards_watching(),
        }
    }
}

#[cfg(test)]
mod tests;
