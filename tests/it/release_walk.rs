//! Issue 16 headless: a two-stage release walked through `ack`, `tick`,
//! `stage`, `waive`, `decide` and `report` against a real exporter whose page
//! is what the playbook's command actions write (a shell child per action).
//! Every "Why" case refuses with the rule book's words, exits as SPEC says
//! and writes nothing; the report tells the story, and its html renders its
//! charts in headless Chromium (tests/it/support/chromium.rs).

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Output};
use support::file_exporter::FileExporter;

struct World {
    dir: tempfile::TempDir,
    exporter: FileExporter,
    playbook: PathBuf,
}

const PLAYBOOK: &str = r#"
[release]
name = "pilot cohort launch"
audit_dir = "audit"
distinct_roles = true
go_acks = ["commander"]

[[role]]
id = "commander"
[[role]]
id = "sre"
[[role]]
id = "lead"

[source.world]
kind = "scrape"
url = "EXPORTER"
interval = "1s"
timeout = "2s"

[source.plan]
kind = "manual"
title = "Rollback plan reviewed"
role = "sre"

[[check]]
id = "plan"
section = "People"
source = "plan"
pass = "checked"

[[check]]
id = "errors"
section = "Health"
title = "Error rate under 5%"
source = "world"
query = "error_rate"
pass = "value < 0.05"
required = false

[[check]]
id = "coverage"
section = "Quality"
title = "Coverage ratchet >= 80%"
source = "world"
query = "coverage_ratio"
pass = "value >= 0.8"
waivable_by = ["lead"]

[[check]]
id = "saturation"
section = "Health"
title = "Saturation under 90%"
source = "world"
query = "saturation"
pass = "value < 0.9"

[ramp]
set = { kind = "command", run = ["sh", "-c", "echo set {percent} >> sets.log && printf 'rollout_percent {percent}\\n' > world/.r && mv world/.r world/rollout.prom"] }
readback = { source = "world", query = "rollout_percent", pass = "value == percent" }

[[ramp.stage]]
name = "pilot"
percent = 10
hold = "1h"
acks = ["commander", "sre"]

