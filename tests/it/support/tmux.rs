//! The real binary in a real terminal: a private tmux server (its own socket,
//! `tmux -L NAME`) running liftoff in one pane, read with `capture-pane`,
//! driven with `send-keys`. Waiting is polling the screen until it shows what
//! is awaited or a deadline passes, never a sleep.

use super::tmux_server::{quote, TmuxServer};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test awaits, by default.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A deliberate second K: well over the kill key's 150 ms burst rule.
pub const KILL_KEY_GAP: Duration = Duration::from_millis(300);

/// Printed by the wrapper shell once liftoff has exited, followed by the
/// terminal's `icanon` flag as `stty -a` reports it and `STTY-END`.
pub const EXITED: &str = "EXITED rc=";

/// A private tmux server running liftoff in one pane; killed on drop.
pub struct Pane {
    server: TmuxServer,
    dir: tempfile::TempDir,
}

impl Pane {
    /// `liftoff run PLAYBOOK` in a 120x40 pane, with `env` set (e.g. LIFTOFF_USER);
    /// returns once the cockpit has drawn.
    pub fn start(name: &str, playbook: &Path, env: &[(&str, &str)]) -> Pane {
        let pb = playbook.display().to_string();
        let pane = Pane::launch(name, (120, 40), env, &["run", &pb]);
        pane.wait_for("KILL SWITCH");
        pane
    }

    /// `liftoff ARGS...` in a `width`x`height` pane, with `env` set; returns
    /// at once. The program's pid is recorded (`pid`); once it exits, the pane
    /// shows its exit code and whether the terminal is in canonical (cooked)
    /// mode again (`assert_clean_exit`).
    pub fn launch(name: &str, size: (u16, u16), env: &[(&str, &str)], args: &[&str]) -> Pane {
        Pane::launch_with(name, size, &[], env, args)
    }

    /// As `launch`, the program started through `prefix` (e.g. `setpriv
    /// --reuid 12345 --regid 12345 --clear-groups`: a user with no passwd entry).
    pub fn launch_with(
        name: &str,
        size: (u16, u16),
        prefix: &[&str],
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Pane {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("liftoff-test-{name}-{}", std::process::id());
        let pid = dir.path().join("pid");
        let mut command: Vec<String> = prefix.iter().map(|p| quote(p)).collect();
        command.push("env".to_string());
        command.extend(env.iter().map(|(k, v)| quote(&format!("{k}={v}"))));
        command.push(quote(env!("CARGO_BIN_EXE_liftoff")));
        command.extend(args.iter().map(|a| quote(a)));
        // The inner shell records the program's pid and execs it; the outer one
        // outlives it to report how it ended and the terminal's mode.
        let inner = format!(
            "echo $$ > {}; exec {}",
            quote(&pid.display().to_string()),
            command.join(" ")
        );
        let script = format!(
            "sh -c {}; echo {EXITED}$?; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; echo STTY-END; sleep 600",
            quote(&inner)
        );
        let server = TmuxServer::start(socket, size, &script)
            .expect("tmux did not start (install it: apt-get install -y tmux)");
        Pane { server, dir }
    }

    pub fn screen(&self) -> String {
        self.server
            .output(&["capture-pane", "-p"])
            .expect("tmux capture-pane")
    }

    /// Key names as tmux knows them ("K", "Escape", "Enter", "Tab"). Send one
    /// key per call where order matters: ESC and a key together read as Alt-key.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(self.server.run(&args));
    }

    /// Resizes the pane's window to `w` x `h` (the program gets SIGWINCH).
    pub fn resize(&self, w: u16, h: u16) {
        let (w, h) = (w.to_string(), h.to_string());
        assert!(self.server.run(&["resize-window", "-x", &w, "-y", &h]));
    }

    /// Opens a second window and makes it the current one: tmux flags bells
    /// (and activity) only in windows not in front.
    pub fn look_away(&self) {
        assert!(self.server.run(&["new-window", "sleep 600"]));
    }

    /// Brings the program's window back in front.
    pub fn look_back(&self) {
        assert!(self.server.run(&["select-window", "-t", ":0"]));
    }

    /// A tmux format read back for the program's window (`#{pane_title}`,
    /// `#{window_bell_flag}`).
    pub fn format(&self, fmt: &str) -> String {
        self.server
            .output(&["display-message", "-t", ":0", "-p", fmt])
            .expect("tmux display-message")
            .trim()
            .to_string()
    }

    /// Text typed as it is (no key-name lookup).
    pub fn type_text(&self, text: &str) {
        assert!(self.server.run(&["send-keys", "-l", text]));
    }

    /// Awaits a screen for which `probe` gives a value, up to `deadline`.
    pub fn await_screen<T>(
        &self,
        what: &str,
        deadline: Duration,
        mut probe: impl FnMut(&str) -> Option<T>,
    ) -> T {
        wait_within(deadline, || probe(&self.screen()))
            .unwrap_or_else(|| panic!("never saw {what}; screen:\n{}", self.screen()))
    }

    /// Awaits `text` on the screen; returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.await_screen(&format!("{text:?}"), DEADLINE, |s| {
            s.contains(text).then(|| s.to_string())
        })
    }

    /// `K`, the armed modal, `K`: the kill switch fired from this cockpit.
    /// The second press is deliberate: at least `KILL_KEY_GAP` after the
    /// first (a K closer than 150 ms to the one before is a burst, ignored).
    pub fn fire_kill_switch(&self) {
        let first = Instant::now();
        self.keys(&["K"]);
        self.wait_for("press K again to HALT");
        // The rule under test is about time itself: nothing to await but it.
        std::thread::sleep(KILL_KEY_GAP.saturating_sub(first.elapsed()));
        self.keys(&["K"]);
    }

    /// Awaits HALTED as the readback proved it, and its journal line.
    pub fn wait_halted(&self) {
        self.wait_for("verified at");
        self.wait_for("kill_verified");
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

    /// liftoff exited 0 and the terminal is back in canonical mode, off the
    /// alternate screen.
    pub fn assert_clean_exit(&self) {
        let screen = self.wait_for("STTY-END");
        assert!(screen.contains(&format!("{EXITED}0")), "{screen}");
        let after = screen.split(EXITED).nth(1).unwrap_or_default();
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

/// Polls `probe` until it gives a value or `DEADLINE` passes.
pub fn wait_until<T>(probe: impl FnMut() -> Option<T>) -> Option<T> {
    wait_within(DEADLINE, probe)
}

/// Polls `probe` every 50 ms until it gives a value or `deadline` passes.
pub fn wait_within<T>(deadline: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
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
