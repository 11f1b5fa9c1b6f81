//! The live actuator, the supervisor's and every cockpit's: every request
//! carried out on its own tokio task, through the same `act::*` code `liftoff
//! kill` and the headless tests use, reporting back through the event
//! channel it was given (Notice, KillDone). What the acts write
//! to the journal comes back to every cockpit through the journal follower.
//!
//! `carry_out` never blocks and never waits: it spawns and returns. The kill switch's
//! clock starts here, at the key press, before its task is even scheduled.

use super::core::Duty;
use super::event::SupervisorEvent;
use super::request::{Actuator, ConfirmedStanding, Decide, Request};
use crate::act::fire::Verification;
use crate::act::guards::{self, TripOutcome};
use crate::act::stage::StageOutcome;
use crate::act::{self, decision, kill, rollback, stage, ActContext};
use crate::journal::{Actor, Event};
use crate::playbook::Guard;
use crate::ramp::Refusal;
use crate::release::{KillState, ReleaseState};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

#[derive(Clone)]
pub struct LiveActuator {
    ctx: ActContext,
    tx: mpsc::Sender<SupervisorEvent>,
    rt: Handle,
}

impl LiveActuator {
    /// Must be called inside a tokio runtime (acts run on it).
    pub fn new(ctx: ActContext, tx: mpsc::Sender<SupervisorEvent>) -> LiveActuator {
        LiveActuator {
            ctx,
            tx,
            rt: Handle::current(),
        }
    }

    /// Runs `work` on its own task and sends what it reports.
    fn spawn(&self, work: impl Future<Output = Vec<SupervisorEvent>> + Send + 'static) {
        let tx = self.tx.clone();
        self.rt.spawn(async move {
            for event in work.await {
                // The cockpit has quit: nobody to tell.
                if tx.send(event).await.is_err() {
                    break;
                }
            }
        });
    }

    /// The context acting for `name` (or the cockpit's user) in `role`.
    fn acting(&self, name: Option<&str>, role: Option<&str>) -> ActContext {
        let actor = match name {
            Some(n) => Actor::here(Some(n)),
            None => self.ctx.actor.clone(),
        };
        self.ctx.acting_as(actor.with_role(role))
    }

    /// Fires the kill switch now, timed from `pressed` (when the key was read).
    pub fn fire_kill(&self, pressed: Instant) -> Result<String, String> {
        if self.ctx.pb.playbook.kill_switch.is_none() {
            return Err(
                "the playbook has no [kill_switch]: add its actions and a verify readback".into(),
            );
        }
        let ctx = self.ctx.clone();
        self.spawn(async move {
            let reason = Some("K K in the cockpit".to_string());
            kill_report(kill::fire_pressed(ctx, reason, None, pressed).await)
        });
        Ok("KILL SWITCH fired: waiting for the readback".into())
    }

    fn ack(&self, role: String, name: String, comment: Option<String>, stage: Option<String>) {
        let ctx = self.acting(Some(&name), Some(&role));
        self.spawn(async move {
            vec![match act::ack::record(&ctx, &role, stage, comment).await {
                Ok(s) => good(format!("ACK recorded: {role} by {name} (event {})", s.id)),
                Err(e) => bad(format!("ACK for {role} NOT recorded: {e}")),
            }]
        });
    }

    fn decide(&self, d: Decide) {
        let ctx = self.acting(Some(&d.maker), None);
        self.spawn(async move {
            let at = d.report.generated_at;
            let stage = d.stage.clone();
            let plan = d.plan;
            let word = if plan.overridden {
                format!(
                    "{} (OVERRIDE of {})",
                    plan.outcome.word().to_uppercase(),
                    plan.gate.word()
                )
            } else {
                plan.outcome.word().to_uppercase()
            };
            let rec = decision::record_outcome(ctx, d.report, plan, d.next_review, stage).await;
            vec![match rec {
                Ok(r) => good(format!(
                    "{word} decision recorded by {} ({} at {})",
                    d.maker,
                    r.record.file_name().map_or_else(
                        || r.record.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    ),
                    super::wording::clock(at)
                )),
                Err(e) => bad(format!("{word} decision NOT recorded: {e}")),
            }]
        });
    }

