//! One source's polling loop: poll, report, wait (interval or backoff) or be
//! woken early ("poll now", a file watcher), repeat until cancelled. At most one
//! poll is in flight; wake-ups during a poll coalesce into one poll after it.

use super::backoff::Backoff;
use super::PollEvent;
use crate::source::Observation;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

/// Everything a source loop needs besides the poll itself.
pub struct SourceLoop<E> {
    pub source: String,
    pub interval: Duration,
    /// Woken by "poll now" and by file watchers.
    pub wake: Arc<Notify>,
    pub cancel: CancellationToken,
    pub tx: mpsc::Sender<E>,
}

impl<E> SourceLoop<E>
where
    E: From<PollEvent> + Send + 'static,
{
    /// Runs until cancelled or until the receiver is gone. `poll_once` does one
    /// poll; the loop never starts a second before the first has finished.
    pub async fn run<F, Fut>(self, mut poll_once: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Observation>,
    {
        let mut backoff = Backoff::new(self.interval);
        loop {
            let started = PollEvent::Started {
                source: self.source.clone(),
            };
            if !self.send(started).await {
                return;
            }
            let observation = tokio::select! {
                _ = self.cancel.cancelled() => return,
                obs = poll_once() => obs,
            };
            let pause = backoff.after(observation.outcome.is_ok());
            if !self.send(PollEvent::Finished(Box::new(observation))).await {
                return;
            }
            tokio::select! {
                _ = self.cancel.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// False when the loop should stop (cancelled, or nobody listens any more).
    async fn send(&self, event: PollEvent) -> bool {
        tokio::select! {
            _ = self.cancel.cancelled() => false,
            sent = self.tx.send(E::from(event)) => sent.is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Payload, SourceError};
    use chrono::Utc;
    use std::sync::Mutex;
    use tokio::time::Instant;

    fn observation(ok: bool) -> Observation {
        Observation {
            source: "prom".into(),
            at: Utc::now(),
            took: Duration::ZERO,
            origin: "test".into(),
            outcome: if ok {
                Ok(Payload::Scrape { samples: vec![] })
            } else {
                Err(SourceError::Connect("refused".into()))
            },
        }
    }

    type Spawned = (
        mpsc::Receiver<PollEvent>,
        Arc<Mutex<Vec<Instant>>>,
        Arc<Notify>,
        CancellationToken,
        tokio::task::JoinHandle<()>,
    );

    /// A loop whose n-th poll answers `outcomes[n]` (then ok) and, on the poll
    /// numbered `wake_during`, is woken three times while it runs.
    fn spawn_loop(outcomes: Vec<bool>, wake_during: Option<usize>) -> Spawned {
        let (tx, rx) = mpsc::channel(4);
        let wake = Arc::new(Notify::new());
        let cancel = CancellationToken::new();
        let times = Arc::new(Mutex::new(Vec::new()));
        let lp = SourceLoop {
            source: "prom".into(),
            interval: Duration::from_secs(5),
            wake: wake.clone(),
            cancel: cancel.clone(),
            tx,
        };
        let log = times.clone();
        let waker = wake.clone();
        let mut script = outcomes.into_iter();
        let handle = tokio::spawn(lp.run(move || {
            let n = {
                let mut log = log.lock().unwrap();
                log.push(Instant::now());
                log.len() - 1
            };
            if wake_during == Some(n) {
                (0..3).for_each(|_| waker.notify_one());
            }
            let ok = script.next().unwrap_or(true);
            async move { observation(ok) }
        }));
        (rx, times, wake, cancel, handle)
    }

    async fn next_finished(rx: &mut mpsc::Receiver<PollEvent>) -> Observation {
        loop {
            match rx.recv().await.expect("the loop stopped early") {
                PollEvent::Finished(obs) => return *obs,
                PollEvent::Started { .. } => {}
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_exponentially_and_success_resets() {
        let (mut rx, times, _wake, cancel, handle) =
            spawn_loop(vec![false, false, false, true, true], None);
        for _ in 0..5 {
            next_finished(&mut rx).await;
        }
        // One more poll starts after the last pause.
        next_finished(&mut rx).await;
        let times = times.lock().unwrap().clone();
        let gaps: Vec<u64> = times.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
        assert_eq!(gaps, vec![10, 20, 40, 5, 5]);
        cancel.cancel();
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn wake_polls_at_once() {
        let (mut rx, times, wake, cancel, handle) = spawn_loop(vec![], None);
        next_finished(&mut rx).await;
        wake.notify_one();
        next_finished(&mut rx).await;
        let t = times.lock().unwrap().clone();
        assert_eq!((t[1] - t[0]).as_secs(), 0, "the woken poll waited");
        cancel.cancel();
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn wakes_during_a_poll_coalesce_into_one_poll_after_it() {
        let (mut rx, times, _wake, cancel, handle) = spawn_loop(vec![], Some(1));
        for _ in 0..4 {
            next_finished(&mut rx).await;
        }
        let t = times.lock().unwrap().clone();
        let gaps: Vec<u64> = t.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
        // poll 1 is woken three times while it runs: exactly one extra poll follows.
        assert_eq!(gaps, vec![5, 0, 5]);
        cancel.cancel();
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_stops_a_poll_in_flight() {
        let (tx, mut rx) = mpsc::channel::<PollEvent>(4);
        let cancel = CancellationToken::new();
        let lp = SourceLoop {
            source: "slow".into(),
            interval: Duration::from_secs(5),
            wake: Arc::new(Notify::new()),
            cancel: cancel.clone(),
            tx,
        };
        let handle = tokio::spawn(lp.run(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            observation(true)
        }));
        assert!(matches!(rx.recv().await, Some(PollEvent::Started { .. })));
        cancel.cancel();
        handle.await.unwrap();
        assert!(rx.recv().await.is_none(), "no observation after cancel");
    }
}
