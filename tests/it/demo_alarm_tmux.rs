//! `liftoff demo --speed 10`: the entropy-floor guard's `for` runs on the
//! demo's clock (30 simulated seconds, 3 s of wall time at 10x), so the
//! story's dip raises the ALARM band in about 20 s, and the guard's trip is
//! journaled; the terminal's title says ALARM and the bell flags the tmux
//! window. At wall time the guard would need the dip to last 30 real seconds.

use crate::support;

use std::time::Duration;
use support::tmux::Pane;

#[test]
fn at_speed_10_the_demo_alarm_trips_on_the_demo_clock() {
    let files = tempfile::tempdir().unwrap();
    let config = files.path().join("config").display().to_string();
    let dir = files.path().join("demo").display().to_string();
    let pane = Pane::launch(
        "demo-alarm",
        (200, 60),
        &[("XDG_CONFIG_HOME", &config)],
        &[
            "demo", "--speed", "10", "--layout", "war-room", "--dir", &dir,
        ],
    );
    pane.wait_for("KILL SWITCH");
    // Someone is looking at another window when the alarm comes.
    pane.look_away();
    // The dip comes ~17 s in (170 simulated seconds); generous for a loaded
    // machine. The title says ALARM and the bell flags the window.
    let flagged = support::tmux::wait_within(Duration::from_secs(90), || {
        (pane.format("#{pane_title}").starts_with("ALARM")
            && pane.format("#{window_bell_flag}") == "1")
            .then_some(())
    });
    assert!(
        flagged.is_some(),
        "title {:?}, bell flag {:?}",
        pane.format("#{pane_title}"),
        pane.format("#{window_bell_flag}")
    );
    pane.look_back();
    pane.wait_for("a answers · K K kills");
    let journal = std::fs::read_to_string(std::path::Path::new(&dir).join("audit/journal.jsonl"))
        .unwrap_or_default();
    assert!(journal.contains("guard_tripped"), "{journal}");
    pane.keys(&["q"]);
    pane.wait_for("Quit while the ramp runs?");
    pane.keys(&["y"]);
    pane.assert_clean_exit();
}
