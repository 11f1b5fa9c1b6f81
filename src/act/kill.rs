//! The kill switch: every action at once, then the readback that proves the
//! world halted. Works while every source is down: nothing here waits on a
//! poll, and the journal is written after dispatch, on a blocking thread,
//! with a bound (`Journal::append_or_keep`: what the journal cannot take now
//! waits in the local spool): the verdict never waits on the journal.

use super::action::Fill;
use super::fire::{dispatch, Fired, Timings, Verification};
use super::readback::ReadbackResult;
use super::ActContext;
use crate::expr::bind::Surroundings;
use crate::journal::event::{Failed, Fired as FiredEvent, Verified};
use crate::journal::{self, Appended, Event, NewEvent, Stored};
use crate::playbook::{Action, CompiledReadback};
use crate::release::KillState;
use chrono::Utc;
use serde::Serialize;
use std::time::{Duration, Instant};

/// What pressing the kill switch (or a rollback target) achieved.
#[derive(Debug, Clone, Serialize)]
pub struct KillOutcome {
    /// None: the kill switch; Some: a rollback target's id.
    pub target: Option<String>,
    /// Halted (the readback proved it) or Failed (with why). Never anything else.
    pub state: KillState,
    pub fired: Fired,
    /// Journal writes that failed (the kill switch never waits for them to succeed).
    pub journal_errors: Vec<String>,
    /// Records the journal could not take (etcd away), kept in the local
    /// spool and written, marked delayed, when it answers again.
    pub journal_kept: Vec<String>,
    /// The records the journal took, in order (what webhooks are told about).
    #[serde(skip)]
    pub journal_stored: Vec<Stored>,
}

impl KillOutcome {
    pub fn halted(&self) -> bool {
        matches!(self.state, KillState::Halted { .. })
    }
    pub fn timings(&self) -> Timings {
        self.fired.timings
    }
}

/// Fires the playbook's kill switch and waits for its readback.
pub async fn fire(ctx: ActContext, reason: Option<String>) -> KillOutcome {
    fire_because(ctx, reason, None).await
}

/// As `fire`, journaling `cause` (e.g. the guard that tripped) just before `kill_fired`.
pub async fn fire_because(
    ctx: ActContext,
    reason: Option<String>,
    cause: Option<Event>,
) -> KillOutcome {
    fire_pressed(ctx, reason, cause, Instant::now()).await
}

/// As `fire_because`, timed from `pressed` (e.g. the key press in the cockpit,
/// taken before the task that runs this was spawned) rather than from the call.
pub async fn fire_pressed(
    ctx: ActContext,
    reason: Option<String>,
    cause: Option<Event>,
    pressed: Instant,
) -> KillOutcome {
    let pb = ctx.pb.clone();
    match &pb.playbook.kill_switch {
        Some(ks) => {
            fire_target(
                &ctx,
                None,
                &ks.actions.iter().map(|e| &e.action).collect::<Vec<_>>(),
                pb.kill_verify.as_ref(),
                reason,
                cause,
                pressed,
            )
            .await
        }
        None => not_configured(None, "the playbook has no [kill_switch]".into()),
    }
}

/// Shared by the kill switch and rollback targets.
pub(crate) async fn fire_target(
    ctx: &ActContext,
    target: Option<String>,
    actions: &[&Action],
    readback: Option<&CompiledReadback>,
    reason: Option<String>,
    cause: Option<Event>,
    pressed: Instant,
) -> KillOutcome {
    let dispatched = dispatch(ctx, actions, &Fill::default(), pressed);
    let fired_event = FiredEvent {
        target: target.clone(),
        reason,
        actions: actions.len(),
        dispatched_us: dispatched.dispatched().as_micros() as u64,
    };
    let fired_event = match target {
        None => Event::KillFired(fired_event),
        Some(_) => Event::RollbackFired(fired_event),
    };
    // Off the hot path: the actions are already on their way.
    let (journal, actor) = (ctx.journal.clone(), ctx.actor.clone());
    let write_fired = tokio::task::spawn_blocking(move || {
        let mut notes = JournalNotes::default();
        for event in cause.iter().chain([&fired_event]) {
            notes.add(event, journal.append_or_keep(NewEvent::new(&actor, event)));
        }
        notes
    });
    let fired = dispatched
        .finish(ctx, readback, &Surroundings::default())
        .await;
    let mut notes = write_fired.await.unwrap_or_else(|e| JournalNotes {
        errors: vec![format!("the journal writer died: {e}")],
        ..JournalNotes::default()
    });
    let now = Utc::now();
    let (state, end) = match &fired.result {
        Verification::Verified { took } => (
            KillState::Halted {
                at: now,
                took_ms: took.as_millis() as u64,
            },
            Event::KillVerified(Verified {
                target: target.clone(),
                took_ms: took.as_millis() as u64,
            }),
        ),
        Verification::Failed { why } => (
            KillState::Failed {
                at: now,
                why: why.clone(),
            },
            Event::KillFailed(Failed {
                target: target.clone(),
                why: why.clone(),
            }),
        ),
    };
    let end = match (target.is_some(), end) {
        (true, Event::KillVerified(v)) => Event::RollbackVerified(v),
        (true, Event::KillFailed(f)) => Event::RollbackFailed(f),
        (_, e) => e,
    };
    let kept = journal::append_or_keep_async(&ctx.journal, NewEvent::new(&ctx.actor, &end)).await;
    notes.add(&end, kept);
    KillOutcome {
        target,
        state,
        fired,
        journal_errors: notes.errors,
        journal_kept: notes.kept,
        journal_stored: notes.stored,
    }
}

/// What became of the kill switch's journal records.
#[derive(Default)]
struct JournalNotes {
    errors: Vec<String>,
    kept: Vec<String>,
    stored: Vec<Stored>,
}

impl JournalNotes {
    fn add(&mut self, event: &Event, result: Result<Appended, journal::JournalError>) {
        match result {
            Ok(Appended::Stored(s)) => self.stored.push(s),
            Ok(Appended::Kept { spool, why }) => self.kept.push(format!(
                "{} kept in {} until the journal answers ({why})",
                event.kind(),
                spool.display()
            )),
            Err(e) => self.errors.push(format!("{}: {e}", event.kind())),
        }
    }
}

pub(crate) fn not_configured(target: Option<String>, why: String) -> KillOutcome {
    KillOutcome {
        target,
        state: KillState::Failed {
            at: Utc::now(),
            why: why.clone(),
        },
        fired: Fired {
            actions: Vec::new(),
            readback: ReadbackResult::NotConfigured,
            timings: Timings {
                dispatched: Duration::ZERO,
                actions_done: Duration::ZERO,
                verified: None,
                finished: Duration::ZERO,
            },
            result: Verification::Failed { why },
        },
        journal_errors: Vec::new(),
        journal_kept: Vec::new(),
        journal_stored: Vec::new(),
    }
}