    fn stage(&self, seen: Option<ConfirmedStanding>, back: Option<ReleaseState>) {
        let ctx = self.ctx.clone();
        self.spawn(async move {
            let outcome = match (seen, back) {
                (Some(s), _) => {
                    let standing = crate::ramp::Standing {
                        gate: &s.gate,
                        acks: &s.acks,
                        verdicts: &s.verdicts,
                    };
                    stage::advance_at(ctx, &s.state, standing, Utc::now(), s.override_hold).await
                }
                (None, Some(state)) => stage::step_back(ctx, &state).await,
                (None, None) => return Vec::new(),
            };
            vec![stage_report(outcome)]
        });
    }

    fn rollback(&self, target: String) -> Result<String, String> {
        if !self
            .ctx
            .pb
            .playbook
            .rollbacks
            .iter()
            .any(|r| r.id == target)
        {
            return Err(format!("no rollback target `{target}` in the playbook"));
        }
        let ctx = self.ctx.clone();
        let started = format!("rollback {target} fired: waiting for its readback");
        self.spawn(async move {
            let reason = Some("rollback menu in the cockpit".to_string());
            let o = rollback::fire(ctx, &target, reason).await;
            vec![match &o.state {
                KillState::Halted { took_ms, .. } => {
                    good(format!("rollback {target} verified in {took_ms} ms"))
                }
                KillState::Failed { why, .. } => bad(format!("rollback {target} FAILED: {why}")),
                other => bad(format!("rollback {target}: {other:?}")),
            }]
        });
        Ok(started)
    }

    fn tick(&self, item: String, role: Option<String>, checked: bool) {
        let ctx = self.acting(None, role.as_deref());
        self.spawn(async move {
            let verb = if checked { "ticked" } else { "unticked" };
            vec![match act::tick::record(&ctx, &item, role, checked).await {
                Ok(_) => good(format!("{item} {verb} by {}", ctx.actor.name)),
                Err(e) => bad(format!("{item} NOT {verb}: {e}")),
            }]
        });
    }

    fn waive(&self, p: crate::act::rules::WaivePlan) {
        let ctx = self.acting(Some(&p.by), Some(&p.role));
        self.spawn(async move {
            vec![match act::waive::record(&ctx, &p).await {
                Ok(s) => good(format!(
                    "check {} WAIVED by {} ({}) until {} (event {})",
                    p.check,
                    p.by,
                    p.role,
                    p.until.format("%H:%M:%S UTC"),
                    s.id
                )),
                Err(e) => bad(format!("waiver of {} NOT recorded: {e}", p.check)),
            }]
        });
    }

    fn answer(&self, guard: Option<String>, comment: Option<String>) {
        let ctx = self.ctx.clone();
        self.spawn(async move {
            vec![match guards::answer_alarm(ctx, guard, comment).await {
                Ok(id) => good(format!("alarm answered (event {id})")),
                Err(e) => bad(format!("alarm answer NOT recorded: {e}")),
            }]
        });
    }

    fn guard_tripped(
        &self,
        guard: Guard,
        since: DateTime<Utc>,
        value: Option<String>,
        tripped: Instant,
    ) {
        let ctx = self.acting(None, Some(&format!("guard {}", guard.id)));
        self.spawn(async move {
            let id = guard.id.clone();
            match guards::on_trip_at(ctx, guard, since, value, tripped).await {
                TripOutcome::Killed(o) => {
                    let mut out = kill_report(*o);
                    out.insert(
                        0,
                        bad(format!("guard {id} tripped: firing the kill switch")),
                    );
                    out
                }
                TripOutcome::Alarmed(Ok(_)) => {
                    vec![bad(format!(
                        "ALARM: guard {id} tripped: answer it (a) or kill (K K)"
                    ))]
                }
                TripOutcome::Alarmed(Err(e)) => {
                    vec![bad(format!(
                        "guard {id} tripped; the alarm was NOT journaled: {e}"
                    ))]
                }
                // Raised before (here or by another cockpit), not answered yet.
                TripOutcome::AlreadyRaised => vec![bad(format!(
                    "ALARM: guard {id} (already raised, not answered yet)"
                ))],
            }
        });
    }

