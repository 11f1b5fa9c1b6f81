//! The command line (SPEC "Command line"). Each subcommand lives in its own file.

mod ack;
mod assess;
mod audit;
mod baseline;
mod check;
mod decide;
mod demo;
mod kill;
mod logging;
mod notify_exit;
mod report;
mod run;
mod stage;
mod status;
mod tick;
mod validate;
mod waive;
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
    /// Append logs to this file (filter: RUST_LOG, default `liftoff=info`).
    /// The cockpit logs nowhere else; `watch` logs to stderr without it.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
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
        /// A role id from the playbook's `[[role]]` tables.
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
    /// Enter a ramp stage with the cockpit's rules (gate, ACKs, requires, hold).
    /// Exit 0 entered and read back, 1 refused or not read back, 2 bad input.
    #[command(group(clap::ArgGroup::new("move").required(true).args(["next", "back", "enter"])))]
    Stage {
        playbook: PathBuf,
        /// Enter the next stage.
        #[arg(long)]
        next: bool,
        /// Step back to the previous stage (runs the current stage's `undo`).
        #[arg(long)]
        back: bool,
        /// Enter the stage with this name (the next one, or the previous one to step back).
        #[arg(long, value_name = "NAME")]
        enter: Option<String>,
        /// Who moves the ramp (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
        /// Enter before the current stage's hold ends (journaled as an override).
        #[arg(long, requires = "justification")]
        override_hold: bool,
        /// Why (required with --override-hold).
        #[arg(long)]
        justification: Option<String>,
    },
    /// Record a decision with an outcome (go, no-go, expand, mitigate, rollback)
    /// and its `_go_nogo.json`; an outcome the gate does not support is an override.
    /// Exit 0 recorded, 2 bad input or refused.
    Decide {
        playbook: PathBuf,
        /// go, no-go, expand, mitigate or rollback.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        justification: String,
        /// Who decides (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
        /// When the decision is reviewed next (e.g. for NO-GO), RFC 3339.
        #[arg(long, value_name = "TIME")]
        next_review: Option<String>,
    },
    /// Waive one check for a time (the check's `waivable_by` must name the role,
    /// and the person must hold a valid ACK as it). Exit 0 recorded, 2 bad input or refused.
    Waive {
        playbook: PathBuf,
        #[arg(long)]
        check: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        justification: String,
        /// How long the waiver lasts (default 1h), e.g. "2h".
        #[arg(long = "for", value_name = "DURATION")]
        for_: Option<String>,
        /// Who waives (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
    },
    /// The release's story from the journal: stages, ACKs, decisions with their
    /// evidence, guard trips, kill switch, waivers, overrides, and the watched
    /// metrics over time (charts in html). Exit 0 written, 2 bad input.
    Report {
        playbook: PathBuf,
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
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
    /// Check the journal's hash chain (and its MACs, for a keyed journal whose
    /// key is available). Exit 0 intact, 1 broken (names the first bad line).
    Verify {
        playbook: PathBuf,
        /// The head as recorded outside the journal (`journal_head` of a
        /// `_go_nogo.json` or a webhook message): exit 1 if that line is gone.
        #[arg(long, value_name = "HASH@LINE")]
        expect_head: Option<crate::journal::Head>,
    },
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
pub enum ReportFormat {
    Md,
    Html,
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
    let face = match cli.command {
        None | Some(Command::Run(_)) | Some(Command::Demo(_)) => logging::Face::Cockpit,
        Some(Command::Watch { .. }) => logging::Face::Service,
        Some(_) => logging::Face::Command,
    };
    if let Err(e) = logging::init(face, cli.log_file.as_deref()) {
        let path = cli.log_file.as_deref().unwrap_or(std::path::Path::new(""));
        eprintln!("liftoff: cannot open the log file {}: {e}", path.display());
        return ExitCode::from(EXIT_BAD_INPUT);
    }
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
        Some(Command::Stage {
            playbook,
            next,
            back,
            enter,
            as_name,
            override_hold,
            justification,
        }) => stage::run(
            &playbook,
            stage::Args {
                to: match (next, back, enter) {
                    (_, true, _) => stage::Move::Back,
                    (_, _, Some(name)) => stage::Move::Enter(name),
                    _ => stage::Move::Next,
                },
                as_name: as_name.as_deref(),
                override_hold,
                justification,
            },
        ),
        Some(Command::Decide {
            playbook,
            outcome,
            justification,
            as_name,
            next_review,
        }) => decide::run(
            &playbook,
            decide::Args {
                outcome: &outcome,
                justification: &justification,
                as_name: as_name.as_deref(),
                next_review,
            },
        ),
        Some(Command::Waive {
            playbook,
            check,
            role,
            justification,
            for_,
            as_name,
        }) => waive::run(
            &playbook,
            waive::Args {
                check: &check,
                role: &role,
                justification: &justification,
                for_: for_.as_deref(),
                as_name: as_name.as_deref(),
            },
        ),
        Some(Command::Report {
            playbook,
            format,
            out,
        }) => report::run(&playbook, format, out.as_deref()),
        Some(Command::Watch {
            playbook,
            listen,
            listen_remote,
        }) => watch::run(&playbook, listen.as_deref(), listen_remote),
        Some(Command::Audit {
            command:
                AuditCommand::Verify {
                    playbook,
                    expect_head,
                },
        }) => audit::verify(&playbook, expect_head.as_ref()),
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

/// How long the end of a command waits for blocking threads still running
/// (a read stuck in the kernel, already past its source's timeout).
const SHUTDOWN_BOUND: std::time::Duration = std::time::Duration::from_millis(500);

/// A runtime whose drop waits at most `SHUTDOWN_BOUND` for its blocking
/// threads: a stuck read must not hold the process at exit.
pub(crate) struct BoundedRuntime(Option<tokio::runtime::Runtime>);

impl std::ops::Deref for BoundedRuntime {
    type Target = tokio::runtime::Runtime;
    fn deref(&self) -> &tokio::runtime::Runtime {
        // Only `drop` takes it out.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("runtime used after drop"))
    }
}

impl Drop for BoundedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_timeout(SHUTDOWN_BOUND);
        }
    }
}

pub(crate) fn runtime() -> color_eyre::Result<BoundedRuntime> {
    Ok(BoundedRuntime(Some(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?,
    )))
}
