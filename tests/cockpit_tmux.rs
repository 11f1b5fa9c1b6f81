//! The real binary in a real terminal (tmux): keys reach the cockpit, and the
//! terminal is given back on `q`, Ctrl-C, SIGTERM and SIGHUP.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server running the cockpit in one pane; killed on drop.
struct Pane {
    socket: String,
    dir: tempfile::TempDir,
}

impl Pane {
    fn start(name: &str) -> Pane {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("liftoff-test-{name}-{}", std::process::id());
        let bin = env!("CARGO_BIN_EXE_liftoff");
        let playbook = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cockpit.toml");
        let pid = dir.path().join("pid");
        // The inner shell records the cockpit's pid and execs it; the outer one
        // reports how it ended and whether the terminal is back in cooked mode.
        let inner = format!(
            "echo $$ > {pid}; exec {bin} run {pb}",
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

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(tmux(&self.socket, &args));
    }

    fn wait_for(&self, text: &str) -> String {
        wait_until(|| Some(self.screen()).filter(|s| s.contains(text)))
            .unwrap_or_else(|| panic!("never saw {text:?}; screen:\n{}", self.screen()))
    }

    fn pid(&self) -> i32 {
        let file: PathBuf = self.dir.path().join("pid");
        std::fs::read_to_string(file)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// The cockpit exited 0 and the terminal is back in canonical mode.
    fn assert_clean_exit(&self) {
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

/// Polls `probe` until it gives a value or 15 s pass.
fn wait_until<T>(mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Some(v) = probe() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn keys_drive_the_cockpit_and_q_restores_the_terminal() {
    let pane = Pane::start("keys");
    pane.keys(&["?"]);
    pane.wait_for("Keys · Esc closes");
    // One key per send: ESC and a key sent together read as Alt-key.
    pane.keys(&["Escape"]);
    wait_until(|| Some(()).filter(|_| !pane.screen().contains("Keys · Esc closes")))
        .expect("help did not close");
    pane.keys(&["K"]);
    pane.wait_for("press K again to HALT");
    pane.keys(&["K"]);
    pane.wait_for("kill switch: not wired yet");
    pane.keys(&["Enter"]);
    pane.wait_for("Evidence · Esc closes");
    pane.keys(&["Escape"]);
    wait_until(|| Some(()).filter(|_| !pane.screen().contains("Evidence · Esc closes")))
        .expect("evidence did not close");
    pane.keys(&["q"]);
    pane.assert_clean_exit();
}

#[test]
fn ctrl_c_quits_cleanly() {
    let pane = Pane::start("ctrlc");
    pane.keys(&["C-c"]);
    pane.assert_clean_exit();
}

#[test]
fn sigterm_and_sighup_quit_cleanly() {
    for (name, signal) in [("term", "-TERM"), ("hup", "-HUP")] {
        let pane = Pane::start(name);
        let ok = Command::new("kill")
            .args([signal, &pane.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        pane.assert_clean_exit();
    }
}
