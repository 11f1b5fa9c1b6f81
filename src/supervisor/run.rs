//! The supervisor's task: pollers, the journal follower, the journal's health
//! and the webhooks feed one channel; each batch is folded into the `Core`,
//! the duties it returns (guard trips, decision points) are carried out
//! through the same `act::*` code the cockpit and `liftoff kill` use (an
//! actuator spawns each one, so nothing here waits on the world), and a new
//! `Snapshot` is published. A 1 s clock re-assesses (staleness) and finds
//! decision points falling due.

use super::core::{Core, Duty, Publish};
use super::snapshot::Snapshot;
use super::{conditions, journal_feed};
use crate::act::ActContext;
use crate::journal::SharedJournal;
use crate::playbook::LoadedPlaybook;
use crate::poller::{self, PollEvent, PollTriggers};
use crate::supervisor::actuator::LiveActuator;
use crate::supervisor::event::SupervisorEvent;
use crate::supervisor::request::{Actuator, Request};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// Room for bursts (every source finishing at once, a journal catch-up).
const QUEUE: usize = 256;
/// Events folded per batch before a snapshot is considered.
const BATCH: usize = 64;
/// New data is published at most this often (about 10 a second): a burst of
/// observations makes one snapshot. The kill switch, the journal, a trip or a
/// notice are published at once (`Publish::Now`).
const COALESCE: Duration = Duration::from_millis(100);

/// A running supervisor. Stop it with `shutdown` (or by cancelling the token
/// it was given).
pub struct Supervisor {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    triggers: PollTriggers,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl Supervisor {
    /// The published snapshots: `borrow()` is the newest; `changed()` wakes on a new one.
    pub fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.clone()
    }

    /// "Poll now" for the sources (the cockpit's `r`).
    pub fn triggers(&self) -> PollTriggers {
        self.triggers.clone()
    }

    /// Stops the pollers, the follower and the webhooks; waits a bounded time.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(3), self.task).await;
    }
}

/// Starts the supervisor for `ctx`'s playbook and journal, acting as
/// `ctx.actor` (a guard acts as "guard ID"). Must be called inside a tokio
/// runtime. `follow_journal`: false only when there is no journal to follow
/// (the cockpit's `NoJournal`): the release state then stays empty.
pub fn spawn(ctx: ActContext, follow_journal: bool, cancel: CancellationToken) -> Supervisor {
    let pb: Arc<LoadedPlaybook> = ctx.pb.clone();
    let (tx, rx) = mpsc::channel::<SupervisorEvent>(QUEUE);
    let journal: SharedJournal = ctx.journal.clone();
    if follow_journal {
        journal_feed::spawn(journal.clone(), tx.clone(), cancel.clone());
        conditions::watch_journal(journal.clone(), tx.clone(), cancel.clone());
        conditions::start_webhooks(pb.clone(), journal, tx.clone(), cancel.clone());
    }
    let pollers = poller::spawn(pb.clone(), tx.clone(), cancel.clone());
    let triggers = pollers.triggers();
    let now = Utc::now();
    let mut core = Core::new(pb, now);
    let (snap_tx, snapshots) = watch::channel(Arc::new(core.snapshot(now)));
    let actuator = LiveActuator::new(ctx, tx);
    let task = tokio::spawn(run(core, actuator, rx, snap_tx, cancel.clone(), pollers));
    Supervisor {
        snapshots,
        triggers,
        cancel,
        task,
    }
}

async fn run(
    mut core: Core,
    mut actuator: LiveActuator,
    mut rx: mpsc::Receiver<SupervisorEvent>,
    snap_tx: watch::Sender<Arc<Snapshot>>,
    cancel: CancellationToken,
    pollers: poller::Pollers,
) {
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut batch = Vec::with_capacity(BATCH);
    let mut published = Instant::now();
    loop {
        let due = published + COALESCE;
        let waiting = core.publish() != Publish::Nothing;
        let duties = tokio::select! {
            _ = cancel.cancelled() => break,
            // Coalesced changes: their turn has come.
            _ = tokio::time::sleep_until(due), if waiting => Vec::new(),
            n = rx.recv_many(&mut batch, BATCH) => {
                if n == 0 {
                    break;
                }
                let now = Utc::now();
                let mut duties = Vec::new();
                for event in batch.drain(..) {
                    duties.extend(fold(&mut core, event, now));
                }
                duties
            }
            _ = clock.tick() => core.tick(Utc::now()),
        };
        let now = Utc::now();
        let acted = !duties.is_empty();
        for duty in duties {
            perform(&mut core, &mut actuator, duty, now);
        }
        let publish = match core.publish() {
            Publish::Nothing => false,
            Publish::Soon => Instant::now() >= due,
            Publish::Now => true,
        };
        if publish {
            snap_tx.send_replace(Arc::new(core.snapshot(now)));
            published = Instant::now();
        }
        if acted {
            // A guard's kill was just spawned: let it start before anything else.
            tokio::task::yield_now().await;
        }
    }
    pollers.shutdown().await;
}

/// One event into the core (logged first); the duties it gave rise to.
fn fold(core: &mut Core, event: SupervisorEvent, now: chrono::DateTime<Utc>) -> Vec<Duty> {
    match &event {
        SupervisorEvent::Poll(PollEvent::Finished(obs)) => {
            if let Err(e) = &obs.outcome {
                tracing::debug!(source = %obs.source, "poll failed: {e}");
            }
        }
        SupervisorEvent::Notice { text, bad } => log(text, *bad),
        SupervisorEvent::Condition { topic, text } => match text {
            Some(t) => tracing::warn!(topic, "{t}"),
            None => tracing::info!(topic, "cleared"),
        },
        SupervisorEvent::KillDone { state, text, .. } => log(
            text,
            !matches!(state, crate::release::KillState::Halted { .. }),
        ),
        _ => {}
    }
    core.apply(event, now)
}

fn log(text: &str, bad: bool) {
    if bad {
        tracing::warn!("{text}");
    } else {
        tracing::info!("{text}");
    }
}

/// Hands a duty to the actuator (which spawns it and reports back on the
/// channel). Trips and decision points are recorded once across processes
/// (`act::guards`, the journal's append-unless); a guard's kill is idempotent.
fn perform(core: &mut Core, actuator: &mut LiveActuator, duty: Duty, now: chrono::DateTime<Utc>) {
    let kill = match &duty {
        Duty::GuardTripped { guard, value, .. } => {
            let kill = guard.on_trip == crate::playbook::OnTrip::Kill;
            let text = format!(
                "guard {} tripped (value {}): {}",
                guard.id,
                value.as_deref().unwrap_or("?"),
                if kill {
                    "firing the kill switch"
                } else {
                    "raising the alarm"
                }
            );
            log(&text, true);
            core.say(text, true, now);
            kill
        }
        Duty::DecisionPoint { .. } => false,
    };
    if let Err(why) = actuator.carry_out(Request::Duty(duty)) {
        log(&why, true);
        if kill {
            core.kill_not_started();
        }
        core.say(why, true, now);
    }
}
