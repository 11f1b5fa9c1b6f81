//! The real binary in a real terminal (tmux): keys reach the cockpit, and the
//! terminal is given back on `q`, Ctrl-C, SIGTERM and SIGHUP. The cockpit runs
//! on a copy of the fixture playbook in a temporary folder (its journal and
//! actions write there, never into the source tree).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::tmux::{wait_until, Pane};

/// The fixture playbook copied into a fresh folder.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cockpit.toml");
    let path = dir.path().join("liftoff.toml");
    std::fs::copy(src, &path).unwrap();
    (dir, path)
}

#[test]
fn keys_drive_the_cockpit_and_q_restores_the_terminal() {
    let (_dir, pb) = fixture();
    let pane = Pane::start("keys", &pb, &[]);
    pane.keys(&["?"]);
    pane.wait_for("Keys · Esc closes");
    // One key per send: ESC and a key sent together read as Alt-key.
    pane.keys(&["Escape"]);
    pane.wait_gone("Keys · Esc closes");
    pane.fire_kill_switch();
    // The fixture's `make kill-switch` has no such rule: journaled as fired,
    // then FAILED with why as soon as the action returns.
    pane.wait_for("kill_fired");
    pane.wait_for("NOT proven halted");
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
    let (_dir, pb) = fixture();
    let pane = Pane::start("ctrlc", &pb, &[]);
    pane.keys(&["C-c"]);
    pane.assert_clean_exit();
}

#[test]
fn sigterm_and_sighup_quit_cleanly() {
    for (name, signal) in [("term", "-TERM"), ("hup", "-HUP")] {
        let (_dir, pb) = fixture();
        let pane = Pane::start(name, &pb, &[]);
        let ok = Command::new("kill")
            .args([signal, &pane.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        pane.assert_clean_exit();
    }
}
