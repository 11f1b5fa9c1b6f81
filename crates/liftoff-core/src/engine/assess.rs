//! The one assessment of a release:
//! (playbook, latest observations, release state folded from the journal,
//! now) -> verdicts, ACK state, gate. `liftoff check`, `liftoff status`, the
//! cockpit, the supervisor and the tests' helpers all call this, so they
//! cannot disagree: a check reading `stage` or `percent` sees the journal's
//! current stage wherever it is evaluated, baselines come from the journal,
//! and manual items are what the journal says (never polled).
//!
//! `Assessment::observe` is the incremental form: an observation of one
//! source re-evaluates only the checks reading that source (indexed once per
//! playbook, `SourceIndex`), and the gate is recomputed from the verdicts.
//! It always equals a full `assess` over the same inputs (tested below).
//! Within one assessment a source's variables are bound once per query and
//! shared by the checks reading them (`Bound`).

use super::gate::{decide, AckStatus, GateDecision};
use super::verdict::{evaluate_bound, Verdict};
use crate::expr::bind::bind;
use crate::expr::bind::Surroundings;
use crate::expr::Vars;
use crate::playbook::{LoadedPlaybook, SourceConfig, SourceKind};
use crate::release::{self, ReleaseState};
use crate::source::Observation;
use chrono::{DateTime, Utc};
use std::borrow::Borrow;
use std::collections::HashMap;

/// What one assessment found.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// One per playbook check, in playbook order.
    pub verdicts: Vec<Verdict>,
    /// The roles the gate names (`release.go_acks`), with their ACK state.
    pub acks: Vec<AckStatus>,
    pub gate: GateDecision,
}

/// What conditions see besides their observation, from the journal's state:
/// the current stage's name and traffic share (`stage`, `percent`).
pub fn surroundings(state: &ReleaseState) -> Surroundings {
    Surroundings {
        percent: state.stage.as_ref().map(|s| s.percent),
        stage: state.stage.as_ref().map(|s| s.name.clone()),
        baseline: None,
    }
}

/// Variables bound once per (source, query) for one assessment: checks on
/// one source and query share them (`bind` once per observation, not per check).
pub type Bound = HashMap<(String, Option<String>), Result<Vars, String>>;

/// One check's verdict, with the baseline it names and (for a manual item)
/// the journal's tick overlaid. `around` is `surroundings(state)`, passed in so a
/// caller evaluating many checks builds it once; `bound` (if given) caches
/// the bound variables across the checks of one assessment.
pub fn check_verdict<O: Borrow<Observation>>(
    pb: &LoadedPlaybook,
    index: usize,
    observations: &HashMap<String, O>,
    state: &ReleaseState,
    now: DateTime<Utc>,
    around: &Surroundings,
    bound: Option<&mut Bound>,
) -> Option<Verdict> {
    let check = pb.checks.get(index)?;
    let source = &check.spec.source;
    let own = around.with_baseline_named(check.spec.baseline.as_deref(), &state.baselines);
    let manual = match pb.sources.get(source).map(|s| &s.config) {
        Some(SourceConfig::Manual(item)) => {
            Some(release::manual_observation(state, source, item, now))
        }
        _ => None,
    };
    let obs = match &manual {
        Some(m) => Some(m),
        None => observations.get(source).map(Borrow::borrow),
    };
    let payload = obs.and_then(|o| o.outcome.as_ref().ok());
    let shared = match (bound, payload) {
        (Some(cache), Some(payload)) if manual.is_none() => {
            let key = (source.clone(), check.spec.query.clone());
            Some(
                &*cache
                    .entry(key)
                    .or_insert_with(|| bind(payload, check.spec.query.as_deref(), now, around)),
            )
        }
        _ => None,
    };
    Some(evaluate_bound(check, obs, now, &own, shared))
}

/// The roles the gate names (`release.go_acks`) with their ACK state.
pub fn acks(pb: &LoadedPlaybook, state: &ReleaseState, now: DateTime<Utc>) -> Vec<AckStatus> {
    let p = &pb.playbook;
    release::ack_status(p, state, &p.release.go_acks, now)
}

/// The roles the gate needs with their ACK state, and the gate over `verdicts`.
pub fn gate(
    pb: &LoadedPlaybook,
    verdicts: &[Verdict],
    state: &ReleaseState,
    now: DateTime<Utc>,
) -> (Vec<AckStatus>, GateDecision) {
    let acks = acks(pb, state, now);
    let gate = decide(&pb.checks, verdicts, &acks, pb.playbook.release.allow_warn);
    // A waived FAIL/UNKNOWN does not hold the gate back (until the waiver ends).
    let gate = release::waivers::apply(&gate, state, now);
    (acks, gate)
}

/// The whole assessment, every check evaluated.
pub fn assess<O: Borrow<Observation>>(
    pb: &LoadedPlaybook,
    observations: &HashMap<String, O>,
    state: &ReleaseState,
    now: DateTime<Utc>,
) -> Assessment {
    let around = surroundings(state);
    let mut bound = Bound::new();
    let verdicts = (0..pb.checks.len())
        .filter_map(|i| check_verdict(pb, i, observations, state, now, &around, Some(&mut bound)))
        .collect::<Vec<_>>();
    let (acks, gate) = gate(pb, &verdicts, state, now);
    Assessment {
        verdicts,
        acks,
        gate,
    }
}

