//! A real server binary run by a test: found on PATH, given a temp folder,
//! its output kept in a log file (quoted when it fails), killed on drop.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const INSTALL: &str = "apt-get update && apt-get install -y prometheus prometheus-alertmanager";

/// The first of `names` found on PATH; panics with how to install it.
pub fn binary(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "`{}` is not installed: these tests run the real server. Install it with: {INSTALL}",
        names[0]
    )
}

pub struct Daemon {
    pub name: String,
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    log: PathBuf,
}

impl Daemon {
    /// Starts `binary args...` with its output in `<dir>/<name>.log`.
    pub fn spawn(
        name: &str,
        binary: PathBuf,
        args: Vec<String>,
        dir: tempfile::TempDir,
        port: u16,
    ) -> Daemon {
        let log = dir.path().join(format!("{name}.log"));
        let out = std::fs::File::create(&log).expect("create log");
        let err = out.try_clone().expect("clone log handle");
        let mut cmd = Command::new(&binary);
        die_with_the_test(&mut cmd);
        let child = cmd
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        Daemon {
            name: name.to_string(),
            port,
            dir,
            child: Some(child),
            log,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Whether the process has exited (and so will never become ready).
    pub fn exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => !matches!(c.try_wait(), Ok(None)),
            None => true,
        }
    }

    /// Waits until `GET <path>` answers 200. Err (with the log) if the
    /// process died first or the deadline passed.
    pub async fn wait_ready(&mut self, path: &str, within: Duration) -> Result<(), String> {
        let url = format!("{}{path}", self.base_url());
        let deadline = std::time::Instant::now() + within;
        loop {
            if self.exited() {
                return Err(format!(
                    "{} exited before it was ready:\n{}",
                    self.name,
                    self.log_tail()
                ));
            }
            if let Ok((200, _)) = super::net::get(&url).await {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!(
                    "{} not ready within {within:?}:\n{}",
                    self.name,
                    self.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the server and reaps it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Drop kills the server when a test ends or panics; this covers the test
/// process itself being killed (e.g. by a CI timeout): no orphan keeps a port.
fn die_with_the_test(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                    .map_err(std::io::Error::from)
            });
        }
    }
}

/// Starts a server on a free port, trying again on another port if the one
/// picked was taken in the meantime (another test may have grabbed it).
pub async fn start_on_free_port(
    name: &str,
    ready_path: &str,
    mut launch: impl FnMut(u16, &std::path::Path) -> (PathBuf, Vec<String>),
) -> Daemon {
    let mut last = String::new();
    for _ in 0..3 {
        let port = super::net::free_port();
        let dir = tempfile::tempdir().expect("temp dir");
        let (binary, args) = launch(port, dir.path());
        let mut d = Daemon::spawn(name, binary, args, dir, port);
        match d.wait_ready(ready_path, Duration::from_secs(30)).await {
            Ok(()) => return d,
            Err(e) => last = e,
        }
    }
    panic!("could not start {name}: {last}")
}
