//! The cockpit's one loop: terminal events, the event channel (pollers,
//! journal, acts) and a 1 s clock, folded into `App`. A frame is drawn only
//! after a batch of events changed something that matters (keys, acts, the
//! gate, a verdict's status, the kill switch...) or on the clock tick (new
//! values, ages and countdowns: about one frame a second when idle).

use super::app::App;
use super::input::{self, Input};
use super::layout::Layout;
use super::terminal::{Term, TerminalGuard};
use super::theme::Theme;
use super::{view, CockpitOptions};
use crate::act::ActContext;
use crate::journal::no_journal::NoJournal;
use crate::journal::{self, Actor, SharedJournal};
use crate::playbook::LoadedPlaybook;
use crate::supervisor::actuator::LiveActuator;
use crate::supervisor::event::SupervisorEvent;
use crate::supervisor::request::Actuator;
use crate::supervisor::{self, Snapshot};
use chrono::Utc;
use color_eyre::eyre::{eyre, WrapErr};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

/// Room for bursts (every source finishing at once, a journal catch-up);
/// senders wait when it is full rather than growing memory.
pub const EVENT_QUEUE: usize = 256;
/// Events folded per batch before a frame is considered.
const BATCH: usize = 64;

pub async fn run(playbook: LoadedPlaybook, opts: CockpitOptions) -> color_eyre::Result<()> {
    let mut theme = Theme::load(&opts.theme).map_err(|e| eyre!("{e}"))?;
    // https://no-color.org: present and not empty.
    theme.no_color |= std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let layout = match &opts.layout {
        Some(name) => Layout::load(name),
        None => Layout::best_for(
            crossterm::terminal::size().map_or(100, |s| s.0),
            crossterm::terminal::size().map_or(30, |s| s.1),
        ),
    }
    .map_err(|e| eyre!("{e}"))?;
    if !std::io::stdout().is_terminal() {
        return Err(eyre!(
            "the cockpit needs a terminal; for CI and scripts use `liftoff check`"
        ));
    }
    let (tx, mut rx) = mpsc::channel::<SupervisorEvent>(EVENT_QUEUE);
    let cancel = CancellationToken::new();
    let mut app = App::new(playbook, theme, layout, Utc::now());
    app.layout_auto = opts.layout.is_none();
    // Asked once on the plain terminal when nothing names anyone.
    let name = super::who::settle(
        opts.as_name.as_deref(),
        &mut std::io::stdin().lock(),
        &mut std::io::stdout(),
    )
    .map_err(|e| eyre!("{e}"))?;
    let actor = Actor::here(Some(&name));
    app.user = actor.name.clone();
    app.herald = super::herald::Herald::new(opts.bell);
    // The journal: the supervisor follows it, the acts write it.
    let (journal, follow): (SharedJournal, bool) = match journal::open(&app.pb.journal_config()) {
        Ok(j) => (j, true),
        Err(e) => {
            // No shared state and nothing recorded, but the kill switch fires.
            let text = format!("no journal: {e}; the kill switch still fires");
            app.apply(SupervisorEvent::Notice { text, bad: true }, Utc::now());
            let spec = app.pb.playbook.release.journal.clone().unwrap_or_default();
            (Arc::new(NoJournal { spec }), false)
        }
    };
    let described = journal.describe();
    let ctx = ActContext::new(app.pb.clone(), journal, actor);
    // The same supervisor `liftoff watch` runs, on its own task: pollers,
    // evaluation, guards, decision points, webhooks. The cockpit draws its
    // snapshots and sends acts.
    let sup = supervisor::spawn(ctx.clone(), follow, cancel.clone());
    let mut snapshots = sup.snapshots();
    if let Some(addr) = opts.listen {
        // Before the terminal is taken: a port in use is said plainly.
        let served = crate::serve::Context {
            pb: app.pb.clone(),
            journal: described,
        };
        match crate::serve::spawn(addr, served, sup.snapshots(), cancel.clone()) {
            Ok(bound) => {
                let text = format!("serving http://{bound}/metrics and /status");
                app.apply(SupervisorEvent::Notice { text, bad: false }, Utc::now());
            }
            Err(e) => {
                cancel.cancel();
                sup.shutdown().await;
                return Err(eyre!("{e}"));
            }
        }
    }
    let live = LiveActuator::new(ctx, tx.clone());
    // Keys are read on their own task; the second `K` fires from there.
    let (input_tx, mut input_rx) = mpsc::channel::<Input>(EVENT_QUEUE);
    let actuator: Box<dyn Actuator> = Box::new(live.clone());
    let mut app = app.with_actuator(actuator);
    app.triggers = sup.triggers();

    let result = match TerminalGuard::enter() {
        Ok(mut guard) => {
            input::spawn(live, app.kill_arm.clone(), input_tx, cancel.clone());
            event_loop(&mut guard, &mut app, &mut rx, &mut snapshots, &mut input_rx).await
        }
        Err(e) => Err(e).wrap_err("cannot take over the terminal"),
    };
    drop(tx);
    cancel.cancel();
    sup.shutdown().await;
    result
}

async fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    rx: &mut mpsc::Receiver<SupervisorEvent>,
    snapshots: &mut watch::Receiver<Arc<Snapshot>>,
    input: &mut mpsc::Receiver<Input>,
) -> color_eyre::Result<()> {
    let size = guard.terminal.size()?;
    app.resized(size.width, size.height);
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut term_signal = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut channel_open = true;
    draw(&mut guard.terminal, app)?;
    loop {
        tokio::select! {
            // In this order when several are ready: keys, then the acts'
            // results (the kill switch's verdict), then the supervisor's
            // newest snapshot (a watch: never a queue of stale ones).
            biased;
            _ = term_signal.recv() => app.quit = true,
            _ = hangup.recv() => app.quit = true,
            event = input.recv() => match event {
                Some(Input::Terminal(e)) => app.on_terminal(e, Utc::now()),
                Some(Input::KillFired(started)) => app.kill_fired_from_input(started, Utc::now()),
                Some(Input::Failed(e)) => return Err(e).wrap_err("reading the terminal"),
                // The terminal is gone: nobody to show anything to.
                None => app.quit = true,
            },
            n = rx.recv_many(&mut batch, BATCH), if channel_open => {
                channel_open = n > 0;
                let now = Utc::now();
                for event in batch.drain(..) {
                    app.apply(event, now);
                }
            }
            changed = snapshots.changed() => match changed {
                Ok(()) => {
                    let snap = snapshots.borrow_and_update().clone();
                    app.apply(SupervisorEvent::Snapshot(snap), Utc::now());
                }
                // The supervisor stopped: nothing guards the release from here.
                Err(_) => return Err(eyre!("the supervisor stopped")),
            },
            _ = clock.tick() => {
                // A resize whose event came stale or not at all (tmux sends
                // the first and the last of a burst): the layout follows the
                // terminal's real size within a second.
                if let Ok(s) = guard.terminal.size() {
                    if (s.width, s.height) != app.size {
                        app.resized(s.width, s.height);
                    }
                }
                app.on_tick(Utc::now())
            }
        }
        // An act was just spawned (the kill switch above all). A task spawned
        // from this one waits in this worker's LIFO slot until we yield, so
        // yield first: the act starts now, not after the frame is drawn.
        if app.take_urgent() {
            tokio::task::yield_now().await;
        }
        if app.quit {
            return Ok(());
        }
        if app.suspend {
            app.suspend = false;
            guard.suspend()?;
            app.mark_dirty();
        }
        if app.take_redraw() {
            draw(&mut guard.terminal, app)?;
            super::herald::announce(guard.terminal.backend_mut(), app)?;
        }
    }
}

fn draw(terminal: &mut Term, app: &App) -> color_eyre::Result<()> {
    let now = Utc::now();
    terminal.draw(|f| view::render(f, app, now))?;
    Ok(())
}
