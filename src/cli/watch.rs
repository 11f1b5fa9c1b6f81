//! `liftoff watch PLAYBOOK [--listen ADDR]`: the supervisor without a
//! terminal (a service: see deploy/ and README "Run the supervisor as a
//! service"). Polls, judges the guards, fires the kill switch on a guard,
//! records decision points and alarms once, posts the webhooks; logs to
//! stderr (`RUST_LOG`, default info). Runs until SIGTERM or SIGINT; exit 2 on
//! a bad playbook or a journal that cannot be opened.

use super::{load_or_report, runtime, EXIT_BAD_INPUT, EXIT_OK};
use crate::act::ActContext;
use crate::journal::{self, Actor};
use crate::serve;
use crate::supervisor::{self, Snapshot};
use std::path::Path;
use std::sync::Arc;
use tokio::signal::unix::{signal, SignalKind};
use tokio_util::sync::CancellationToken;

pub fn run(path: &Path, listen: Option<&str>, listen_remote: bool) -> color_eyre::Result<u8> {
    // A bad or public address is refused before anything starts.
    let listen = match listen
        .map(|l| serve::listen_address(l, listen_remote))
        .transpose()
    {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("liftoff: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let pb = match load_or_report(path) {
        Ok(pb) => pb,
        Err(code) => return Ok(code),
    };
    let journal = match journal::open(&pb) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("liftoff: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let pb = Arc::new(pb);
        tracing::info!(
            release = pb.name(),
            journal = %journal.describe(),
            sources = pb.playbook.sources.len(),
            checks = pb.checks.len(),
            guards = pb.guards.len(),
            "supervisor starting"
        );
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let served = serve::Context {
            pb: pb.clone(),
            journal: journal.describe(),
        };
        let ctx = ActContext::new(pb, journal, Actor::here(None));
        let cancel = CancellationToken::new();
        let sup = supervisor::spawn(ctx, true, cancel.clone());
        if let Some(addr) = listen {
            match serve::spawn(addr, served, sup.snapshots(), cancel.clone()) {
                Ok(bound) => {
                    if let Some(warning) = serve::remote_warning(bound) {
                        tracing::warn!("{warning}");
                    }
                    tracing::info!("serving http://{bound}/metrics and http://{bound}/status");
                }
                Err(e) => {
                    eprintln!("liftoff: {e}");
                    sup.shutdown().await;
                    return Ok(EXIT_BAD_INPUT);
                }
            }
        }
        let mut gate = sup.snapshots();
        let mut last_gate = None;
        loop {
            tokio::select! {
                _ = term.recv() => { tracing::info!("SIGTERM: stopping"); break }
                _ = int.recv() => { tracing::info!("SIGINT: stopping"); break }
                changed = gate.changed() => {
                    if changed.is_err() { break }
                    let snap = gate.borrow_and_update().clone();
                    log_gate(&snap, &mut last_gate);
                }
            }
        }
        sup.shutdown().await;
        tracing::info!("supervisor stopped");
        Ok(EXIT_OK)
    })
}

/// The gate, logged when it changes (with what holds it).
fn log_gate(snap: &Snapshot, last: &mut Option<String>) {
    let holds: Vec<&str> = snap.gate.holds.iter().map(|h| h.id.as_str()).collect();
    let line = format!(
        "{} (holding: {})",
        snap.gate.decision.word(),
        holds.join(", ")
    );
    if last.as_deref() != Some(line.as_str()) {
        tracing::info!(stage = ?snap.release.stage.as_ref().map(|s| &s.name), "gate {line}");
        *last = Some(line);
    }
}
