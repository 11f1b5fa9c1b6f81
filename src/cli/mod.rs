//! The command line (SPEC "Command line"). Each subcommand lives in its own file.

mod ack;
mod audit;
mod baseline;
mod check;
mod demo;
mod kill;
mod notify_exit;
mod run;
mod status;
mod tick;
mod validate;
mod watch;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes shared by every command.
pub const EXIT_OK: u8 = 0;
pub const EXIT_NOGO: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "liftoff",
    version,
    about = "A terminal release-day cockpit: live fail-closed Go/No-Go, staged ramp, role ACKs, a verified kill switch and an audit journal.",
    after_help = "Run `liftoff demo` to see the cockpit on a built-in simulated release."
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no subcommand: the cockpit (`liftoff [PLAYBOOK]` = `liftoff run [PLAYBOOK]`).
    #[command(flatten)]
    pub run: run::RunArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The full-screen cockpit (the default command). Exit 0 on quit.
    Run(run::RunArgs),
    /// One headless evaluation of every check; prints the report with evidence.
    /// Exit 0 GO, 1 NO-GO, 2 bad input.
    Check {
        /// The playbook (TOML).
        playbook: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also write `<UTC timestamp>_go_nogo.json` into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Parse and lint a playbook. Exit 0 valid, 2 invalid.
    Validate { playbook: PathBuf },
    /// The cockpit on a built-in simulated release: no server needed.
    Demo(demo::DemoArgs),
    /// Record an ACK for a role in the journal. Exit 0 recorded, 2 bad input.
    Ack {
        playbook: PathBuf,
        /// A role id from the playbook's [[role]] tables.
        #[arg(long)]
        role: String,
        /// Who ACKs (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Tick (or untick) a manual item. Exit 0 recorded, 2 bad input.
    Tick {
        playbook: PathBuf,
        /// The id of a `manual` source.
        #[arg(long)]
        item: String,
        /// Who ticks (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
        /// Untick the item instead.
        #[arg(long)]
        untick: bool,
    },
    /// Fire the kill switch and wait for its readback.
    /// Exit 0 verified HALTED, 1 not verified, 2 bad input.
    Kill {
        playbook: PathBuf,
        /// Who fires it (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Poll once and record the value as a named baseline in the journal (checks
    /// naming it compare with it, e.g. `value >= baseline * 0.95`).
    /// Exit 0 recorded, 1 could not measure, 2 bad input.
    Baseline {
        playbook: PathBuf,
        /// The baseline's name (default: the `baseline` the check names).
        #[arg(long)]
        name: Option<String>,
        /// Read the value as this check does (its source and query).
        #[arg(long, conflicts_with = "source")]
        check: Option<String>,
        /// Read the value from this source instead.
        #[arg(long)]
        source: Option<String>,
        /// With --source: the query (PromQL, a series selector, or SQL for a sql source).
        #[arg(long, requires = "source")]
        query: Option<String>,
        /// Who records it (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
    },
    /// Release state from the journal: stage, ACKs, kill switch, last decision. Exit 0.
    Status {
        playbook: PathBuf,
        #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
        format: StatusFormat,
    },
    /// The headless supervisor: polls, judges guards (kill or alarm), records
    /// decision points and alarms once, posts webhooks; logs to stderr
    /// (RUST_LOG). Runs until SIGTERM/SIGINT; exit 2 on bad input.
    Watch {
        playbook: PathBuf,
        /// Serve /metrics (Prometheus text) and /status (JSON) here, read-only:
        /// HOST:PORT, or a port alone (loopback), e.g. 127.0.0.1:9187.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Allow --listen on an address beyond loopback (0.0.0.0, a pod's IP):
        /// whoever reaches it sees the release's checks and evidence.
        #[arg(long, requires = "listen")]
        listen_remote: bool,
    },
    /// The audit journal.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the journal's hash chain. Exit 0 intact, 1 broken (names the first bad line).
    Verify { playbook: PathBuf },
    /// Write the journal (file or etcd) as a JSON-lines file, byte for byte as
    /// stored. Exit 0 written, 2 bad input or journal unreachable.
    Export {
        playbook: PathBuf,
        /// The file to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Md,
}

pub fn main() -> ExitCode {
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Check {
            playbook,
            format,
            out,
        }) => check::run(&playbook, format, out.as_deref()),
        Some(Command::Validate { playbook }) => validate::run(&playbook),
        Some(Command::Run(args)) => run::run(&args),
        None => run::run(&cli.run),
        Some(Command::Demo(args)) => demo::run(args),
        Some(Command::Ack {
            playbook,
            role,
            as_name,
            comment,
        }) => ack::run(&playbook, &role, as_name.as_deref(), comment),
        Some(Command::Tick {
            playbook,
            item,
            as_name,
            untick,
        }) => tick::run(&playbook, &item, as_name.as_deref(), untick),
        Some(Command::Kill {
            playbook,
            as_name,
            reason,
        }) => kill::run(&playbook, as_name.as_deref(), reason),
        Some(Command::Baseline {
            playbook,
            name,
            check,
            source,
            query,
            as_name,
        }) => baseline::run(
            &playbook,
            baseline::Args {
                name: name.as_deref(),
                check: check.as_deref(),
                source: source.as_deref(),
                query: query.as_deref(),
                as_name: as_name.as_deref(),
            },
        ),
        Some(Command::Status { playbook, format }) => status::run(&playbook, format),
        Some(Command::Watch {
            playbook,
            listen,
            listen_remote,
        }) => watch::run(&playbook, listen.as_deref(), listen_remote),
        Some(Command::Audit {
            command: AuditCommand::Verify { playbook },
        }) => audit::verify(&playbook),
        Some(Command::Audit {
            command: AuditCommand::Export { playbook, to },
        }) => audit::export(&playbook, &to),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("liftoff: {report:?}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Loads a playbook or prints why not (exit 2).
pub(crate) fn load_or_report(
    path: &std::path::Path,
) -> Result<crate::playbook::LoadedPlaybook, u8> {
    crate::playbook::load(path).map_err(|e| {
        eprintln!("{e}");
        EXIT_BAD_INPUT
    })
}

pub(crate) fn runtime() -> color_eyre::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
