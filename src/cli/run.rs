//! `liftoff [run] [PLAYBOOK]`: the full-screen cockpit. Exit 0 on quit, 2 on
//! a bad playbook, theme or layout.

use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_OK};
use crate::tui::layout::Layout;
use crate::tui::theme::Theme;
use crate::tui::{self, CockpitOptions};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The playbook (TOML).
    #[arg(default_value = "liftoff.toml")]
    pub playbook: PathBuf,
    /// Colour theme (dark, light, high-contrast, ...). NO_COLOR is honoured.
    #[arg(long, default_value = "dark")]
    pub theme: String,
    /// Screen layout (commander, war-room, compact, ...); default: the
    /// biggest that fits the terminal, chosen again on resize.
    #[arg(long)]
    pub layout: Option<String>,
    /// No bell on ALARM, HALTED or a failed kill switch (the title still says it).
    #[arg(long)]
    pub no_bell: bool,
    /// Who sits at this terminal, for the journal; else LIFTOFF_USER, then
    /// the login name, then $USER.
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Serve /metrics (Prometheus text) and /status (JSON) here, read-only:
    /// HOST:PORT, or a port alone (loopback), e.g. 127.0.0.1:9187.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Allow --listen on an address beyond loopback: whoever reaches it sees
    /// the release's checks and evidence.
    #[arg(long, requires = "listen")]
    pub listen_remote: bool,
}

pub fn run(args: &RunArgs) -> color_eyre::Result<u8> {
    // Refuse bad names before the screen is taken over, with the choices.
    if let Err(e) = Theme::load(&args.theme) {
        eprintln!(
            "liftoff: {e}; themes: {}",
            Theme::builtin_names().join(", ")
        );
        return Ok(EXIT_BAD_INPUT);
    }
    if let Some(Err(e)) = args.layout.as_deref().map(Layout::load) {
        eprintln!(
            "liftoff: {e}; layouts: {}",
            Layout::builtin_names().join(", ")
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let listen = match args
        .listen
        .as_deref()
        .map(|l| crate::serve::listen_address(l, args.listen_remote))
        .transpose()
    {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("liftoff: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if let Some(warning) = listen.and_then(crate::serve::remote_warning) {
        eprintln!("liftoff: {warning}");
    }
    let pb = match load_or_report(&args.playbook) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    if !std::io::stdout().is_terminal() {
        eprintln!(
            "liftoff: the cockpit needs a terminal; for CI and scripts use `liftoff check {}`",
            args.playbook.display()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let opts = CockpitOptions {
        theme: args.theme.clone(),
        layout: args.layout.clone(),
        bell: !args.no_bell,
        as_name: args.as_name.clone(),
        listen,
    };
    runtime()?.block_on(tui::run(pb, opts))?;
    Ok(EXIT_OK)
}
