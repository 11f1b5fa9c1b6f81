//! The world the servers describe: the simulated clock plus the state folder
//! the playbook's actions write into (the ramp's traffic share, the kill flag).

use super::clock::SimClock;
use super::scenario::{self, Snapshot, Switches};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// Where the demo keeps its files, under one root folder.
#[derive(Debug, Clone)]
pub struct DemoDirs {
    pub root: PathBuf,
}

impl DemoDirs {
    pub fn new(root: &Path) -> DemoDirs {
        DemoDirs {
            root: root.to_path_buf(),
        }
    }
    /// What the playbook's actions write: `influence_percent`, `kill.flag`.
    pub fn state(&self) -> PathBuf {
        self.root.join("state")
    }
    /// The folder the `artifacts` source watches.
    pub fn validation(&self) -> PathBuf {
        self.root.join("validation")
    }
    /// The playbook's `audit_dir` (the journal lives here).
    pub fn audit(&self) -> PathBuf {
        self.root.join("audit")
    }
    pub fn playbook(&self) -> PathBuf {
        self.root.join("liftoff-demo.toml")
    }
    pub fn kill_flag(&self) -> PathBuf {
        self.state().join("kill.flag")
    }
    pub fn influence_file(&self) -> PathBuf {
        self.state().join("influence_percent")
    }

    /// Creates the folders and puts the world in its opening position: the
    /// 10% stage live, the kill switch not fired.
    pub fn prepare(&self, opening_percent: f64) -> std::io::Result<()> {
        for d in [self.state(), self.validation(), self.audit()] {
            std::fs::create_dir_all(d)?;
        }
        match std::fs::remove_file(self.kill_flag()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::fs::write(self.influence_file(), format!("{opening_percent}\n"))
    }

    /// Reads what the operators did. A missing or garbled percentage reads as
    /// 0: a serving path that cannot read its setting serves no policy traffic.
    pub fn switches(&self) -> Switches {
        let influence_percent = std::fs::read_to_string(self.influence_file())
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|p| p.is_finite() && (0.0..=100.0).contains(p))
            .unwrap_or(0.0);
        Switches {
            influence_percent,
            halted: self.kill_flag().exists(),
        }
    }
}

/// Shared by every server: read-only, so no locks.
#[derive(Debug, Clone)]
pub struct World {
    pub clock: SimClock,
    pub dirs: DemoDirs,
}

impl World {
    /// Simulated seconds now.
    pub fn sim_now(&self) -> f64 {
        self.clock.sim_now().as_secs_f64()
    }

    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_at(self.sim_now())
    }

    pub fn snapshot_at(&self, sim: f64) -> Snapshot {
        scenario::at(sim, self.dirs.switches())
    }

    /// The wall-clock time of simulated second `sim` (negative: before the start).
    pub fn wall_at(&self, sim: f64) -> DateTime<Utc> {
        let real_ms = sim / self.clock.speed() * 1000.0;
        self.clock.wall_at(std::time::Duration::ZERO)
            + chrono::Duration::milliseconds(real_ms.round() as i64)
    }

    /// The simulated second of a wall-clock time (for `time=` parameters).
    pub fn sim_at_wall(&self, at: DateTime<Utc>) -> f64 {
        let start = self.clock.wall_at(std::time::Duration::ZERO);
        let real = (at - start).num_milliseconds() as f64 / 1000.0;
        (real * self.clock.speed()).max(0.0)
    }
}
