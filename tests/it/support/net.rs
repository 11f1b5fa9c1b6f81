//! Ports and waiting: tests await a condition with a deadline, never sleep blind.

use std::future::Future;
use std::time::{Duration, Instant};

/// A loopback port nobody listens on right now (for servers we do not bind ourselves).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local addr").port()
}

/// How often `wait_until` asks again: short, so the wait ends soon after the condition holds.
const PAUSE: Duration = Duration::from_millis(100);

/// Asks `probe` until it gives `Some(T)` or `within` has passed; panics naming
/// `what` and the last thing seen, so a failed wait says what never happened.
pub async fn wait_for<T, F, Fut>(within: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + within;
    loop {
        let last = match probe().await {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        if Instant::now() >= deadline {
            panic!("waited {within:?} for {what}; last seen: {last}");
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// `wait_for` over a plain predicate.
pub async fn wait_until<F, Fut>(within: Duration, what: &str, mut predicate: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let probe = || {
        let fut = predicate();
        async move { fut.await.then_some(()).ok_or_else(|| "false".to_string()) }
    };
    wait_for(within, what, probe).await
}

/// A GET that gives the status and body, or why it failed (for readiness probes).
pub async fn get(url: &str) -> Result<(u16, String), String> {
    let client = reqwest::Client::new();
    let resp = client
        .get(url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}
