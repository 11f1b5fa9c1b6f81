//! `liftoff demo --serve`: the real binary runs the simulated world, other
//! liftoff commands use its playbook, and SIGTERM tidies it away.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[test]
fn the_served_world_has_a_valid_playbook_and_stops_cleanly() {
    let bin = env!("CARGO_BIN_EXE_liftoff");
    let mut child = Command::new(bin)
        .args(["demo", "--serve", "--speed", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("liftoff demo --serve starts");
    let stdout = child.stdout.take().expect("stdout");
    // Reading blocks until the world prints where its playbook is.
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let playbook: PathBuf = lines
        .find_map(|l| {
            l.trim()
                .strip_prefix("playbook")
                .map(|p| PathBuf::from(p.trim()))
        })
        .expect("the playbook path is printed");
    assert!(playbook.exists(), "{}", playbook.display());

    let validate = Command::new(bin)
        .args(["validate"])
        .arg(&playbook)
        .output()
        .expect("validate runs");
    assert_eq!(
        validate.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );

    let pid = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    kill(pid, Signal::SIGTERM).expect("signal");
    // Keep reading to the end so the world never writes into a closed pipe.
    lines.for_each(drop);
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
    assert!(
        !playbook.parent().expect("folder").exists(),
        "the temporary demo folder is removed on exit"
    );
}
