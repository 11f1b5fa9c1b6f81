//! Fire a set of actions and prove the result: every action dispatched at once
//! on its own task (never behind a poll, a render or a journal write), then a
//! readback. Serves the kill switch, rollback targets and ramp stages.

use super::action::{self, ActionResult, Fill};
use super::readback::{await_pass, read_once, ReadbackResult};
use super::ActContext;
use crate::expr::bind::Surroundings;
use crate::playbook::{Action, CompiledReadback};
use serde::Serialize;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Verified (the readback proved it) or failed (with why).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verification {
    Verified {
        #[serde(serialize_with = "ms")]
        took: Duration,
    },
    Failed {
        why: String,
    },
}

/// From the press: to every action dispatched, to every action done, to the readback passing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    #[serde(serialize_with = "ms")]
    pub dispatched: Duration,
    #[serde(serialize_with = "ms")]
    pub actions_done: Duration,
    #[serde(serialize_with = "opt_ms")]
    pub verified: Option<Duration>,
    #[serde(serialize_with = "ms")]
    pub finished: Duration,
}

fn ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

fn opt_ms<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ms(d, s),
        None => s.serialize_none(),
    }
}

/// Everything a firing did.
#[derive(Debug, Clone, Serialize)]
pub struct Fired {
    pub actions: Vec<ActionResult>,
    pub readback: ReadbackResult,
    pub timings: Timings,
    pub result: Verification,
}

/// Actions in flight.
pub struct Dispatched {
    pressed: Instant,
    dispatched: Duration,
    handles: Vec<(usize, String, JoinHandle<ActionResult>)>,
}

impl Dispatched {
    /// From the press to every action on its task.
    pub fn dispatched(&self) -> Duration {
        self.dispatched
    }

    /// Waits for every action, then for the readback. When an action failed
    /// the verdict is FAILED already: the readback reads once (so the report
    /// says where the world stands) instead of waiting out its timeout.
    pub async fn finish(
        self,
        ctx: &ActContext,
        readback: Option<&CompiledReadback>,
        around: &Surroundings,
    ) -> Fired {
        let mut actions = Vec::with_capacity(self.handles.len());
        for (index, what, handle) in self.handles {
            actions.push(handle.await.unwrap_or_else(|e| ActionResult {
                index,
                what,
                outcome: Err(format!("the action's task died: {e}")),
                took: self.pressed.elapsed(),
            }));
        }
        let actions_done = self.pressed.elapsed();
        let an_action_failed = actions.iter().any(|a| a.outcome.is_err());
        let readback = match readback {
            Some(rb) if an_action_failed => read_once(&ctx.poll, &ctx.pb, rb, around).await,
            Some(rb) => await_pass(&ctx.poll, &ctx.pb, rb, around).await,
            None => ReadbackResult::NotConfigured,
        };
        let verified_at = self.pressed.elapsed();
        let failed: Vec<String> = actions
            .iter()
            .filter_map(|a| {
                a.outcome
                    .as_ref()
                    .err()
                    .map(|why| format!("action {} ({}) failed: {why}", a.index + 1, a.what))
            })
            .collect();
        let result = match (&readback, failed.is_empty()) {
            (ReadbackResult::Passed { .. } | ReadbackResult::NotConfigured, true) => {
                Verification::Verified { took: verified_at }
            }
            (ReadbackResult::Failed { why, .. }, true) => Verification::Failed { why: why.clone() },
            (rb, false) => {
                let rb = match rb {
                    ReadbackResult::Passed { .. } => "the readback passed".to_string(),
                    ReadbackResult::Failed { why, .. } => why.clone(),
                    ReadbackResult::NotConfigured => "no readback configured".into(),
                };
                Verification::Failed {
                    why: format!("{}; {rb}", failed.join("; ")),
                }
            }
        };
        let verified = match (&result, &readback) {
            (_, ReadbackResult::Passed { .. }) => Some(verified_at),
            _ => None,
        };
        Fired {
            actions,
            readback,
            timings: Timings {
                dispatched: self.dispatched,
                actions_done,
                verified,
                finished: self.pressed.elapsed(),
            },
            result,
        }
    }
}

/// Puts every action on its own task at once. Must be called inside a tokio runtime.
pub fn dispatch(
    ctx: &ActContext,
    actions: &[&Action],
    fill: &Fill,
    pressed: Instant,
) -> Dispatched {
    let base_dir = ctx.pb.base_dir();
    let spawned: Vec<JoinHandle<ActionResult>> = actions
        .iter()
        .enumerate()
        .map(|(index, a)| {
            let (a, fill) = ((*a).clone(), fill.clone());
            let base_dir = base_dir.to_path_buf();
            let poll = ctx.poll.clone();
            tokio::spawn(async move { action::run(index, &a, &fill, &base_dir, &poll).await })
        })
        .collect();
    let dispatched = pressed.elapsed();
    // Descriptions only after everything is on its way.
    let handles = spawned
        .into_iter()
        .zip(actions)
        .enumerate()
        .map(|(index, (handle, a))| (index, action::describe(a, fill), handle))
        .collect();
    Dispatched {
        pressed,
        dispatched,
        handles,
    }
}

/// Dispatches `actions` and awaits them and the readback.
pub async fn fire(
    ctx: &ActContext,
    actions: &[&Action],
    readback: Option<&CompiledReadback>,
    fill: &Fill,
    around: &Surroundings,
) -> Fired {
    dispatch(ctx, actions, fill, Instant::now())
        .finish(ctx, readback, around)
        .await
}
