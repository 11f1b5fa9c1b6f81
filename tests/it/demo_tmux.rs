//! `liftoff demo` end to end: the real binary in a real terminal (a private
//! tmux server), its simulated world running at 20x. What a new user sees:
//! the banner, a running hold countdown, help, themes and layouts, a world
//! that moves on its own, and a terminal given back on `q`.

use crate::support;

use liftoff::tui::keymap::{Action, BINDINGS};
use liftoff::tui::layout::Layout;
use liftoff::tui::theme::Theme;
use std::path::PathBuf;
use std::time::Duration;
use support::tmux::{Pane, DEADLINE, EXITED};

/// Drawn by the kill switch panel of every built-in layout.
const KILL_PANEL: &str = "KILL SWITCH";

/// A demo in a 160x48 pane, its files kept in a temp folder the test can see,
/// with an empty config folder (no user theme or layout can interfere).
struct Demo {
    pane: Pane,
    files: tempfile::TempDir,
}

impl Demo {
    fn start(name: &str) -> Demo {
        let files = tempfile::tempdir().expect("temp dir");
        let config = files.path().join("config");
        let dir = files.path().join("demo");
        let (config, dir) = (config.display().to_string(), dir.display().to_string());
        let pane = Pane::launch(
            name,
            (160, 48),
            &[("XDG_CONFIG_HOME", &config)],
            &["demo", "--speed", "20", "--dir", &dir],
        );
        pane.wait_for(KILL_PANEL);
        Demo { pane, files }
    }

    fn validation_dir(&self) -> PathBuf {
        self.files.path().join("demo/validation")
    }

    /// `q`, answering the "quit while the ramp runs?" question if asked.
    fn quit(&self) {
        self.pane.keys(&["q"]);
        let asked = self
            .pane
            .await_screen("the cockpit exit or ask", DEADLINE, |s| {
                if s.contains("Quit while the ramp runs?") {
                    Some(true)
                } else {
                    s.contains(EXITED).then_some(false)
                }
            });
        if asked {
            self.pane.keys(&["y"]);
        }
        self.pane.assert_clean_exit();
    }
}

/// The line of the status bar's right end: "<layout> · <theme> · ? help".
fn view_names(layout: &str, theme: &str) -> String {
    format!("{layout} · {theme} · ? help")
}

/// The built-in name after `current`, the order `t` and `L` cycle in.
fn after<'a>(names: &'a [&'a str], current: &str) -> &'a str {
    let i = names.iter().position(|n| *n == current).expect("built-in");
    names[(i + 1) % names.len()]
}

/// The banner's reason line, e.g. "2 holding: entropy, techlead" (the
/// banner's cell of the row only).
fn holding_line(screen: &str) -> Option<String> {
    screen
        .lines()
        .filter_map(|l| l.split('│').next())
        .map(str::trim)
        .find(|l| l.contains(" holding: "))
        .map(str::to_string)
}

#[test]
fn demo_shows_the_banner_help_themes_layouts_and_quits_cleanly() {
    let demo = Demo::start("demo-keys");
    let pane = &demo.pane;

    // The banner's big letters come with a line naming what holds the gate:
    // once the sources have answered, the tech lead's missing ACK among them.
    pane.await_screen("the tech lead holding the gate", DEADLINE, |s| {
        holding_line(s).filter(|l| l.contains("techlead"))
    });
    pane.wait_for(&view_names("commander", "dark"));

    // `?`: the help overlay, generated from the keymap.
    pane.keys(&["?"]);
    pane.wait_for("Keys · Esc closes");
    let kill = BINDINGS
        .iter()
        .find(|b| b.action == Action::Kill)
        .expect("a kill binding");
    pane.wait_for(kill.description);
    pane.keys(&["Escape"]);
    pane.wait_gone("Keys · Esc closes");

    // `t` and `L` move to the next built-in theme and layout.
    let theme = after(Theme::builtin_names(), "dark");
    pane.keys(&["t"]);
    pane.wait_for(&view_names("commander", theme));
    let layout = after(Layout::builtin_names(), "commander");
    pane.keys(&["L"]);
    pane.wait_for(&view_names(layout, theme));

    demo.quit();
}

#[test]
fn the_simulated_world_moves_on_its_own() {
    let demo = Demo::start("demo-world");
    let pane = &demo.pane;
    // At 20x the story repeats every 30 s: the page fires 2 s in for 3 s.
    let story = Duration::from_secs(45);

    // The page alert reaches the alerts panel (▲ marks a page).
    pane.await_screen("the page alert in the alerts panel", story, |s| {
        s.lines()
            .find(|l| l.contains("▲ page") && l.contains("PolicyServingLatencyHigh"))
            .map(str::to_string)
    });

    // The entropy slides under the check's warn level: it holds the gate.
    pane.await_screen("entropy holding the gate", story, |s| {
        holding_line(s).filter(|l| l.contains("entropy"))
    });

    // Today's validation run lands beside the two the history starts with.
    let validation_line = |count: usize| {
        let text = format!("{count} files");
        move |s: &str| {
            s.lines()
                .find(|l| l.contains("Two 48h PASS validations") && l.contains(&text))
                .map(str::to_string)
        }
    };
    pane.await_screen("3 validation files", story, validation_line(3));
    let on_disk = || {
        std::fs::read_dir(demo.validation_dir())
            .expect("validation folder")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .count()
    };
    assert_eq!(on_disk(), 3, "two from the history, one from the story");

    // A run written by someone else shows too: the folder is watched.
    std::fs::write(
        demo.validation_dir().join("validation_manual.json"),
        r#"{"status":"PASS","window":"48h"}"#,
    )
    .expect("write an artifact");
    pane.await_screen("4 validation files", DEADLINE, validation_line(4));

    demo.quit();
}

/// The demo's journal says the 10% stage was entered 25 minutes ago with a
/// 2h hold: the countdown runs, and quitting asks first.
#[test]
fn the_hold_countdown_runs_and_quit_asks_while_the_ramp_runs() {
    let demo = Demo::start("demo-hold");
    let pane = &demo.pane;
    pane.wait_for("HOLD at 10%");
    // The countdown panel's cell of the rows from its label down: the big
    // clock (time left in the hold) and the next decision point.
    let clock = |s: &str| {
        let lines: Vec<&str> = s.lines().collect();
        let (row, col) = lines.iter().enumerate().find_map(|(i, l)| {
            l.split('│')
                .position(|cell| cell.contains("HOLD at 10%"))
                .map(|c| (i, c))
        })?;
        let cells: Vec<&str> = lines[row + 1..]
            .iter()
            .take(6)
            .filter_map(|l| l.split('│').nth(col))
            .collect();
        Some(cells.join("\n"))
    };
    let first = pane.await_screen("the hold countdown", DEADLINE, clock);
    pane.await_screen("the hold countdown to move", DEADLINE, |s| {
        clock(s).filter(|now| *now != first)
    });

    pane.keys(&["q"]);
    pane.wait_for("Quit while the ramp runs?");
    pane.keys(&["y"]);
    pane.assert_clean_exit();
}
