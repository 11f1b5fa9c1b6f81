//! What the cockpit watches by itself while a ramp runs: the guards, judged on
//! every observation of their source as it arrives (no timer of their own, so
//! a trip follows the data within one poll), and the decision points of the
//! current stage, recorded on the clock tick when they fall due.

use super::App;
use crate::guard::{judge_trip, stale_after, Update};
use crate::playbook::OnTrip;
use crate::ramp;
use crate::source::Observation;
use crate::tui::act::Act;
use chrono::{DateTime, Utc};

impl App {
    /// Guards watch only while traffic is on and no kill switch has fired.
    pub fn guards_watching(&self) -> bool {
        self.release.ramp_running() && !self.kill_stops_the_ramp()
    }

    /// Judges every guard on `obs`'s source; a trip goes to the actuator at once.
    pub(crate) fn watch_guards(&mut self, obs: &Observation, now: DateTime<Utc>) {
        let running = self.guards_watching();
        let extra = self.extra();
        let mut trips = Vec::new();
        for guard in self
            .pb
            .guards
            .iter()
            .filter(|g| g.spec.source == obs.source)
        {
            let stale = self
                .pb
                .playbook
                .sources
                .get(&guard.spec.source)
                .map(stale_after)
                .unwrap_or_default();
            // A guard may compare with a baseline recorded in the journal.
            let extra = crate::baseline::extra_for(
                &extra,
                guard.spec.baseline.as_deref(),
                &self.release.baselines,
            );
            let reading = judge_trip(guard, Some(obs), now, &extra, stale);
            let update = self
                .tracker
                .observe(&guard.spec, &reading.trip, obs.at, running);
            if let Update::Tripped { since, .. } = update {
                trips.push((guard.spec.clone(), since, reading.value));
            }
        }
        for (guard, since, value) in trips {
            match guard.on_trip {
                OnTrip::Kill => self.kill_dispatched(now),
                // Already up (raised by this or another cockpit): answer it first.
                OnTrip::Alarm if self.release.alarm_guard.as_deref() == Some(&guard.id) => continue,
                OnTrip::Alarm => {}
            }
            let kill = guard.on_trip == OnTrip::Kill;
            let accepted = self.act(
                Act::GuardTripped {
                    guard: Box::new(guard),
                    since,
                    value,
                },
                now,
            );
            if kill && !accepted {
                self.kill_local = None;
            }
        }
    }

    /// Hands every decision point that fell due to the actuator, once.
    pub(crate) fn record_due_points(&mut self, now: DateTime<Utc>) {
        let Some(stage) = self.release.stage.clone() else {
            self.points_asked.clear();
            return;
        };
        // A new stage (or the same one entered again) starts afresh.
        self.points_asked
            .retain(|(name, entered, _)| *name == stage.name && *entered == stage.entered_at);
        for offset in ramp::due_decision_points(&self.pb.playbook, &self.release, now) {
            if self.points_asked.iter().any(|(_, _, o)| *o == offset) {
                continue;
            }
            self.points_asked
                .push((stage.name.clone(), stage.entered_at, offset));
            let event = ramp::decision_point_event(&stage, offset, &self.gate, &self.verdicts);
            self.act(
                Act::DecisionPoint {
                    stage: stage.name.clone(),
                    offset,
                    event: Box::new(event),
                },
                now,
            );
        }
    }
}
