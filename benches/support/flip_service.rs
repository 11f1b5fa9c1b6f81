//! A loopback service whose metric the bench flips across a guard's
//! threshold, and which the kill switch halts. It plays the remote side:
//! GET /metrics answers `{"error_rate": x}`, POST /halt halts it, GET /status
//! answers `{"halted": bool}`. It notes when the flip happened, when a poll
//! first read the flipped value and when the kill's POST arrived.

#[path = "loopback.rs"]
mod loopback;

use std::sync::{Arc, Mutex};
use std::time::Instant;

pub const CALM: f64 = 0.01;
pub const BAD: f64 = 0.20;

#[derive(Debug, Default, Clone, Copy)]
pub struct Marks {
    /// When the value crossed the threshold (t0).
    pub flipped: Option<Instant>,
    /// When a GET /metrics first answered the flipped value.
    pub first_read: Option<Instant>,
    /// When the kill switch's POST /halt arrived.
    pub halt_arrived: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Remote {
    marks: Mutex<Marks>,
}

impl Remote {
    /// Calm and not halted, for the next run.
    pub fn reset(&self) {
        *self.marks.lock().expect("marks") = Marks::default();
    }

    /// Crosses the threshold now; t0 is taken under the same lock the
    /// handlers read, so no poll can see the new value before t0.
    pub fn flip(&self) {
        self.marks.lock().expect("marks").flipped = Some(Instant::now());
    }

    pub fn marks(&self) -> Marks {
        *self.marks.lock().expect("marks")
    }

    fn answer(&self, request: &[u8]) -> String {
        let mut m = self.marks.lock().expect("marks");
        if request.starts_with(b"POST /halt") {
            m.halt_arrived.get_or_insert_with(Instant::now);
            return "{\"halted\":true}".into();
        }
        if request.starts_with(b"GET /status") {
            return format!("{{\"halted\":{}}}", m.halt_arrived.is_some());
        }
        let value = if m.flipped.is_some() {
            m.first_read.get_or_insert_with(Instant::now);
            BAD
        } else {
            CALM
        };
        format!("{{\"error_rate\":{value}}}")
    }
}

/// Starts the service on a free loopback port; returns the port.
pub async fn start(remote: Arc<Remote>) -> u16 {
    loopback::serve(loopback::Connection::KeepAlive, move |request| {
        remote.answer(request)
    })
    .await
}
