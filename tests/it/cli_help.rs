//! Every command explains itself: `--help` exits 0 and names its options.

use std::process::{Command, Output};

fn liftoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the liftoff binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn top_level_help_lists_the_commands() {
    let o = liftoff(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for word in ["Usage:", "demo", "check", "validate", "--help", "--version"] {
        assert!(
            text.contains(word),
            "`liftoff --help` does not mention {word}:\n{text}"
        );
    }
}

#[test]
fn demo_help_names_its_options() {
    let o = liftoff(&["demo", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for word in [
        "--speed",
        "--theme",
        "--layout",
        "--serve",
        "--dir",
        "simulated",
    ] {
        assert!(
            text.contains(word),
            "`liftoff demo --help` does not mention {word}:\n{text}"
        );
    }
}

#[test]
fn demo_refuses_bad_options_before_starting_anything() {
    let o = liftoff(&["demo", "--speed", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--speed"));

    let o = liftoff(&["demo", "--theme", "drak"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("did you mean \"dark\"?"), "{err}");

    let o = liftoff(&["demo", "--layout", "warroom"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("did you mean \"war-room\"?"), "{err}");
}
