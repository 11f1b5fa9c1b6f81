//! The cockpit: the full-screen terminal UI. `run` and `CockpitOptions` start
//! it (the `run` and `demo` commands); `supervisor::event::SupervisorEvent` feeds it;
//! its requests (`supervisor::request::Request`) go to an `Actuator`,
//! `supervisor::actuator::LiveActuator` the real one. The cockpit depends on
//! the supervisor, never the reverse. Modules only the cockpit uses are
//! private to it.

pub mod app;
pub(crate) mod herald;
pub(crate) mod input;
pub mod keymap;
pub mod kill_key;
pub(crate) mod kill_keys;
pub mod layout;
pub(crate) mod overlays;
pub mod panels;
mod runloop;
pub mod style;
pub(crate) mod terminal;
pub mod theme;
pub mod view;
pub(crate) mod who;

pub use runloop::EVENT_QUEUE;

use crate::playbook::LoadedPlaybook;

/// How the cockpit starts.
#[derive(Debug, Clone)]
pub struct CockpitOptions {
    /// Theme name (`--theme`), e.g. "dark".
    pub theme: String,
    /// Layout name (`--layout`), e.g. "commander"; None: the biggest that
    /// fits the terminal, chosen again on every resize.
    pub layout: Option<String>,
    /// Ring the bell on ALARM, HALTED and a failed kill switch (`--no-bell`).
    pub bell: bool,
    /// Who sits at this terminal (`--as`); else `LIFTOFF_USER`, the login name.
    pub as_name: Option<String>,
    /// Serve `/metrics` and `/status` here (`--listen`, already checked by
    /// `serve::listen_address`).
    pub listen: Option<std::net::SocketAddr>,
}

impl Default for CockpitOptions {
    fn default() -> Self {
        CockpitOptions {
            theme: "dark".into(),
            layout: None,
            bell: true,
            as_name: None,
            listen: None,
        }
    }
}

/// Runs the cockpit on `playbook` until the user quits. Must be called inside a
/// tokio runtime; restores the terminal on every exit path.
pub async fn run(playbook: LoadedPlaybook, opts: CockpitOptions) -> color_eyre::Result<()> {
    runloop::run(playbook, opts).await
}
