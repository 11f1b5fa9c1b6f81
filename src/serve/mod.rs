//! `--listen ADDR` (on `watch` and `run`): a small read-only HTTP server
//! showing the release to the team's own tools.
//!
//! - `GET /metrics`: the Prometheus text format (`metrics.rs`);
//! - `GET /status`: the JSON of `liftoff status --format json` plus the gate,
//!   the verdicts, the guards and the sources (`status.rs`).
//!
//! Both are pure functions of the newest published view (a
//! `tokio::sync::watch` channel the supervisor writes), so a scrape never
//! waits on polling or evaluation, and nothing here can change the release.
//! Loopback by default: a non-loopback address is refused unless the
//! operator says so (`listen_address`), and then warned about.

pub mod metrics;
pub mod status;
mod view;

pub use view::{Context, GuardView, SourceView, View};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The port `--listen` uses when given only a host.
pub const DEFAULT_PORT: u16 = 9187;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--listen {0}: not an address; write HOST:PORT (e.g. 127.0.0.1:{DEFAULT_PORT}) or a port alone")]
    BadAddress(String),
    #[error("--listen {0}: not a loopback address. /metrics and /status show anyone who can reach them the release's checks, verdicts and evidence (no secrets); add --listen-remote to serve there anyway")]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// `--listen`'s text as an address: `PORT` (loopback), `HOST:PORT`,
/// `[V6]:PORT`, `localhost:PORT`, or a host alone (port `DEFAULT_PORT`).
/// A non-loopback address is refused unless `remote_ok`.
pub fn listen_address(text: &str, remote_ok: bool) -> Result<SocketAddr, ServeError> {
    let bad = || ServeError::BadAddress(text.to_string());
    let t = text.trim();
    let addr = if let Ok(port) = t.parse::<u16>() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else if let Ok(ip) = t.parse::<IpAddr>() {
        SocketAddr::new(ip, DEFAULT_PORT)
    } else if let Ok(a) = t.parse::<SocketAddr>() {
        a
    } else {
        let with_port = if t.contains(':') {
            t.to_string()
        } else {
            format!("{t}:{DEFAULT_PORT}")
        };
        // A name (localhost, the host's own name): its first address.
        with_port
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(bad)?
    };
    if !addr.ip().is_loopback() && !remote_ok {
        return Err(ServeError::NotLoopback(addr));
    }
    Ok(addr)
}

/// What to print when serving beyond this host (None on loopback).
pub fn remote_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "warning: serving /metrics and /status on {addr}, beyond this host: anyone who can reach it sees the release's checks, verdicts and evidence (secrets are redacted); put it behind your network's access control"
        )
    })
}

/// A published assessment the server can show (the supervisor's snapshot).
pub trait Published: Send + Sync + 'static {
    fn view(&self) -> Cow<'_, View>;
}

impl Published for View {
    fn view(&self) -> Cow<'_, View> {
        Cow::Borrowed(self)
    }
}

impl Published for crate::supervisor::Snapshot {
    fn view(&self) -> Cow<'_, View> {
        Cow::Owned(View::from(self))
    }
}

impl<T: Published> Published for Arc<T> {
    fn view(&self) -> Cow<'_, View> {
        self.as_ref().view()
    }
}

struct Shared<S> {
    ctx: Context,
    rx: watch::Receiver<S>,
}

impl<S: Published> Shared<S> {
    /// The newest view, copied out so the channel is not held while rendering.
    fn newest(&self) -> View {
        self.rx.borrow().view().into_owned()
    }
}

/// Serves `/metrics` and `/status` on `addr` from the newest value of `rx`
/// until `cancel`; returns the address bound (port 0 picks a free one).
/// Must be called inside a tokio runtime.
pub fn spawn<S: Published>(
    addr: SocketAddr,
    ctx: Context,
    rx: watch::Receiver<S>,
    cancel: CancellationToken,
) -> Result<SocketAddr, ServeError> {
    let bind = |source| ServeError::Bind { addr, source };
    let std_listener = std::net::TcpListener::bind(addr).map_err(bind)?;
    std_listener.set_nonblocking(true).map_err(bind)?;
    let bound = std_listener.local_addr().map_err(bind)?;
    let listener = tokio::net::TcpListener::from_std(std_listener).map_err(bind)?;
    let shared = Arc::new(Shared { ctx, rx });
    let app = Router::new()
        .route("/", get(index))
        .route("/metrics", get(metrics_handler::<S>))
        .route("/status", get(status_handler::<S>))
        .with_state(shared);
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::warn!("the --listen server on {bound} stopped: {e}");
        }
    });
    Ok(bound)
}

async fn index() -> &'static str {
    "liftoff: GET /metrics (Prometheus text format), GET /status (JSON)\n"
}

async fn metrics_handler<S: Published>(State(shared): State<Arc<Shared<S>>>) -> Response {
    let text = metrics::render(&shared.ctx, &shared.newest());
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response()
}

async fn status_handler<S: Published>(State(shared): State<Arc<Shared<S>>>) -> Response {
    match status::render(&shared.ctx, &shared.newest()) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the status: {e}\n"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests;