[[ramp.stage]]
name = "cohort"
percent = 50
acks = ["commander", "sre"]
requires = ["errors"]
undo = { kind = "command", run = ["sh", "-c", "echo undo cohort >> sets.log && printf 'rollout_percent 10\\n' > world/.r && mv world/.r world/rollout.prom"] }
"#;

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let world = dir.path().join("world");
        std::fs::create_dir_all(&world).unwrap();
        std::fs::write(world.join("rollout.prom"), "rollout_percent 0\n").unwrap();
        std::fs::write(
            world.join("quality.prom"),
            "error_rate 0.01\ncoverage_ratio 0.7\nsaturation 0.2\n",
        )
        .unwrap();
        let exporter = FileExporter::start(&world);
        let text = PLAYBOOK.replace("EXPORTER", &exporter.url());
        let playbook = dir.path().join("liftoff.toml");
        std::fs::write(&playbook, text).unwrap();
        World {
            dir,
            exporter,
            playbook,
        }
    }

    fn liftoff(&self, sub: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .arg(sub)
            .arg(&self.playbook)
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run liftoff")
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Journal lines so far (a refusal must not add any).
    fn events(&self) -> usize {
        std::fs::read_dir(self.path("audit"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
                    .map(|e| std::fs::read_to_string(e.path()).unwrap().lines().count())
                    .sum()
            })
            .unwrap_or(0)
    }

    fn set(&self, series: &str, value: f64) {
        self.exporter.set("quality.prom", series, value);
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `sub args`, expects `code`, and returns what it said.
fn expect(w: &World, code: i32, sub: &str, args: &[&str]) -> String {
    let before = w.events();
    let out = w.liftoff(sub, args);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(code), "{sub} {args:?}: {said}");
    if code != 0 {
        assert_eq!(w.events(), before, "a refused {sub} writes nothing: {said}");
    }
    said
}

#[test]
fn a_two_stage_release_walked_headless_with_the_cockpits_rules() {
    let w = World::new();

    // A tick by someone without the item's role ACK: exit 2, nothing written.
    let said = expect(&w, 2, "tick", &["--item", "plan", "--as", "mallory"]);
    assert!(
        said.contains("tick refused: Rollback plan reviewed is ticked by the sre role: mallory holds no valid ACK as sre"),
        "{said}"
    );
    expect(&w, 0, "ack", &["--role", "commander", "--as", "dana"]);
    // A second role for dana under distinct_roles: exit 2, not a note.
    let said = expect(&w, 2, "ack", &["--role", "sre", "--as", "dana"]);
    assert!(
        said.contains("ACK refused: dana already ACKed as commander; with distinct_roles one person may not hold two roles"),
        "{said}"
    );
    let said = expect(&w, 0, "ack", &["--role", "sre", "--as", "sam"]);
    assert!(
        said.contains("it authorizes entering stage pilot"),
        "{said}"
    );
    expect(&w, 0, "tick", &["--item", "plan", "--as", "sam"]);

    // Coverage fails: the gate holds the stage (exit 1, nothing written).
    let said = expect(&w, 1, "stage", &["--next", "--as", "dana"]);
    assert!(
        said.contains("cannot enter stage pilot: NO-GO, held by coverage (FAIL"),
        "{said}"
    );

    // Waivers: only a role the check names, only by its ACKed holder.
    let waive = |role: &str, by: &str| {
        vec![
            "--check",
            "coverage",
            "--role",
            role,
            "--as",
            by,
            "--for",
            "2h",
            "--justification",
            "coverage ratchet bypassed: hotfix label",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<String>>()
    };
    let args = waive("sre", "sam");
    let said = expect(
        &w,
        2,
        "waive",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        said.contains("the sre role may not waive coverage (waivable_by: lead)"),
        "{said}"
    );
    let args = waive("lead", "erin");
    let said = expect(
        &w,
        2,
        "waive",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(said.contains("erin holds no valid ACK as lead"), "{said}");
    expect(&w, 0, "ack", &["--role", "lead", "--as", "erin"]);
    let said = expect(
        &w,
        0,
        "waive",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        said.contains("check coverage WAIVED by erin (lead) until"),
        "{said}"
    );
    let status = expect(&w, 0, "status", &[]);
    assert!(
        status.contains("waiver coverage: WAIVED by erin (lead) until"),
        "{status}"
    );
    // `liftoff check` counts the waiver too: GO (exit 0), coverage still FAIL in its evidence.
    let check = expect(&w, 0, "check", &[]);
    assert!(check.contains("DECISION: GO"), "{check}");

    // GO with the waiver: the decision supports it, then the stage is set and read back.
    let said = expect(
        &w,
        0,
        "decide",
        &[
            "--outcome",
            "go",
            "--justification",
            "pilot ready",
            "--as",
            "dana",
        ],
    );
    assert!(said.contains("go (the gate is GO)"), "{said}");
    let said = expect(&w, 0, "stage", &["--next", "--as", "dana"]);
    assert!(said.contains("entered stage pilot (10%)"), "{said}");
    let sets = std::fs::read_to_string(w.path("sets.log")).unwrap();
    assert_eq!(sets, "set 10\n");

    // The ACKs were used up entering pilot: cohort needs new ones.
    let said = expect(&w, 1, "stage", &["--next", "--as", "dana"]);
    assert!(
        said.contains(
            "no valid ACK from commander (the last ACK (dana) was used to enter stage pilot"
        ),
        "{said}"
    );
    expect(&w, 0, "ack", &["--role", "commander", "--as", "dana"]);
    expect(&w, 0, "ack", &["--role", "sre", "--as", "sam"]);

    // The hold: refused, naming the time left.
    let said = expect(&w, 1, "stage", &["--next", "--as", "dana"]);
    assert!(said.contains("the pilot hold has 59m"), "{said}");
    assert!(said.contains("an override needs a justification"), "{said}");
    // `requires`: errors must PASS for cohort (it is not a gate check).
    w.set("error_rate", 0.2);
    let said = expect(
        &w,
        1,
        "stage",
        &[
            "--next",
            "--override-hold",
            "--justification",
            "cohort waiting",
            "--as",
            "dana",
        ],
    );
    assert!(
        said.contains("the stage requires errors to PASS (it is FAIL"),
        "{said}"
    );
    assert!(!said.contains("hold has"), "the hold is overridden: {said}");
    w.set("error_rate", 0.01);
    // --override-hold without a justification is bad input.
    let out = w.liftoff("stage", &["--next", "--override-hold"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = expect(
        &w,
        0,
        "stage",
        &[
            "--next",
            "--override-hold",
            "--justification",
            "cohort partner waiting; pilot clean for 1h in staging",
            "--as",
            "dana",
        ],
    );
    assert!(said.contains("entered stage cohort (50%)"), "{said}");

    // Saturation climbs: NO-GO. `expand` against it is an override, and says so.
    w.set("saturation", 0.95);
    let said = expect(
        &w,
        0,
        "decide",
        &[
            "--outcome",
            "expand",
            "--justification",
            "debrief: saturation is a dashboard artifact",
            "--as",
            "dana",
        ],
    );
    assert!(
        said.contains("expand OVERRIDES the gate: it is NO-GO (held by saturation)"),
        "{said}"
    );
    let record = said
        .split("record ")
        .last()
        .unwrap()
        .trim()
        .trim_end_matches(')');
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    assert_eq!(json["outcome"], "expand");
    assert_eq!(json["overridden"], true);
    assert_eq!(json["gate"], "NO-GO");
    expect(
        &w,
        2,
        "decide",
        &["--outcome", "launch", "--justification", "x"],
    );

    // Stepping back runs cohort's undo, never a set again.
    let said = expect(&w, 0, "stage", &["--back", "--as", "dana"]);
    assert!(said.contains("stepped back to stage pilot (10%)"), "{said}");
    let sets = std::fs::read_to_string(w.path("sets.log")).unwrap();
    assert_eq!(sets, "set 10\nset 50\nundo cohort\n");
    let status = expect(&w, 0, "status", &[]);
    assert!(
        status.contains("world:   stage pilot (10%), read back at"),
        "{status}"
    );
    assert!(
        status.contains("OVERRIDE: decision EXPAND by dana while the gate was NO-GO"),
        "{status}"
    );

    // The report: the story, markdown and html.
    let md = expect(&w, 0, "report", &[]);
    for needle in [
        "# Release report: pilot cohort launch",
        "entered stage pilot (10%)",
        "**OVERRIDE** OVERRIDE: entering stage cohort",
        "**WAIVER** check coverage WAIVED (lead)",
        "EXPAND — OVERRIDE of a NO-GO gate by dana",
        "| saturation | ✖ FAIL | 0.95 |",
        "## Metrics over time",
        "coverage ratchet bypassed: hotfix label",
    ] {
        assert!(md.contains(needle), "{needle:?} in\n{md}");
    }
    let html = w.path("report.html");
    expect(
        &w,
        0,
        "report",
        &["--format", "html", "--out", html.to_str().unwrap()],
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") || !page.contains("<script"),
        "no script"
    );
    assert!(
        !page.contains("<link"),
        "self-contained: no external stylesheet"
    );
    assert!(
        page.matches("<svg class=\"chart\"").count() >= 3,
        "one chart per numeric check"
    );
    if let Some(out) = std::env::var_os("LIFTOFF_REPORT_EXAMPLE") {
        // `LIFTOFF_REPORT_EXAMPLE=docs/report-example tests`: keep this walk's report as the docs example.
        let out = PathBuf::from(out);
        std::fs::write(out.with_extension("html"), &page).unwrap();
        std::fs::write(out.with_extension("md"), &md).unwrap();
    }
    let shot = support::chromium::renders_the_charts(&html, w.dir.path());
    if let Some(out) = std::env::var_os("LIFTOFF_REPORT_EXAMPLE") {
        std::fs::copy(&shot, PathBuf::from(out).with_extension("png")).unwrap();
    }
}
