//! One rule book (issue 16): the cockpit in tmux refuses what the CLI
//! refuses, in the same words: a tick by someone without the item's role
//! ACK, and `]` before the hold ends; the hold's override asks a
//! justification and is journaled, as `--override-hold` is.

use crate::support;

use std::process::{Command, Output};
use std::time::Duration;
use support::file_exporter::FileExporter;
use support::tmux::{wait_within, Pane};

const PLAYBOOK: &str = r#"
[release]
name = "one rule book"
audit_dir = "audit"
distinct_roles = true
go_acks = ["commander"]

[[role]]
id = "commander"
[[role]]
id = "sre"

[source.world]
kind = "scrape"
url = "EXPORTER"
interval = "1s"

[source.plan]
kind = "manual"
title = "Rollback plan reviewed"
role = "sre"

[[check]]
id = "plan"
source = "plan"
pass = "checked"

[[check]]
id = "errors"
source = "world"
query = "error_rate"
pass = "value < 0.05"

[ramp]
set = { kind = "command", run = ["sh", "-c", "printf 'rollout_percent {percent}\\n' > world/.r && mv world/.r world/rollout.prom"] }
readback = { source = "world", query = "rollout_percent", pass = "value == percent" }

[[ramp.stage]]
name = "pilot"
percent = 10
hold = "1h"
acks = ["commander", "sre"]

[[ramp.stage]]
name = "cohort"
percent = 50
"#;

fn liftoff(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run liftoff")
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_cockpit_refuses_a_tick_and_an_early_stage_with_the_clis_words() {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    std::fs::create_dir_all(&world).unwrap();
    std::fs::write(world.join("rollout.prom"), "rollout_percent 0\n").unwrap();
    std::fs::write(world.join("health.prom"), "error_rate 0.01\n").unwrap();
    let exporter = FileExporter::start(&world);
    let pb = dir.path().join("liftoff.toml");
    std::fs::write(&pb, PLAYBOOK.replace("EXPORTER", &exporter.url())).unwrap();
    let pb_arg = pb.to_str().unwrap();

    // The CLI refuses mallory's tick...
    let cli = liftoff(
        dir.path(),
        &["tick", pb_arg, "--item", "plan", "--as", "mallory"],
    );
    assert_eq!(cli.status.code(), Some(2), "{}", said(&cli));
    let words = "tick refused: Rollback plan reviewed is ticked by the sre role: mallory holds no valid ACK as sre";
    assert!(said(&cli).contains(words), "{}", said(&cli));
    // ...and so does mallory's cockpit (Space on the plan row), word for word.
    let pane = Pane::launch(
        "rules",
        (160, 45),
        &[("LIFTOFF_USER", "mallory"), ("NO_COLOR", "1")],
        &["run", pb_arg],
    );
    pane.wait_for("KILL SWITCH");
    pane.wait_for("not ticked");
    // A key typed before the cockpit reads its terminal is lost: press again until seen.
    let seen = (0..5).find_map(|_| {
        pane.keys(&["Space"]);
        wait_within(Duration::from_secs(3), || {
            Some(()).filter(|_| pane.screen().contains(words))
        })
    });
    assert!(seen.is_some(), "{}", pane.screen());

    // Walk into pilot from the CLI (ACKs, the tick by the sre holder, the stage).
    for args in [
        vec!["ack", pb_arg, "--role", "commander", "--as", "dana"],
        vec!["ack", pb_arg, "--role", "sre", "--as", "sam"],
        vec!["tick", pb_arg, "--item", "plan", "--as", "sam"],
        vec!["stage", pb_arg, "--next", "--as", "dana"],
    ] {
        let out = liftoff(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", said(&out));
    }
    // Before the hold ends the CLI refuses the next stage, naming the time left...
    let cli = liftoff(dir.path(), &["stage", pb_arg, "--next"]);
    assert_eq!(cli.status.code(), Some(1), "{}", said(&cli));
    assert!(
        said(&cli).contains("cannot enter stage cohort: the pilot hold has 59m"),
        "{}",
        said(&cli)
    );
    // ...and so does the cockpit's `]`, before anything runs.
    pane.wait_for("at pilot 10% since");
    pane.keys(&["]"]);
    let screen = pane.wait_for("Cannot enter stage cohort");
    assert!(screen.contains("the pilot hold has 59m"), "{screen}");
    // Only the hold stands in the way: `y` asks the justification and overrides it.
    assert!(screen.contains("y overrides the hold"), "{screen}");
    pane.keys(&["y"]);
    pane.wait_for("Override the hold");
    pane.type_text("partner cohort waiting");
    pane.keys(&["Enter"]);
    pane.wait_for("at cohort 50% since");
    let status = liftoff(dir.path(), &["status", pb_arg]);
    let status = said(&status);
    assert!(
        status.contains("entered stage cohort: the pilot hold was cut short with 59m"),
        "{status}"
    );
    assert!(status.contains("(partner cohort waiting)"), "{status}");
    pane.keys(&["q"]);
    pane.wait_for("Quit while the ramp runs?");
    pane.keys(&["y"]);
    pane.assert_clean_exit();
}
