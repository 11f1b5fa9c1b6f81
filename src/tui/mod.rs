//! The cockpit: the full-screen terminal UI.
//!
//! STABLE INTERFACE: `run` and `CockpitOptions` (the `run` and `demo` commands call them).

pub mod layout;
pub mod theme;

use crate::playbook::LoadedPlaybook;

/// How the cockpit starts.
#[derive(Debug, Clone)]
pub struct CockpitOptions {
    /// Theme name (`--theme`), e.g. "dark".
    pub theme: String,
    /// Layout name (`--layout`), e.g. "commander".
    pub layout: String,
}

impl Default for CockpitOptions {
    fn default() -> Self {
        CockpitOptions {
            theme: "dark".into(),
            layout: "commander".into(),
        }
    }
}

/// Runs the cockpit on `playbook` until the user quits. Must be called inside a
/// tokio runtime; restores the terminal on every exit path.
pub async fn run(playbook: LoadedPlaybook, opts: CockpitOptions) -> color_eyre::Result<()> {
    let _ = (playbook, opts);
    Err(color_eyre::eyre::eyre!("the cockpit is not built yet"))
}
