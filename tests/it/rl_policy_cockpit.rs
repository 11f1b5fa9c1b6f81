//! Seed 000's ramp walked end to end in the cockpit: the real `liftoff run`
//! in tmux, driven by keys only, against the world of tests/rl_policy.rs (a
//! real Prometheus, Alertmanager, three file-backed exporters, the team's
//! Makefile and python script as child processes).
//!
//! Three cockpits, one per person (the war room: alice the captain, bob
//! on call, carol the tech lead, each with their own `$USER`; the seed has
//! `distinct_roles`, so one person cannot hold two roles). Each ACKs their
//! role and ticks the manual item they did; alice records GO, enters shadow,
//! then 10% (the Makefile's `influence-set`, read back from the exporter) on
//! the same ACKs: shadow names none, so the review's ACKs open 10%, and the
//! gate at 10% still counts them. Bob and carol leave. Alice's cockpit
//! records the stage's decision points (GO), and a guard trip (entropy below
//! 0.8) fires the kill switch, proven by the readback.
//!
//! The playbook is the shipped seed with its URLs pointed at the world and
//! ONE other change: the ramp's durations are divided by 360 (hold 2h -> 20s,
//! decision points 30m/60m/120m -> 5s/10s/20s), because a test cannot wait
//! two hours. The replacement asserts it finds the seed's text, so the test
//! fails if the seed's ramp changes.
//!
//! Nothing sleeps: every step awaits the screen or the journal with a deadline.

use crate::support;
use crate::support::rl_policy_world as world;

use liftoff::journal::{self, Stored};
use liftoff::playbook::LoadedPlaybook;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::tmux::{wait_within, Pane};
use world::{run, World};

/// The seed's ramp timings, and the test's (every duration / 360).
const RAMP_TIMINGS: [(&str, &str); 2] = [
    ("hold = \"2h\"", "hold = \"20s\""),
    (
        "decision_points = [\"30m\", \"60m\", \"120m\"]",
        "decision_points = [\"5s\", \"10s\", \"20s\"]",
    ),
];

/// Who holds which role, the role's title, and the manual item they ticked.
const PEOPLE: [(&str, &str, &str, &str); 3] = [
    ("alice", "captain", "Release Captain", "rollback_validated"),
    ("bob", "oncall", "On-call Engineer", "ops_bot"),
    ("carol", "techlead", "Technical Lead", "runbooks"),
];

/// Wide enough that the ramp panel's line ("at 10% since … · hold …") is not cut.
const SIZE: (u16, u16) = (200, 50);

/// How long the journal or a screen may take on a loaded machine (the
/// cockpit polls command sources that run make and python).
const DEADLINE: Duration = Duration::from_secs(90);

/// The scaled hold plus `DEADLINE`: the last decision point falls at its end.
const HOLD_DEADLINE: Duration = Duration::from_secs(20 + 90);

fn cockpit(playbook: &Path, user: &str) -> Pane {
    let pb = playbook.display().to_string();
    let pane = Pane::launch(
        &format!("walk-{user}"),
        SIZE,
        &[("LIFTOFF_USER", user)],
        &["run", &pb],
    );
    wait_screen(&pane, "KILL SWITCH");
    pane
}

/// Awaits `text` on `pane` with the generous deadline; returns that screen.
fn wait_screen(pane: &Pane, text: &str) -> String {
    pane.await_screen(&format!("{text:?}"), DEADLINE, |s| {
        s.contains(text).then(|| s.to_string())
    })
}

fn events(pb: &LoadedPlaybook) -> Vec<Stored> {
    journal::open(pb)
        .and_then(|j| j.read_all())
        .expect("read the journal")
        .events
}

fn kinds(pb: &LoadedPlaybook) -> Vec<String> {
    events(pb).into_iter().map(|e| e.kind).collect()
}

/// Awaits `n` events of `kind` in the journal; returns them.
fn await_events(pb: &LoadedPlaybook, kind: &str, n: usize) -> Vec<Stored> {
    await_events_within(DEADLINE, pb, kind, n)
}

fn await_events_within(
    deadline: Duration,
    pb: &LoadedPlaybook,
    kind: &str,
    n: usize,
) -> Vec<Stored> {
    wait_within(deadline, || {
        let found: Vec<Stored> = events(pb).into_iter().filter(|e| e.kind == kind).collect();
        (found.len() >= n).then_some(found)
    })
    .unwrap_or_else(|| panic!("never {n} {kind} in the journal: {:?}", kinds(pb)))
}

