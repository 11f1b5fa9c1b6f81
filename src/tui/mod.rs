//! The cockpit: the full-screen terminal UI. `run` and `CockpitOptions` start
//! it (the `run` and `demo` commands); `event::AppEvent` feeds it;
//! `act::{Act, Actuator}` is where its acts go, `actuator::Wired` the real one.
//! Modules only the cockpit uses are private to it.

pub mod act;
pub mod actuator;
pub mod app;
pub mod conditions;
pub mod event;
pub(crate) mod herald;
pub(crate) mod input;
pub(crate) mod journal_feed;
pub mod keymap;
pub mod kill_key;
pub(crate) mod kill_keys;
pub mod layout;
pub(crate) mod no_journal;
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
