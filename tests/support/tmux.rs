//! The real binary in a real terminal: a private tmux server running one
//! cockpit in one pane, read with `capture-pane`, driven with `send-keys`.
//! Waiting is polling the screen until text shows or a deadline passes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server running the cockpit in one pane; killed on drop.
pub struct Pane {
    socket: String,
    dir: tempfile::TempDir,
}

impl Pane {
    /// `liftoff run PLAYBOOK` in a 120x40 pane, with `env` set (e.g. USER).
    pub fn start(name: &str, playbook: &Path, env: &[(&str, &str)]) -> Pane {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("liftoff-test-{name}-{}", std::process::id());
        let bin = env!("CARGO_BIN_EXE_liftoff");
        let pid = dir.path().join("pid");
        let env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        // The inner shell records the cockpit's pid and execs it; the outer one
        // reports how it ended and whether the terminal is back in cooked mode.
        let inner = format!(
            "echo $$ > {pid}; exec env {env}{bin} run {pb}",
            pid = pid.display(),
            pb = playbook.display()
        );
        let script = format!(
            "sh -c '{inner}'; echo EXITED rc=$?; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; echo STTY-END; sleep 60"
        );
        let ok = tmux(
            &socket,
            &["new-session", "-d", "-x", "120", "-y", "40", &script],
        );
        assert!(
            ok,
            "tmux did not start (install it: apt-get install -y tmux)"
        );
        let pane = Pane { socket, dir };
        pane.wait_for("KILL SWITCH");
        pane
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Key names as tmux knows them ("K", "Escape", "Enter", "Tab").
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(tmux(&self.socket, &args));
    }

    /// Text typed as it is (no key-name lookup).
    pub fn type_text(&self, text: &str) {
        assert!(tmux(&self.socket, &["send-keys", "-l", text]));
    }

    pub fn wait_for(&self, text: &str) -> String {
        wait_until(|| Some(self.screen()).filter(|s| s.contains(text)))
            .unwrap_or_else(|| panic!("never saw {text:?}; screen:\n{}", self.screen()))
    }

    pub fn wait_gone(&self, text: &str) {
        wait_until(|| Some(()).filter(|_| !self.screen().contains(text)))
            .unwrap_or_else(|| panic!("{text:?} stayed; screen:\n{}", self.screen()));
    }

    pub fn pid(&self) -> i32 {
        let file: PathBuf = self.dir.path().join("pid");
        std::fs::read_to_string(file)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// The cockpit exited 0 and the terminal is back in canonical mode.
    pub fn assert_clean_exit(&self) {
        let screen = self.wait_for("STTY-END");
        assert!(screen.contains("EXITED rc=0"), "{screen}");
        let after = screen.split("EXITED").nth(1).unwrap_or_default();
        assert!(
            after.contains("icanon") && !after.contains("-icanon"),
            "raw mode left on:\n{screen}"
        );
        assert!(
            !after.contains("KILL SWITCH"),
            "still on the alternate screen:\n{screen}"
        );
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
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

/// Polls `probe` until it gives a value or 20 s pass.
pub fn wait_until<T>(mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(v) = probe() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}