/// Awaits the first event of `kind` whose payload has `key` = `value`.
fn await_event(pb: &LoadedPlaybook, kind: &str, key: &str, value: &str) -> Stored {
    wait_within(DEADLINE, || {
        events(pb)
            .into_iter()
            .find(|e| e.kind == kind && e.payload[key] == value)
    })
    .unwrap_or_else(|| panic!("no {kind} with {key}={value}: {:?}", kinds(pb)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_ramp_walked_in_the_cockpit() {
    let w = World::build().await;
    w.rewrite_playbook(&RAMP_TIMINGS);
    let pb = liftoff::playbook::load(&w.playbook).expect("load the test's playbook");
    let panes: Vec<Pane> = PEOPLE
        .iter()
        .map(|(user, ..)| cockpit(&w.playbook, user))
        .collect();
    let alice = &panes[0];

    acks_typed_in_three_cockpits(&pb, &panes);
    manual_items_ticked_by_who_did_them(&pb, &panes);
    go_recorded(&w, &pb, alice);
    stage_entered(&pb, alice, 0, "shadow 0%");
    stage_entered(&pb, alice, 1, "10%");
    ten_percent_read_back(&w, alice);
    // The ACKs that opened 10% still count: the gate stays GO.
    wait_screen(
        alice,
        "all required checks pass · every gate role has ACKed",
    );
    // The others leave; the captain watches. The ramp runs: they are asked first.
    for pane in &panes[1..] {
        pane.keys(&["q"]);
        wait_screen(pane, "Quit while the ramp runs?");
        pane.keys(&["y"]);
        pane.assert_clean_exit();
    }
    decision_points_recorded(&pb, alice);
    guard_trip_fires_a_verified_kill(&w, &pb, alice);

    let journal_kinds = kinds(&pb);
    let expected: Vec<&str> = [
        ["ack"; 3].as_slice(),
        &["manual_ticked"; 3],
        &["decision_outcome", "stage_entered", "stage_entered"],
        &["decision_point"; 3],
        &["guard_tripped", "kill_fired", "kill_verified"],
    ]
    .concat();
    assert_eq!(journal_kinds, expected);
    let args = [
        "audit".to_string(),
        "verify".to_string(),
        w.playbook.display().to_string(),
    ];
    let audit = run(env!("CARGO_BIN_EXE_liftoff"), &args, w.dir.path()).await;
    assert_eq!(audit.code, 0, "the journal's chain: {}", audit.all());

    // Proven halted, nothing runs: `q` quits without asking.
    alice.keys(&["q"]);
    alice.assert_clean_exit();
}

/// True when a line of `screen` shows role `title` held by `user`.
fn role_held(screen: &str, title: &str, user: &str) -> bool {
    let by = format!("{user} at ");
    screen.lines().any(|l| l.contains(title) && l.contains(&by))
}

/// Awaits `pane` showing every role held (by the ACKs of the current stage).
fn wait_roles_held(pane: &Pane) {
    pane.await_screen("every role held", DEADLINE, |s| {
        PEOPLE
            .iter()
            .all(|(user, _, title, _)| role_held(s, title, user))
            .then_some(())
    });
}

/// Each person, in their cockpit, before the ramp: `a`,
/// their role picked with ↑↓ (whatever the dialog offered first), Enter.
fn acks_typed_in_three_cockpits(pb: &LoadedPlaybook, panes: &[Pane]) {
    let before = events(pb).len();
    for (i, (user, role, title, _)) in PEOPLE.iter().enumerate() {
        let pane = &panes[i];
        pane.keys(&["a"]);
        wait_screen(pane, "Enter records");
        for _ in 0..PEOPLE.len() {
            pane.keys(&["Up"]);
        }
        for _ in 0..i {
            pane.keys(&["Down"]);
        }
        wait_screen(pane, &format!("● {title} ({role})"));
        pane.keys(&["Enter"]);
        let ack = wait_within(DEADLINE, || {
            events(pb)
                .into_iter()
                .skip(before)
                .find(|e| e.kind == "ack" && e.payload["role"] == *role)
        })
        .unwrap_or_else(|| panic!("no ACK for {role}: {:?}", kinds(pb)));
        assert_eq!(ack.actor.name, *user);
        assert_eq!(ack.actor.role.as_deref(), Some(*role));
        assert_eq!(
            ack.payload["stage"],
            Value::Null,
            "before the ramp: {ack:?}"
        );
    }
    // Every cockpit sees every ACK (the journal follower) and counts it.
    for pane in panes {
        wait_roles_held(pane);
    }
}

/// Space on the item's checklist row (found with ↓, proven by its evidence).
fn manual_items_ticked_by_who_did_them(pb: &LoadedPlaybook, panes: &[Pane]) {
    for (i, (user, _, _, item)) in PEOPLE.iter().enumerate() {
        let pane = &panes[i];
        let row = pb
            .checks
            .iter()
            .position(|c| c.spec.source == *item)
            .unwrap_or_else(|| panic!("no check reads {item}"));
        let id = pb.checks[row].spec.id.clone();
        for _ in 0..row {
            pane.keys(&["Down"]);
        }
        pane.keys(&["Enter"]);
        wait_screen(pane, &format!("({id})"));
        pane.keys(&["Escape"]);
        pane.wait_gone(&format!("({id})"));
        pane.keys(&["Space"]);
        let ticked = await_event(pb, "manual_ticked", "item", item);
        assert_eq!(ticked.actor.name, *user);
        wait_screen(pane, &format!("ticked by {user}"));
    }
}

/// Once every check passes and every role has ACKed, `g`, a justification, Enter.
fn go_recorded(w: &World, pb: &LoadedPlaybook, pane: &Pane) {
    wait_screen(pane, "all required checks pass · every gate role has ACKed");
    pane.keys(&["g"]);
    wait_screen(pane, "Record the decision: GO");
    pane.type_text("seed 000 walked: every GO criterion holds");
    pane.keys(&["Enter"]);
    let decision = await_events(pb, "decision_outcome", 1).remove(0);
    assert_eq!(decision.actor.name, "alice");
    assert_eq!(decision.payload["outcome"], "go");
    assert_eq!(decision.payload["gate"], "GO");
    assert_eq!(decision.payload["overridden"], false);
    assert_eq!(
        decision.payload["justification"],
        "seed 000 walked: every GO criterion holds"
    );
    assert_eq!(decision.payload["holds"], serde_json::json!([]));
    let record = decision.payload["record"]
        .as_str()
        .expect("the decision names its record");
    assert!(record.ends_with("_go_nogo.json"), "{record}");
    let record_path = w
        .path("artifacts/audit")
        .join(Path::new(record).file_name().expect("the record is a file"));
    let json: Value = serde_json::from_slice(
        &std::fs::read(&record_path)
            .unwrap_or_else(|e| panic!("read {}: {e}", record_path.display())),
    )
    .expect("the record is JSON");
    assert_eq!(json["decision"], "GO");
    assert_eq!(json["criteria"].as_array().map(Vec::len), Some(30));
    wait_screen(pane, "GO decision recorded by alice");
}

/// `]` `y` once the gate (and the stage's ACKs) hold: the stage is set by
/// `make influence-set` and proven by the exporter's reading.
fn stage_entered(pb: &LoadedPlaybook, pane: &Pane, index: usize, label: &str) {
    wait_roles_held(pane);
    pane.keys(&["]"]);
    wait_screen(pane, &format!("Enter stage {label}?"));
    pane.keys(&["y"]);
    let entered = await_events(pb, "stage_entered", index + 1).remove(index);
    assert_eq!(entered.payload["index"], index, "{entered:?}");
    assert_eq!(entered.payload["verified"], true, "{entered:?}");
    assert_eq!(entered.payload["back"], false, "{entered:?}");
    assert_eq!(entered.actor.name, "alice");
    wait_screen(pane, &format!("at {label} since"));
}

/// The exporter serves what `make influence-set PCT=10` wrote.
fn ten_percent_read_back(w: &World, pane: &Pane) {
    assert!(
        w.policy.page().contains("rl_influence_percent 10\n"),
        "{}",
        w.policy.page()
    );
    wait_screen(pane, "hold 00:20");
}

/// The stage's three decision points, each a snapshot of every check.
fn decision_points_recorded(pb: &LoadedPlaybook, pane: &Pane) {
    let points = await_events_within(HOLD_DEADLINE, pb, "decision_point", 3);
    let offsets: Vec<u64> = points
        .iter()
        .map(|p| p.payload["offset_ms"].as_u64().unwrap_or_default())
        .collect();
    assert_eq!(offsets, [5_000, 10_000, 20_000]);
    for p in &points {
        assert_eq!(p.payload["stage"], "10%", "{p:?}");
        assert_eq!(p.payload["decision"], "GO", "{p:?}");
        assert_eq!(p.actor.name, "alice");
        let checks = p.payload["checks"].as_array().expect("the checks");
        assert_eq!(checks.len(), pb.checks.len());
        for c in checks {
            assert_eq!(c["status"], "PASS", "{c}");
        }
        let entropy = checks
            .iter()
            .find(|c| c["id"] == "entropy")
            .expect("entropy in the snapshot");
        assert_eq!(entropy["value"], "0.93");
    }
    wait_screen(pane, "every decision point recorded");
    wait_screen(pane, "decision point T+20s at 10%: GO");
}

/// Entropy below the floor: the guard fires `make kill-switch` by itself and
/// the exporter's reading proves the 0% revert.
fn guard_trip_fires_a_verified_kill(w: &World, pb: &LoadedPlaybook, pane: &Pane) {
    w.policy.set("policy.prom", "rl_policy_entropy", 0.7);
    let tripped = await_events(pb, "guard_tripped", 1).remove(0);
    assert_eq!(tripped.payload["guard"], "entropy-floor");
    assert_eq!(tripped.payload["on_trip"], "kill");
    assert_eq!(tripped.payload["value"], "0.7");
    await_events(pb, "kill_fired", 1);
    await_events(pb, "kill_verified", 1);
    assert!(
        w.policy.page().contains("rl_influence_percent 0\n"),
        "{}",
        w.policy.page()
    );
    wait_screen(pane, "HALTED");
    wait_screen(pane, "verified at");
}
