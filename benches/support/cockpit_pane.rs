//! The real binary in a real terminal, for whole-process benchmarks: a
//! private tmux server (`tmux -L NAME`) running liftoff in one pane, driven
//! with `send-keys` and read with `capture-pane`; the process's CPU time from
//! `/proc/PID/stat`; a file's appearance awaited through inotify.
#![allow(dead_code)]

// The one tmux driver, shared with the `it` tests.
#[path = "../../tests/it/support/tmux_server.rs"]
mod tmux_server;

use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tmux_server::{quote, TmuxServer};

/// A private tmux server running one program; killed on drop.
pub struct Pane {
    server: TmuxServer,
    pid_file: PathBuf,
}

impl Pane {
    /// `program args...` in a `width`x`height` pane, in `cwd`, with a private
    /// XDG_CONFIG_HOME (no user theme or layout) and colours on.
    pub fn launch(name: &str, size: (u16, u16), cwd: &Path, program: &Path, args: &[&str]) -> Pane {
        let socket = format!("liftoff-bench-{name}-{}", std::process::id());
        let pid_file = cwd.join(format!("{name}.pid"));
        let config = cwd.join("xdg-config");
        let mut command = vec![
            "exec".to_string(),
            "env".into(),
            "-u".into(),
            "NO_COLOR".into(),
            quote(&format!("XDG_CONFIG_HOME={}", config.display())),
            quote(&program.display().to_string()),
        ];
        command.extend(args.iter().map(|a| quote(a)));
        // The pane's shell records its pid, then execs liftoff: that pid is liftoff's.
        let script = format!(
            "cd {} && echo $$ > {} && {}",
            quote(&cwd.display().to_string()),
            quote(&pid_file.display().to_string()),
            command.join(" ")
        );
        let server = TmuxServer::start(socket, size, &script)
            .expect("tmux did not start (apt-get install -y tmux)");
        Pane { server, pid_file }
    }

    pub fn screen(&self) -> String {
        self.server
            .output(&["capture-pane", "-p"])
            .unwrap_or_default()
    }

    /// One key, as tmux names it (`K`, `Escape`).
    pub fn key(&self, key: &str) {
        assert!(self.server.run(&["send-keys", key]), "tmux send-keys");
    }

    /// Polls the screen as fast as `capture-pane` answers until `probe`
    /// accepts it; None after `deadline`.
    pub fn await_screen(
        &self,
        deadline: Duration,
        mut probe: impl FnMut(&str) -> bool,
    ) -> Option<Instant> {
        let end = Instant::now() + deadline;
        loop {
            let screen = self.screen();
            let at = Instant::now();
            if probe(&screen) {
                return Some(at);
            }
            if at >= end {
                return None;
            }
        }
    }

    pub fn pid(&self) -> Option<i32> {
        std::fs::read_to_string(&self.pid_file)
            .ok()?
            .trim()
            .parse()
            .ok()
    }
}

/// CPU time (user + system) a process has used so far.
pub fn cpu_time(pid: i32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime is the
    // 12th, stime the 13th.
    let rest = stat.rsplit_once(") ")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64))
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

/// A `/proc/PID/status` field in kB (VmHWM, VmRSS).
pub fn status_kb(pid: i32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Watches a folder for one file's creation: `arrived` gives the instant the
/// inotify event reached this process.
pub struct FileWatch {
    file: PathBuf,
    rx: mpsc::Receiver<Instant>,
    _watcher: notify::RecommendedWatcher,
}

impl FileWatch {
    pub fn new(file: &Path) -> FileWatch {
        let (tx, rx) = mpsc::channel();
        let name = file.file_name().map(|n| n.to_os_string());
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let at = Instant::now();
            if let Ok(ev) = res {
                let ours = ev
                    .paths
                    .iter()
                    .any(|p| p.file_name().map(|n| n.to_os_string()) == name);
                if ours && (ev.kind.is_create() || ev.kind.is_modify()) {
                    let _ = tx.send(at);
                }
            }
        })
        .expect("inotify watcher");
        let dir = file.parent().expect("the file's folder");
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .expect("watch the folder");
        FileWatch {
            file: file.to_path_buf(),
            rx,
            _watcher: watcher,
        }
    }

    /// Removes the file and forgets earlier events.
    pub fn reset(&self) {
        let _ = std::fs::remove_file(&self.file);
        while self.rx.recv_timeout(Duration::from_millis(20)).is_ok() {}
    }

    /// When the file appeared, or None after `deadline`.
    pub fn arrived(&self, deadline: Duration) -> Option<Instant> {
        let end = Instant::now() + deadline;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(at) if self.file.exists() => return Some(at),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}
