//! A loopback service to halt, for kill switch benches: POST /halt sets it
//! halted, GET /status answers `{"halted": bool}`. It plays the remote side.

#[path = "loopback.rs"]
mod loopback;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Starts the service on a free loopback port; returns the port.
pub async fn start(halted: Arc<AtomicBool>) -> u16 {
    loopback::serve(loopback::Connection::Close, move |request| {
        if request.starts_with(b"POST /halt") {
            halted.store(true, Ordering::SeqCst);
        }
        format!("{{\"halted\":{}}}", halted.load(Ordering::SeqCst))
    })
    .await
}
