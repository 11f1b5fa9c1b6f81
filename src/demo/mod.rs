//! `liftoff demo`: a simulated release the real product runs against.
//!
//! Inside the process, on loopback ephemeral ports, the demo starts the
//! services a release-day playbook polls — a Prometheus HTTP API, a policy
//! exporter's `/metrics`, an Alertmanager v2 API, an `/ops/status` endpoint —
//! and a folder where validation artifacts appear. It writes the demo
//! playbook (assets/demo/playbook.template.toml) with their addresses, and the cockpit
//! reaches all of it through the same source clients, actions and journal it
//! uses on a real release day: nothing in the cockpit knows it is a demo.
//!
//! The world moves on its own on a simulated clock (`--speed` multiplies it);
//! see scenario.rs for the story.

mod alertmanager;
mod artifacts;
mod clock;
mod exporter;
mod ops;
mod playbook;
mod prometheus;
pub mod promql;
pub mod scenario;
mod world;

pub use clock::SimClock;
pub use playbook::{render_playbook, Endpoints, TEMPLATE};
pub use world::{DemoDirs, World};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// The traffic share the demo's release starts at (the 10% stage is live).
pub const OPENING_PERCENT: f64 = 10.0;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// How much faster than real time the world moves (1 = real time).
    pub speed: f64,
    /// Keep the demo's files here instead of a temporary folder (kept on exit).
    pub dir: Option<PathBuf>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            speed: 1.0,
            dir: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot prepare the demo folder {}: {source}", path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the demo's {what} server on 127.0.0.1: {source}")]
    Bind {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// A running demo world. Dropping it stops the servers and, unless `--dir`
/// was given, removes its folder.
pub struct DemoWorld {
    pub dirs: DemoDirs,
    pub endpoints: Endpoints,
    pub world: Arc<World>,
    tasks: Vec<JoinHandle<()>>,
    _temp: Option<tempfile::TempDir>,
}

impl DemoWorld {
    /// Starts the servers and writes the playbook. Must run inside a tokio runtime.
    pub async fn start(opts: DemoOptions) -> Result<DemoWorld, DemoError> {
        let (root, temp) = match &opts.dir {
            Some(d) => (d.clone(), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("liftoff-demo-")
                    .tempdir()
                    .map_err(|source| DemoError::Folder {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let dirs = DemoDirs::new(&root);
        let folder_err = |source| DemoError::Folder {
            path: root.clone(),
            source,
        };
        dirs.prepare(OPENING_PERCENT).map_err(folder_err)?;
        let clock = SimClock::start(opts.speed);
        artifacts::write_history(&dirs.validation(), chrono::Utc::now()).map_err(folder_err)?;
        let world = Arc::new(World {
            clock,
            dirs: dirs.clone(),
        });

        let mut tasks = Vec::new();
        let mut serve = |what: &'static str, router: axum::Router| {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.set_nonblocking(true).map(|_| l))
                .and_then(tokio::net::TcpListener::from_std)
                .map_err(|source| DemoError::Bind { what, source })?;
            let addr: SocketAddr = listener
                .local_addr()
                .map_err(|source| DemoError::Bind { what, source })?;
            tasks.push(tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::warn!("demo {what} server stopped: {e}");
                }
            }));
            Ok::<String, DemoError>(format!("http://{addr}"))
        };
        let endpoints = Endpoints {
            prometheus: serve("Prometheus", prometheus::router(world.clone()))?,
            alertmanager: serve("Alertmanager", alertmanager::router(world.clone()))?,
            exporter: serve("exporter", exporter::router(world.clone()))?,
            ops: serve("ops", ops::router(world.clone()))?,
        };
        tasks.push(tokio::spawn(artifacts::write_todays_run_later(
            dirs.validation(),
            clock,
        )));
        let text = render_playbook(TEMPLATE, &endpoints, &root, clock.speed());
        std::fs::write(dirs.playbook(), text).map_err(folder_err)?;
        Ok(DemoWorld {
            dirs,
            endpoints,
            world,
            tasks,
            _temp: temp,
        })
    }

    /// The demo playbook, written with this world's addresses.
    pub fn playbook_path(&self) -> PathBuf {
        self.dirs.playbook()
    }

    pub fn load_playbook(
        &self,
    ) -> Result<crate::playbook::LoadedPlaybook, crate::playbook::PlaybookError> {
        crate::playbook::load(&self.playbook_path())
    }
}

impl Drop for DemoWorld {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Puts the demo release in its opening position in the journal: the 10%
/// stage entered (and read back) 25 minutes ago, so its 2h hold is counting
/// down and the T+30m decision point is 5 minutes away; the captain ("ana")
/// and the on-call engineer ("ben") have ACKed the 10% stage; the tech lead
/// has NOT (the cockpit shows the prompt).
///
/// The release's history is written as journal lines dated in the past
/// (encoded and hash-chained exactly as appends are), once, into the demo's
/// fresh journal; from then on the cockpit reads and appends to it as to any
/// journal.
pub fn seed_release_state(audit_dir: &Path) -> color_eyre::Result<()> {
    use crate::journal::event::{Ack, StageEntered};
    use crate::journal::{file, line, Actor, Event, NewEvent};
    use chrono::{Duration, SubsecRound, Utc};

    let path = audit_dir.join(file::FILE_NAME);
    if std::fs::metadata(&path)
        .map(|m| m.len() > 0)
        .unwrap_or(false)
    {
        return Ok(()); // a kept demo folder (--dir) resumes where it was
    }
    std::fs::create_dir_all(audit_dir)?;
    let entered = Utc::now().trunc_subsecs(6) - Duration::minutes(25);
    let person = |name: &str, role: Option<&str>| Actor::here(Some(name)).with_role(role);
    let history = [
        (
            entered,
            person("ana", Some("captain")),
            Event::StageEntered(StageEntered {
                index: 1,
                name: "10%".into(),
                percent: 10.0,
                verified: true,
                took_ms: 184,
                back: false,
            }),
        ),
        (
            entered + Duration::minutes(1),
            person("ana", Some("captain")),
            Event::Ack(Ack {
                role: "captain".into(),
                comment: Some("10% looks clean so far".into()),
                stage: Some("10%".into()),
            }),
        ),
        (
            entered + Duration::minutes(2),
            person("ben", Some("oncall")),
            Event::Ack(Ack {
                role: "oncall".into(),
                comment: None,
                stage: Some("10%".into()),
            }),
        ),
    ];
    let mut bytes = Vec::new();
    let mut prev = line::GENESIS.to_string();
    for (id, (at, actor, event)) in history.into_iter().enumerate() {
        let (stored, line) = line::encode(id as u64 + 1, at, &NewEvent::new(&actor, &event), &prev);
        prev = stored.hash;
        bytes.extend_from_slice(&line);
    }
    std::fs::write(&path, bytes)?;
    Ok(())
}

#[cfg(test)]
mod conditions_tests;
#[cfg(test)]
mod tests;
