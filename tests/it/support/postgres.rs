//! A real PostgreSQL server for a test, from the machine's own packages:
//! `initdb` into a temp folder, then `postgres` on a free loopback port with
//! its socket in that folder, killed when the test ends.
//!
//! PostgreSQL refuses to run as root. When the tests run as root (CI does),
//! the server runs as the unprivileged `postgres` user (the Debian package
//! creates it), else `nobody`, through `setpriv`; the temp folder is handed to
//! that user.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::Duration;

const INSTALL: &str = "apt-get update && apt-get install -y postgresql";

/// The folder holding `initdb` and `postgres`: PATH first, then Debian's
/// versioned folders (newest first).
pub fn bin_dir() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut candidates: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    versioned.sort();
    versioned.reverse();
    candidates.extend(versioned);
    for dir in candidates {
        if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
            // /usr/local/bin/initdb may be a link into /usr/lib/postgresql/N/bin.
            return std::fs::canonicalize(dir.join("initdb"))
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or(dir);
        }
    }
    panic!("PostgreSQL (`initdb`, `postgres`) is not installed: these tests run a real server. Install it with: {INSTALL}")
}

fn is_root() -> bool {
    // /proc/self belongs to the effective user.
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// (uid, gid) of the user the server runs as when we are root.
fn server_user() -> (String, u32, u32) {
    for name in ["postgres", "nobody"] {
        let id = |flag: &str| {
            Command::new("id")
                .args([flag, name])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .trim()
                        .parse::<u32>()
                        .ok()
                })
        };
        if let (Some(uid), Some(gid)) = (id("-u"), id("-g")) {
            return (name.to_string(), uid, gid);
        }
    }
    panic!("the tests run as root and PostgreSQL refuses to run as root; no unprivileged user (`postgres` or `nobody`) exists to run it as: create one (useradd postgres) or run the tests as a normal user")
}

/// A command that runs as the server's user when we are root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let (name, _, _) = server_user();
        let mut c = Command::new("setpriv");
        c.args([
            &format!("--reuid={name}"),
            &format!("--regid={name}"),
            "--init-groups",
            "--pdeathsig=SIGKILL",
            "--",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

pub struct Postgres {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Postgres {
    /// initdb + start on a free port; panics with the server's log if it never answers.
    pub async fn start() -> Postgres {
        let bin = bin_dir();
        let mut dir = tempfile::tempdir().expect("temp dir");
        if is_root() {
            let (_, uid, gid) = server_user();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("hand the temp folder to the server user");
        }
        let data = dir.path().join("data");
        let init = as_server_user(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "liftoff",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run initdb");
        assert!(
            init.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&init.stdout),
            String::from_utf8_lossy(&init.stderr)
        );
        let mut last = String::new();
        for _ in 0..3 {
            let port = super::net::free_port();
            let log = dir.path().join(format!("postgres-{port}.log"));
            let out = std::fs::File::create(&log).expect("log file");
            let err = out.try_clone().expect("log handle");
            let child = as_server_user(&bin.join("postgres"))
                .arg("-D")
                .arg(&data)
                .args(["-p", &port.to_string(), "-k"])
                .arg(dir.path())
                .args([
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=40",
                ])
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("start postgres");
            let mut pg = Postgres {
                port,
                dir,
                child: Some(child),
            };
            match pg.wait_ready(Duration::from_secs(30)).await {
                Ok(()) => return pg,
                Err(e) => {
                    last = format!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default());
                    pg.stop();
                    dir = std::mem::replace(&mut pg.dir, tempfile::tempdir().expect("temp dir"));
                }
            }
        }
        panic!("PostgreSQL did not start: {last}")
    }

    /// `postgres://liftoff@127.0.0.1:PORT/DB` (trust auth: no password).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://liftoff@127.0.0.1:{}/{db}", self.port)
    }

    pub async fn connect(&self, db: &str) -> Result<PgConnection, sqlx::Error> {
        PgConnectOptions::from_str(&self.url(db))?
            .disable_statement_logging()
            .connect()
            .await
    }

    async fn wait_ready(&mut self, within: Duration) -> Result<(), String> {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(c) = self.child.as_mut() {
                if !matches!(c.try_wait(), Ok(None)) {
                    return Err("postgres exited".into());
                }
            }
            match self.connect("postgres").await {
                Ok(c) => {
                    let _ = c.close().await;
                    return Ok(());
                }
                Err(e) if std::time::Instant::now() >= deadline => return Err(e.to_string()),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// A new database filled by the given SQL scripts (run as the application would).
    pub async fn database(&self, name: &str, scripts: &[&str]) {
        let mut admin = self.connect("postgres").await.expect("connect as admin");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        admin.close().await.ok();
        let mut conn = self.connect(name).await.expect("connect");
        for sql in scripts {
            sqlx::raw_sql(sql)
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("fixture failed: {e}"));
        }
        conn.close().await.ok();
    }

    /// Immediate shutdown (SIGQUIT), then reaped; SIGKILL if it lingers.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(c.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGQUIT);
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            loop {
                if !matches!(c.try_wait(), Ok(None)) || std::time::Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
