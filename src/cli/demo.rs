//! `liftoff demo`: the cockpit on a built-in simulated release (src/demo/).

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::demo::{seed_release_state, DemoOptions, DemoWorld};
use crate::tui::layout::Layout;
use crate::tui::theme::Theme;
use crate::tui::CockpitOptions;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How much faster than real time the simulated world moves (e.g. 10).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed, value_name = "N")]
    pub speed: f64,
    /// Colour theme: dark, light, high-contrast, colorblind, or your own.
    #[arg(long, default_value = "dark", value_name = "NAME")]
    pub theme: String,
    /// Screen layout: commander, war-room, compact, or your own; default:
    /// the biggest that fits the terminal, chosen again on resize.
    #[arg(long, value_name = "NAME")]
    pub layout: Option<String>,
    /// No bell on ALARM, HALTED or a failed kill switch (the title still says it).
    #[arg(long)]
    pub no_bell: bool,
    /// Who sits at this terminal, for the journal; else LIFTOFF_USER, then
    /// the login name, then $USER.
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Keep the demo's files (playbook, journal, artifacts) in DIR instead of
    /// a temporary folder removed on exit.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Run only the simulated world and print its playbook's path, until
    /// Ctrl-C: point other liftoff commands (or more cockpits) at it.
    #[arg(long)]
    pub serve: bool,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 10_000.0 => Ok(v),
        Ok(_) => Err("the speed must be above 0 and at most 10000 (1 = real time)".into()),
        Err(_) => Err(format!("\"{s}\" is not a number; write e.g. --speed 10")),
    }
}

pub fn run(args: DemoArgs) -> color_eyre::Result<u8> {
    // Refuse a bad theme or layout before starting anything.
    let checked = Theme::load(&args.theme)
        .map(|_| ())
        .map_err(|e| e.to_string())
        .and_then(|_| match args.layout.as_deref().map(Layout::load) {
            Some(Err(e)) => Err(e.to_string()),
            _ => Ok(()),
        });
    if let Err(message) = checked {
        eprintln!("{message}");
        return Ok(EXIT_BAD_INPUT);
    }
    super::runtime()?.block_on(async move {
        let world = DemoWorld::start(DemoOptions {
            speed: args.speed,
            dir: args.dir.clone(),
        })
        .await?;
        seed_release_state(&world.dirs.audit())?;
        let playbook = world.load_playbook()?;
        if args.serve {
            let stop = StopSignals::install()?;
            print_world(&world, args.speed);
            stop.wait().await;
        } else {
            crate::tui::run(
                playbook,
                CockpitOptions {
                    theme: args.theme,
                    layout: args.layout,
                    bell: !args.no_bell,
                    as_name: args.as_name,
                    listen: None,
                },
            )
            .await?;
        }
        drop(world);
        Ok(EXIT_OK)
    })
}

fn print_world(world: &DemoWorld, speed: f64) {
    let e = &world.endpoints;
    println!("liftoff demo world running at {speed}x real time");
    println!("  playbook      {}", world.playbook_path().display());
    println!("  prometheus    {}/api/v1/query", e.prometheus);
    println!("  alertmanager  {}/api/v2/alerts", e.alertmanager);
    println!("  exporter      {}/metrics", e.exporter);
    println!("  ops           {}/ops/status", e.ops);
    println!("  artifacts     {}", world.dirs.validation().display());
    println!("  journal       {}", world.dirs.audit().display());
    println!(
        "try: liftoff check {}    (Ctrl-C stops the world)",
        world.playbook_path().display()
    );
}

/// Ctrl-C or SIGTERM: either way the world is dropped and its folder tidied.
/// The handlers are installed before anything is printed, so a caller that
/// signals as soon as it reads the playbook path cannot kill us untidily.
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<StopSignals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
