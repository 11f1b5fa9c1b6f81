//! The real binary in a real terminal: a private tmux server (its own socket,
//! `tmux -L NAME`) running one command in one pane, killed on drop. Screens
//! are read with `capture-pane -p` and awaited with a deadline, never slept for.
//!
//! Include with `#[path = "common/tmux.rs"] mod tmux;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test awaits, by default.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// Printed by the wrapper shell once the program has exited, followed by the
/// terminal's `icanon` flag as `stty -a` reports it and `STTY-END`.
pub const EXITED: &str = "EXITED rc=";

pub struct Pane {
    socket: String,
    /// The server's socket file, removed on drop (tmux leaves it behind).
    socket_path: Option<PathBuf>,
    pub dir: tempfile::TempDir,
}

impl Pane {
    /// Starts `program args...` in a `width`x`height` pane. The program's pid
    /// is written to `dir/pid`; once it exits, the pane shows its exit code and
    /// whether the terminal is in canonical (cooked) mode again.
    /// `env` is set for the program (e.g. a private config folder).
    pub fn start(
        name: &str,
        size: (u16, u16),
        env: &[(&str, &Path)],
        program: &Path,
        args: &[&str],
    ) -> Pane {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = format!("liftoff-test-{name}-{}", std::process::id());
        let pid = dir.path().join("pid");
        let mut inner = format!("echo $$ > {}; ", quote(&pid.display().to_string()));
        for (k, v) in env {
            inner.push_str(&format!("export {k}={}; ", quote(&v.display().to_string())));
        }
        inner.push_str("exec ");
        inner.push_str(&quote(&program.display().to_string()));
        for a in args {
            inner.push(' ');
            inner.push_str(&quote(a));
        }
        // The outer shell outlives the program so that what it leaves behind
        // (exit code, terminal mode, the primary screen) can be read.
        let script = format!(
            "sh -c {}; echo {EXITED}$?; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; echo STTY-END; sleep 600",
            quote(&inner)
        );
        let (w, h) = (size.0.to_string(), size.1.to_string());
        let ok = tmux(&socket, &["new-session", "-d", "-x", &w, "-y", &h, &script]);
        assert!(
            ok,
            "tmux did not start (install it: apt-get install -y tmux)"
        );
        let socket_path = Command::new("tmux")
            .args(["-L", &socket, "display-message", "-p", "#{socket_path}"])
            .output()
            .ok()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .filter(|p| p.is_absolute());
        Pane {
            socket,
            socket_path,
            dir,
        }
    }

    /// The pane's text as it is now.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys, tmux `send-keys` names (`Escape`, `C-c`) or literal text.
    /// Send one key per call where order matters: ESC and a key sent together
    /// read as Alt-key.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(tmux(&self.socket, &args), "tmux send-keys {keys:?}");
    }

    /// Awaits a screen for which `probe` gives a value, up to `deadline`.
    pub fn await_screen<T>(
        &self,
        what: &str,
        deadline: Duration,
        mut probe: impl FnMut(&str) -> Option<T>,
    ) -> T {
        wait_until(deadline, || probe(&self.screen()))
            .unwrap_or_else(|| panic!("never saw {what}; screen:\n{}", self.screen()))
    }

    /// Awaits `text` on the screen; returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.await_screen(&format!("{text:?}"), DEADLINE, |s| {
            s.contains(text).then(|| s.to_string())
        })
    }

    /// Awaits a screen without `text`.
    pub fn wait_gone(&self, text: &str) {
        self.await_screen(&format!("{text:?} gone"), DEADLINE, |s| {
            (!s.contains(text)).then_some(())
        })
    }

    pub fn pid(&self) -> i32 {
        let file: PathBuf = self.dir.path().join("pid");
        let text = std::fs::read_to_string(&file).expect("pid file");
        text.trim().parse().expect("pid")
    }

    /// The program exited 0, the terminal is back in canonical mode and the
    /// alternate screen is gone (`still_there` no longer shows).
    pub fn assert_clean_exit(&self, still_there: &str) {
        let screen = self.wait_for("STTY-END");
        assert!(screen.contains(&format!("{EXITED}0")), "{screen}");
        let after = screen.split(EXITED).nth(1).unwrap_or_default();
        assert!(
            after.contains("icanon") && !after.contains("-icanon"),
            "raw mode left on:\n{screen}"
        );
        assert!(
            !screen.contains(still_there),
            "still on the alternate screen:\n{screen}"
        );
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn tmux(socket: &str, args: &[&str]) -> bool {
    Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Single-quotes `s` for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Polls `probe` every 50 ms until it gives a value or `deadline` passes.
pub fn wait_until<T>(deadline: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + deadline;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