    fn decision_point(&self, stage: String, offset: Duration, event: Event) {
        let ctx = self.acting(None, Some("cockpit"));
        self.spawn(async move {
            let when = format!("T+{} at {stage}", super::wording::offset(offset));
            // Once across processes: cockpits ticking together record it once.
            match act::decision_point::record_once(&ctx, stage, offset, &event).await {
                Ok(Some(_)) => vec![good(format!("decision point {when} recorded"))],
                Ok(None) => vec![good(format!(
                    "decision point {when} was already recorded (another process)"
                ))],
                Err(e) => vec![bad(format!("decision point {when} NOT recorded: {e}"))],
            }
        });
    }
}

impl Actuator for LiveActuator {
    fn carry_out(&mut self, request: Request) -> Result<String, String> {
        // Nothing before the kill switch but a clock read: a press or a
        // guard's kill is timed from here, not from when its task runs.
        let acted = Instant::now();
        if let Request::FireKill = request {
            return self.fire_kill(acted);
        }
        let started = format!("{}…", request.describe());
        match request {
            Request::FireKill => {} // fired above
            Request::Ack {
                role,
                name,
                comment,
                stage,
            } => {
                if !self.ctx.pb.playbook.roles.iter().any(|r| r.id == role) {
                    return Err(format!("no role `{role}` in the playbook"));
                }
                self.ack(role, name, comment, stage);
            }
            Request::Decide(d) => self.decide(*d),
            Request::EnterStage { seen, .. } => self.stage(Some(*seen), None),
            Request::StepBack { state, .. } => self.stage(None, Some(*state)),
            Request::Rollback { target } => return self.rollback(target),
            Request::Tick {
                item,
                role,
                checked,
            } => self.tick(item, role, checked),
            Request::AnswerAlarm { guard, comment } => self.answer(guard, comment),
            Request::Waive(plan) => self.waive(*plan),
            Request::Duty(Duty::GuardTripped {
                guard,
                since,
                value,
            }) => self.guard_tripped(*guard, since, value, acted),
            Request::Duty(Duty::DecisionPoint {
                stage,
                offset,
                event,
            }) => self.decision_point(stage, offset, *event),
        }
        Ok(started)
    }
}

/// What the notices say when a kill switch's records wait in the spool.
pub const KEPT: &str = "record kept locally, written when the journal returns";

fn good(text: String) -> SupervisorEvent {
    SupervisorEvent::Notice { text, bad: false }
}

fn bad(text: String) -> SupervisorEvent {
    SupervisorEvent::Notice { text, bad: true }
}

/// What the kill switch's readback proved, for the kill panel and the status line.
fn kill_report(o: kill::KillOutcome) -> Vec<SupervisorEvent> {
    let t = o.timings();
    let dispatched = t.dispatched.as_secs_f64() * 1000.0;
    let mut text = match &o.state {
        KillState::Halted { took_ms, .. } => format!(
            "KILL SWITCH HALTED: verified in {took_ms} ms ({} actions dispatched in {dispatched:.1} ms)",
            o.fired.actions.len()
        ),
        KillState::Failed { why, .. } => format!("KILL SWITCH FAILED: NOT proven halted: {why}"),
        other => format!("KILL SWITCH: {other:?}"),
    };
    if !o.journal_errors.is_empty() {
        text.push_str(&format!(
            " · NOT journaled: {}",
            o.journal_errors.join("; ")
        ));
    }
    let kept = !o.journal_kept.is_empty();
    if kept {
        text.push_str(&format!(
            " · journal away: {} (kept: {})",
            KEPT,
            o.journal_kept.join("; ")
        ));
    }
    vec![SupervisorEvent::KillDone {
        state: o.state,
        text,
        timings: t,
        kept,
    }]
}

fn stage_report(outcome: Result<StageOutcome, Refusal>) -> SupervisorEvent {
    match outcome {
        Err(refusal) => bad(refusal.to_string()),
        Ok(o) => {
            let name = super::wording::stage_label(&o.name, o.percent);
            let journaled = match &o.journaled {
                Ok(_) => String::new(),
                Err(e) => format!(" · NOT journaled: {e}"),
            };
            match (&o.fired.result, o.entered) {
                (Verification::Verified { took }, true) => good(format!(
                    "stage {name} entered: read back in {} ms{journaled}",
                    took.as_millis()
                )),
                (Verification::Failed { why }, _) => {
                    bad(format!("stage {name} NOT entered: {why}{journaled}"))
                }
                (_, _) => bad(format!("stage {name} NOT entered{journaled}")),
            }
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_once;
