//! Seed 003's world for a test: the shipped playbook
//! (`assets/playbooks/autopack-staged.toml`, byte for byte) in a temp folder,
//! its telemetry database (SQLite from `tests/fixtures/autopack/*.sql`, or a
//! PostgreSQL database), and the team's Python tooling played by a small
//! script (the smoke test says GO, the core test suite passes).

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PLAYBOOK: &str = include_str!("../../../assets/playbooks/autopack-staged.toml");
pub const SCHEMA: &str = include_str!("../../fixtures/autopack/schema.sql");
pub const GOOD: &str = include_str!("../../fixtures/autopack/good.sql");
pub const BAD: &str = include_str!("../../fixtures/autopack/bad.sql");

/// The Autopack interpreter as the playbook calls it: `-m pytest ...` passes,
/// the smoke script reports GO (or what `smoke.txt` in its folder says).
const PYTHON: &str = r#"#!/bin/sh
case "$*" in
  *pytest*) echo "412 passed, 3 deselected"; exit 0 ;;
  *smoke_autonomy_features.py*)
     if [ -f "$(dirname "$0")/smoke.txt" ]; then cat "$(dirname "$0")/smoke.txt"; else echo "Autonomy features: GO"; fi; exit 0 ;;
esac
echo "unexpected: $*" >&2; exit 2
"#;

pub struct World {
    pub dir: tempfile::TempDir,
    pub playbook: PathBuf,
    pub database_url: String,
    /// Extra environment for the binary (e.g. a webhook URL).
    pub env: Vec<(String, String)>,
}

impl World {
    /// The playbook in a fresh folder, reading `database_url`.
    pub fn new(database_url: &str) -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let playbook = dir.path().join("autopack-staged.toml");
        std::fs::write(&playbook, PLAYBOOK).expect("write playbook");
        let home = dir.path().join("autopack");
        std::fs::create_dir_all(home.join("scripts")).expect("autopack folder");
        let python = home.join("python");
        std::fs::write(&python, PYTHON).expect("python stand-in");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        World {
            dir,
            playbook,
            database_url: database_url.to_string(),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn env_file(&self) -> PathBuf {
        self.path().join("autopack.env")
    }

    /// Makes the smoke script report `text` from now on.
    pub fn smoke_says(&self, text: &str) {
        std::fs::write(self.path().join("autopack/smoke.txt"), text).expect("smoke.txt");
    }

    /// `liftoff ARGS...` (the playbook is added after the subcommand).
    pub fn liftoff(&self, sub: &str, args: &[&str]) -> Output {
        let home = self.path().join("autopack");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_liftoff"));
        cmd.arg(sub)
            .arg(&self.playbook)
            .args(args)
            .env("NO_COLOR", "1")
            .env("DATABASE_URL", &self.database_url)
            .env("AUTOPACK_HOME", &home)
            .env("AUTOPACK_PYTHON", home.join("python"))
            .env("AUTOPACK_ENV_FILE", self.env_file())
            .env_remove("AUTOPACK_OPS_SLACK_WEBHOOK");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("run liftoff")
    }

    /// The humans' part of stage 0: both go roles ACK, the manual items are
    /// ticked, the baseline is recorded.
    pub fn prepare_go(&self) {
        for (args, what) in [
            (vec!["--role", "captain", "--as", "ana"], "ack"),
            (vec!["--role", "oncall", "--as", "bob"], "ack"),
            (vec!["--item", "provider_keys", "--as", "bob"], "tick"),
            (vec!["--item", "kill_switch_review", "--as", "ana"], "tick"),
            (
                vec!["--check", "phase-success-rate", "--as", "ana"],
                "baseline",
            ),
        ] {
            let out = self.liftoff(what, &args);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{what} {args:?}: {}",
                text(&out)
            );
        }
    }
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A SQLite telemetry database made from the fixtures, as the application writes it.
pub async fn sqlite(dir: &Path, name: &str, scripts: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .expect("create sqlite database");
    for sql in scripts {
        sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("fixture failed: {e}"));
    }
    conn.close().await.expect("close");
    path
}
