//! A guard tripped: fire the kill switch by itself (`on_trip = "kill"`), or
//! journal an alarm the commander must answer (`on_trip = "alarm"`).

use super::kill::{self, KillOutcome};
use super::ActContext;
use crate::guard::tripped_event;
use crate::journal::event::AlarmAnswered;
use crate::journal::{self, Event, NewEvent, ReadAll};
use crate::playbook::{Guard, OnTrip};
use crate::release::ReleaseState;
use chrono::{DateTime, Utc};
use std::time::Instant;

#[derive(Debug, Clone)]
pub enum TripOutcome {
    /// The kill switch fired; `guard_tripped` was journaled just before `kill_fired`.
    Killed(Box<KillOutcome>),
    /// The alarm was journaled (event id), or why not.
    Alarmed(Result<u64, String>),
    /// The alarm was raised already (by this or another process) and not
    /// answered yet: not raised twice.
    AlreadyRaised,
}

/// Acts on a trip that `guard::Tracker` reported (`Update::Tripped { since, .. }`).
/// Takes the guard by value so the future can be `tokio::spawn`ed.
pub async fn on_trip(
    ctx: ActContext,
    guard: Guard,
    since: DateTime<Utc>,
    value: Option<String>,
) -> TripOutcome {
    on_trip_at(ctx, guard, since, value, Instant::now()).await
}

/// As `on_trip`, a kill timed from `tripped` (when the trip was judged, taken
/// before the task that runs this was spawned), as the key press times `K K`.
pub async fn on_trip_at(
    ctx: ActContext,
    guard: Guard,
    since: DateTime<Utc>,
    value: Option<String>,
    tripped: Instant,
) -> TripOutcome {
    let event = tripped_event(&guard, since, value);
    match guard.on_trip {
        OnTrip::Kill => {
            let reason = match &event {
                Event::GuardTripped(g) => format!("guard {} tripped: {}", g.guard, g.reason),
                _ => format!("guard {} tripped", guard.id),
            };
            TripOutcome::Killed(Box::new(
                kill::fire_pressed(ctx, Some(reason), Some(event), tripped).await,
            ))
        }
        OnTrip::Alarm => raise_alarm(&ctx, &guard.id, event).await,
    }
}

/// Journals the alarm unless it stands already (raised, not answered): every
/// cockpit sees the same trip, one alarm is raised per episode. Read and
/// append are one atomic step of the journal, so cockpits racing on the
/// same tick still raise it once.
async fn raise_alarm(ctx: &ActContext, guard: &str, event: Event) -> TripOutcome {
    let guard = guard.to_string();
    let raised =
        move |read: &ReadAll| ReleaseState::from_read(read).alarm_guard.as_ref() == Some(&guard);
    let event = NewEvent::new(&ctx.actor, &event);
    match journal::append_unless_async(&ctx.journal, event, raised).await {
        Ok(Some(stored)) => TripOutcome::Alarmed(Ok(stored.id)),
        Ok(None) => TripOutcome::AlreadyRaised,
        Err(e) => TripOutcome::Alarmed(Err(e.to_string())),
    }
}

/// The commander answers the alarm (clears `ReleaseState::alarm` everywhere).
pub async fn answer_alarm(
    ctx: ActContext,
    guard: Option<String>,
    comment: Option<String>,
) -> Result<u64, String> {
    journal::record(
        &ctx.journal,
        &ctx.actor,
        &Event::AlarmAnswered(AlarmAnswered { guard, comment }),
    )
    .await
    .map(|s| s.id)
    .map_err(|e| e.to_string())
}
