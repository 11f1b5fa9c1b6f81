//! Where `tracing` goes. The cockpit owns the terminal, so its logs never go
//! to the screen: only to `--log-file`. `watch` is a service and logs to
//! stderr by default; the other headless commands print their own report and
//! log to stderr only when `RUST_LOG` asks for it.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

/// Who is running, as far as logging cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// `run`, `demo`, or no subcommand: the terminal is the cockpit's.
    Cockpit,
    /// `watch`: a service, logs are its output.
    Service,
    /// Everything else: a report on stdout, logs only on request.
    Command,
}

/// The default filter when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "liftoff=info";

/// Installs the subscriber for `face`; `log_file` wins over every default.
/// A log file that cannot be opened is bad input: said before anything runs.
pub fn init(face: Face, log_file: Option<&Path>) -> Result<(), std::io::Error> {
    let from_env = EnvFilter::try_from_default_env().ok();
    if let Some(path) = log_file {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let filter = from_env.unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
        install(filter, Mutex::new(file));
        return Ok(());
    }
    match (face, from_env) {
        (Face::Cockpit, _) => {}
        (Face::Service, filter) => {
            install(
                filter.unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER)),
                std::io::stderr,
            );
        }
        (Face::Command, Some(filter)) => install(filter, std::io::stderr),
        (Face::Command, None) => {}
    }
    Ok(())
}

fn install<W>(filter: EnvFilter, writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    // A second install (a library caller that set its own) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
}
