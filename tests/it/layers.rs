//! The pure floor is its own crate, `liftoff-core`, so the compiler keeps it
//! from calling up into the product. What the compiler cannot stop is a
//! dependency added to the core's Cargo.toml: this test fails the day the
//! core can reach an I/O crate (see docs/ARCHITECTURE.md, "Layering").

use std::collections::BTreeSet;
use std::process::Command;

/// Crates that do I/O or own a terminal: none may be below the core.
const IO_CRATES: &[&str] = &[
    "tokio",
    "reqwest",
    "hyper",
    "ratatui",
    "crossterm",
    "kube",
    "kube-core",
    "k8s-openapi",
    "sqlx",
    "notify",
    "axum",
    "tonic",
    "etcd-client",
];

#[test]
fn the_core_depends_on_no_io_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "liftoff-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .expect("run cargo tree");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        names.contains("liftoff-core") && names.contains("cel"),
        "{text}"
    );
    let below: Vec<&&str> = IO_CRATES.iter().filter(|c| names.contains(**c)).collect();
    assert!(
        below.is_empty(),
        "the core reaches I/O crates {below:?}:\n{text}"
    );
}
