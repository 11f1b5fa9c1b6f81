//! The real binary in tmux: with no `--layout` the cockpit picks the biggest
//! layout that fits, at start and on resize; who acts is `--as`, else
//! `LIFTOFF_USER` (then the login name), as the journal records it.

use crate::support;

use liftoff::journal;
use std::path::{Path, PathBuf};
use support::tmux::{wait_until, Pane};

fn world() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), include_str!("../fixtures/war_room.toml"));
    (dir, path)
}

fn ack_by(playbook: &Path) -> String {
    let pb = liftoff::playbook::load(playbook).unwrap();
    wait_until(|| {
        let events = journal::open(&pb).unwrap().read_all().unwrap().events;
        events
            .into_iter()
            .find(|e| e.kind == "ack")
            .map(|e| e.actor.name)
    })
    .expect("no ack in the journal")
}

#[test]
fn the_biggest_layout_that_fits_is_chosen_at_start_and_on_resize() {
    let (_dir, pb) = world();
    let pb = pb.display().to_string();
    let pane = Pane::launch("layout-size", (80, 24), &[], &["run", &pb]);
    pane.wait_for("compact · dark");
    assert!(!pane.screen().contains("too small"), "{}", pane.screen());
    pane.resize(120, 40);
    pane.wait_for("commander · dark");
    pane.resize(40, 12);
    // Nothing fits: it says what the smallest needs, and suggests no layout.
    pane.wait_for("need 60x16");
    pane.wait_for("enlarge the terminal");
    pane.resize(100, 30);
    pane.wait_for("commander · dark");
    pane.keys(&["q"]);
    pane.assert_clean_exit();
}

#[test]
fn as_outranks_liftoff_user_which_names_the_actor() {
    for (args, want) in [(&["--as", "ana"][..], "ana"), (&[][..], "bob")] {
        let (_dir, pb) = world();
        let path = pb.display().to_string();
        let mut all = vec!["run", path.as_str()];
        all.extend_from_slice(args);
        let pane = Pane::launch(
            &format!("who-{want}"),
            (120, 40),
            &[("LIFTOFF_USER", "bob")],
            &all,
        );
        pane.wait_for("KILL SWITCH");
        pane.keys(&["a"]);
        pane.wait_for("Enter records");
        pane.keys(&["Enter"]);
        assert_eq!(ack_by(&pb), want);
    }
}

#[test]
fn slash_filters_and_the_palette_runs_commands() {
    let (dir, pb) = world();
    std::fs::write(dir.path().join("level.txt"), "0.9\n").unwrap();
    let pb = pb.display().to_string();
    let pane = Pane::launch(
        "palette",
        (160, 40),
        &[("LIFTOFF_USER", "ana")],
        &["run", &pb, "--layout", "commander"],
    );
    pane.wait_for("Level below 0.5");
    pane.keys(&["/"]);
    pane.wait_for("/ filter Go/No-Go checklist");
    pane.type_text("nothing-matches");
    pane.wait_for("no check matches the filter");
    pane.keys(&["Escape"]);
    pane.wait_for("Level below 0.5");
    pane.keys(&[":"]);
    pane.wait_for("Tab completes");
    pane.type_text("lay");
    pane.keys(&["Tab"]);
    pane.type_text("w");
    pane.keys(&["Tab"]);
    pane.wait_for(": layout war-room");
    pane.keys(&["Enter"]);
    pane.wait_for("war-room · dark");
    pane.keys(&["q"]);
    pane.assert_clean_exit();
}

#[test]
fn with_nobody_named_the_cockpit_asks_once() {
    // A uid with no passwd entry, and no LIFTOFF_USER, USER or LOGNAME.
    let dir = tempfile::tempdir().unwrap();
    let pb = support::playbook::write(dir.path(), include_str!("../fixtures/war_room.toml"));
    // The unprivileged user writes the journal in the test's folder.
    let open = std::process::Command::new("chmod")
        .args(["-R", "a+rwx"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(open.success());
    let path = pb.display().to_string();
    let prefix = [
        "setpriv",
        "--reuid",
        "12345",
        "--regid",
        "12345",
        "--clear-groups",
    ];
    let env = [
        ("LIFTOFF_USER", ""),
        ("USER", ""),
        ("LOGNAME", ""),
        ("HOME", "/tmp"),
    ];
    let pane = Pane::launch_with("who-ask", (120, 40), &prefix, &env, &["run", &path]);
    pane.wait_for("Who is acting at this terminal");
    pane.type_text("dora");
    pane.keys(&["Enter"]);
    pane.wait_for("KILL SWITCH");
    pane.keys(&["a"]);
    pane.wait_for("Enter records");
    pane.keys(&["Enter"]);
    assert_eq!(ack_by(&pb), "dora");
}