/// What a clock tick did (`Assessment::tick`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticked {
    /// Checks evaluated.
    pub evaluated: usize,
    /// Whether any verdict, ACK or the gate changed.
    pub changed: bool,
}

/// Which checks and guards read each source, and which checks the clock
/// alone can change, built once per playbook.
#[derive(Debug, Clone, Default)]
pub struct SourceIndex {
    checks: HashMap<String, Vec<usize>>,
    guards: HashMap<String, Vec<usize>>,
    /// Checks whose verdict reads the clock whatever their data: a manual
    /// item (observed "now"), an artifacts source (files' ages), a condition
    /// or `show` reading `now`.
    clocked: Vec<usize>,
    /// Checks with a `max_age` (and not `clocked`): time alone makes them stale.
    aging: Vec<usize>,
}

/// True when the verdict of `check` depends on the clock beyond `max_age`.
fn reads_clock(pb: &LoadedPlaybook, check: &crate::playbook::CompiledCheck) -> bool {
    let kind = pb.sources.get(&check.spec.source).map(|s| s.kind());
    let exprs = std::iter::once(&check.pass)
        .chain(check.warn.as_ref())
        .chain(check.show.as_ref());
    matches!(kind, Some(SourceKind::Manual | SourceKind::Artifacts))
        || exprs.flat_map(|e| e.variables().iter()).any(|v| v == "now")
}

impl SourceIndex {
    pub fn new(pb: &LoadedPlaybook) -> SourceIndex {
        let mut index = SourceIndex::default();
        for (i, c) in pb.checks.iter().enumerate() {
            let at = index.checks.entry(c.spec.source.clone()).or_default();
            at.push(i);
            if reads_clock(pb, c) {
                index.clocked.push(i);
            } else if c.spec.max_age.is_some() {
                index.aging.push(i);
            }
        }
        for (i, g) in pb.guards.iter().enumerate() {
            let at = index.guards.entry(g.spec.source.clone()).or_default();
            at.push(i);
        }
        index
    }

    /// Indices (into `pb.checks`) of the checks reading `source`.
    pub fn checks(&self, source: &str) -> &[usize] {
        self.checks.get(source).map_or(&[], Vec::as_slice)
    }

    /// Indices (into `pb.guards`) of the guards reading `source`.
    pub fn guards(&self, source: &str) -> &[usize] {
        self.guards.get(source).map_or(&[], Vec::as_slice)
    }
}

impl Assessment {
    /// After a new observation of `source` (already in `observations`):
    /// re-evaluates only the checks reading it, then the gate. Returns how
    /// many checks were evaluated.
    pub fn observe<O: Borrow<Observation>>(
        &mut self,
        pb: &LoadedPlaybook,
        index: &SourceIndex,
        source: &str,
        observations: &HashMap<String, O>,
        state: &ReleaseState,
        now: DateTime<Utc>,
    ) -> usize {
        let around = surroundings(state);
        let mut bound = Bound::new();
        let mine = index.checks(source);
        for &i in mine {
            if let (Some(v), Some(slot)) = (
                check_verdict(pb, i, observations, state, now, &around, Some(&mut bound)),
                self.verdicts.get_mut(i),
            ) {
                *slot = v;
            }
        }
        let (acks, gate) = gate(pb, &self.verdicts, state, now);
        self.acks = acks;
        self.gate = gate;
        mine.len()
    }

    /// The clock moved to `now` and nothing else changed: re-evaluates only
    /// the checks time alone can change, then the gate (ACKs and waivers
    /// expire). A check with a `max_age` is re-evaluated while its data is
    /// stale at `now` or its verdict is UNKNOWN (it was stale, or the clock
    /// went back); fresh data gives the same verdict at any time. Equals a
    /// full `assess` at `now` (tested below).
    pub fn tick<O: Borrow<Observation>>(
        &mut self,
        pb: &LoadedPlaybook,
        index: &SourceIndex,
        observations: &HashMap<String, O>,
        state: &ReleaseState,
        now: DateTime<Utc>,
    ) -> Ticked {
        let around = surroundings(state);
        let mut bound = Bound::new();
        let stale = |i: usize| {
            let (Some(check), Some(v)) = (pb.checks.get(i), self.verdicts.get(i)) else {
                return true;
            };
            let Some(max_age) = check.spec.max_age else {
                return false;
            };
            let obs = observations.get(&check.spec.source).map(Borrow::borrow);
            v.status == super::Status::Unknown
                || obs.is_some_and(|o| o.outcome.is_ok() && now - o.at > max_age.as_chrono())
        };
        let due: Vec<usize> = index
            .clocked
            .iter()
            .copied()
            .chain(index.aging.iter().copied().filter(|&i| stale(i)))
            .collect();
        let mut changed = false;
        for &i in &due {
            if let (Some(v), Some(slot)) = (
                check_verdict(pb, i, observations, state, now, &around, Some(&mut bound)),
                self.verdicts.get_mut(i),
            ) {
                if *slot != v {
                    *slot = v;
                    changed = true;
                }
            }
        }
        let (acks, gate) = gate(pb, &self.verdicts, state, now);
        if acks != self.acks || gate != self.gate {
            self.acks = acks;
            self.gate = gate;
            changed = true;
        }
        Ticked {
            evaluated: due.len(),
            changed,
        }
    }
}

#[cfg(test)]
mod tests;
