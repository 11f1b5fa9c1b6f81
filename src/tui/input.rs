//! Terminal input on its own task: every event is read here, stamped with the
//! instant it was read, and handed to the cockpit's loop, except the second
//! `K` of an armed kill switch, which fires the kill switch from here (see
//! `kill_key`): observations, evaluation and drawing never sit between that
//! key and the kill switch's actions, and its clock starts at the read.

use super::kill_key::{KillArm, KillKey, KillKeys};
use crate::supervisor::actuator::LiveActuator;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What the input task hands to the cockpit's loop.
#[derive(Debug)]
pub enum Input {
    /// A terminal event for the loop.
    Terminal(Event),
    /// The kill switch was fired from the input task (its result comes as
    /// the actuator's `KillDone`); `Err`: it could not start, and why.
    KillFired(Result<String, String>),
    /// The terminal could not be read.
    Failed(std::io::Error),
}

/// Starts reading the terminal. Stops on `cancel`, when the terminal is gone
/// (the channel then closes) or when the loop stops listening.
pub fn spawn(kill: LiveActuator, arm: KillArm, tx: mpsc::Sender<Input>, cancel: CancellationToken) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        let mut keys = KillKeys::default();
        loop {
            let event = tokio::select! {
                _ = cancel.cancelled() => return,
                e = events.next() => e,
            };
            let read = Instant::now();
            let input = match event {
                None => return,
                Some(Err(e)) => Input::Failed(e),
                Some(Ok(Event::Key(key))) => match keys.on_key(&key, read, &arm) {
                    KillKey::Fire => Input::KillFired(kill.fire_kill(read)),
                    // Key repeat or a paste while armed: not a press, not a key.
                    KillKey::IgnoredBurst => continue,
                    KillKey::Pass => Input::Terminal(Event::Key(key)),
                },
                Some(Ok(e)) => Input::Terminal(e),
            };
            if tx.send(input).await.is_err() {
                return;
            }
        }
    });
}
