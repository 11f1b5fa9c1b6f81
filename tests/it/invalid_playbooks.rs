//! The playbook error corpus: every `tests/invalid_playbooks/NAME.toml` is a
//! realistic playbook with one mistake; `liftoff validate` must refuse it with
//! exit 2 and exactly the text in `NAME.expected` (file:line:col, what is
//! wrong, what to write instead). And every shipped playbook must validate.
//!
//! After a deliberate change of wording, rewrite the expected files with
//! `LIFTOFF_BLESS=1 cargo test --test invalid_playbooks` and review the diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CORPUS: &str = "tests/invalid_playbooks";

/// Secrets planted in the corpus: they must never be echoed back.
const PLANTED_SECRETS: &[&str] = &[
    "glsa_9f8e7d6c5b4a",
    "hunter2",
    "eyJhbGciOiJIUzI1NiJ9",
    "s3cret",
    "B000/XXXX",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `liftoff validate <relative path>` from the crate root, as a user would.
fn validate(relative: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("validate")
        .arg(relative)
        .current_dir(root())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run liftoff")
}

fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

#[test]
fn every_invalid_playbook_is_refused_with_its_exact_message() {
    let bless = std::env::var_os("LIFTOFF_BLESS").is_some();
    let playbooks = files_with_extension(&root().join(CORPUS), "toml");
    assert!(
        playbooks.len() >= 20,
        "the corpus has {} playbooks",
        playbooks.len()
    );
    let mut failures = Vec::new();
    for full in &playbooks {
        let name = full.file_stem().unwrap().to_string_lossy().into_owned();
        let relative = Path::new(CORPUS).join(format!("{name}.toml"));
        let expected_path = full.with_extension("expected");
        let out = validate(&relative);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if bless {
            std::fs::write(&expected_path, &stderr).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        let mut wrong = Vec::new();
        if out.status.code() != Some(2) {
            wrong.push(format!("exit {:?}, expected 2", out.status.code()));
        }
        if !out.stdout.is_empty() {
            wrong.push(format!(
                "stdout not empty: {}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
        if stderr != expected {
            wrong.push(format!("stderr:\n{stderr}\nexpected:\n{expected}"));
        }
        if !located_with_hint(&stderr, &relative) {
            wrong.push(format!(
                "not `{}:LINE:COL: ...` followed by a hint:\n{stderr}",
                relative.display()
            ));
        }
        for secret in PLANTED_SECRETS {
            if stderr.contains(secret) {
                wrong.push(format!("the output repeats the secret {secret}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("== {name}\n{}", wrong.join("\n")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Every problem line is `path:line:col: message` and is followed by a hint.
fn located_with_hint(stderr: &str, relative: &Path) -> bool {
    let prefix = format!("{}:", relative.display());
    let lines: Vec<&str> = stderr.lines().collect();
    let problems: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(&prefix))
        .collect();
    !problems.is_empty()
        && problems.iter().all(|&i| {
            let mut parts = lines[i][prefix.len()..].splitn(3, ':');
            let numbers = [parts.next(), parts.next()]
                .iter()
                .all(|p| p.is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n > 0)));
            numbers
                && parts.next().is_some_and(|m| m.len() > 2)
                && lines
                    .get(i + 1)
                    .is_some_and(|next| next.starts_with("  hint: "))
        })
}

#[test]
fn every_shipped_playbook_validates() {
    let mut failures = Vec::new();
    for full in files_with_extension(&root().join("assets/playbooks"), "toml") {
        let relative = full.strip_prefix(root()).unwrap().to_path_buf();
        let out = validate(&relative);
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{}: exit {:?}\n{}",
                relative.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The complete example in docs/playbook.md is a real, valid playbook.
#[test]
fn the_documented_example_validates() {
    let doc = std::fs::read_to_string(root().join("docs/playbook.md")).unwrap();
    let after = doc
        .split_once("## A complete example")
        .expect("docs/playbook.md has a complete example")
        .1;
    let block = after
        .split_once("```toml\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .expect("the complete example is a ```toml block")
        .0;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liftoff.toml");
    std::fs::write(&path, block).unwrap();
    let out = validate(&path);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every condition written in a docs/playbook.md example compiles.
#[test]
fn the_documented_conditions_compile() {
    let doc = std::fs::read_to_string(root().join("docs/playbook.md")).unwrap();
    let mut seen = 0;
    let mut failures = Vec::new();
    for block in doc.split("```toml\n").skip(1) {
        let block = block.split("\n```").next().unwrap_or_default();
        for line in block.lines() {
            let line = line.trim();
            let Some(key) = ["pass = ", "warn = ", "trip = ", "show = "]
                .iter()
                .find(|k| line.starts_with(**k))
            else {
                continue;
            };
            let table: toml::Table = match toml::from_str(line) {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{line}: {e}"));
                    continue;
                }
            };
            let name = key.trim_end_matches(" = ");
            let condition = table[name].as_str().unwrap_or_default();
            seen += 1;
            if let Err(e) = liftoff::expr::compile(condition) {
                failures.push(format!("{condition}: {e}"));
            }
        }
    }
    assert!(seen >= 20, "only {seen} conditions found");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
