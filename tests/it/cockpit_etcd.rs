//! The war room across machines: two cockpits (ana's and bob's, in two real
//! terminals) pointed at one real etcd share ACKs, the ramp's stage and the
//! kill switch live, each seeing what the other did through the journal's
//! watch. The world is command sources reading files, a ramp whose set action
//! writes the share and a kill switch writing a flag, each read back.
#![cfg(feature = "etcd")]

use crate::support;

use liftoff::journal::{self, Stored};
use std::path::Path;
use support::etcd::Etcd;
use support::journal_cli::{liftoff, text};
use support::tmux::{wait_until, Pane};

/// tests/cockpit_wired.rs's war room, its journal on the etcd at `endpoints`.
fn playbook(endpoints: &str) -> String {
    include_str!("../fixtures/war_room.toml").replacen(
        "[release]\n",
        &format!("[release]\njournal = \"etcd://{endpoints}/liftoff/war-room\"\n"),
        1,
    )
}

/// The journal as etcd holds it now, read through the library.
fn events(playbook: &Path) -> Vec<Stored> {
    let pb = liftoff::playbook::load(playbook).unwrap();
    journal::open(&pb).unwrap().read_all().unwrap().events
}

fn kinds(playbook: &Path) -> Vec<String> {
    events(playbook).into_iter().map(|e| e.kind).collect()
}

/// Waits until the journal holds `n` events of `kind` and returns the last.
fn await_events(playbook: &Path, kind: &str, n: usize) -> Stored {
    wait_until(|| {
        let of_kind: Vec<Stored> = events(playbook)
            .into_iter()
            .filter(|e| e.kind == kind)
            .collect();
        (of_kind.len() >= n)
            .then(|| of_kind.last().cloned())
            .flatten()
    })
    .unwrap_or_else(|| panic!("not {n} {kind} in etcd: {:?}", kinds(playbook)))
}

/// `a`, then Enter: the ACK dialog picks the first gate role without a valid ACK.
fn ack(pane: &Pane) {
    pane.keys(&["a"]);
    pane.wait_for("Enter records");
    pane.keys(&["Enter"]);
}

#[test]
fn two_cockpits_on_one_etcd_share_acks_the_stage_and_the_kill_switch_live() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let etcd = runtime.block_on(Etcd::single());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("level.txt"), "0.1\n").unwrap();
    let pb = support::playbook::write(dir.path(), &playbook(&etcd.endpoints()));
    let ana = Pane::start("etcd-ana", &pb, &[("LIFTOFF_USER", "ana")]);
    let bob = Pane::start("etcd-bob", &pb, &[("LIFTOFF_USER", "bob")]);

    // (a) An ACK typed in one cockpit shows in the other's roles panel.
    ack(&ana);
    let first = await_events(&pb, "ack", 1);
    assert_eq!(first.actor.name, "ana");
    assert_eq!(first.payload["role"], "captain");
    bob.wait_for("ana at ");
    // Bob, having seen ana's, ACKs the role still missing; ana sees his.
    ack(&bob);
    let second = await_events(&pb, "ack", 2);
    assert_eq!(second.actor.name, "bob");
    assert_eq!(second.payload["role"], "oncall");
    ana.wait_for("bob at ");

    // (b) With both ACKs (from two machines) and the check passing, the gate
    // is GO in ana's cockpit: she enters the first stage; bob sees it current.
    ana.wait_for("every gate role has ACKed");
    ana.keys(&["]"]);
    ana.wait_for("Enter stage shadow 0%?");
    ana.wait_for("y: yes");
    ana.keys(&["y"]);
    let entered = await_events(&pb, "stage_entered", 1);
    assert_eq!(entered.actor.name, "ana");
    assert_eq!(entered.payload["name"], "shadow");
    assert_eq!(entered.payload["verified"], true);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pct.txt")).unwrap(),
        "0\n"
    );
    for pane in [&bob, &ana] {
        pane.wait_for("at shadow 0% since");
    }

    // (c) `K K` in bob's cockpit: HALTED, proven by the readback, in both.
    bob.fire_kill_switch();
    for pane in [&bob, &ana] {
        pane.wait_halted();
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("halted.flag")).unwrap(),
        "HALTED\n"
    );

    // What etcd holds: one chain, each act once, by whom it was done.
    let all = events(&pb);
    let who: Vec<(&str, &str)> = all
        .iter()
        .map(|e| (e.kind.as_str(), e.actor.name.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("ack", "ana"),
            ("ack", "bob"),
            ("stage_entered", "ana"),
            ("kill_fired", "bob"),
            ("kill_verified", "bob"),
        ]
    );
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        if i > 0 {
            assert_eq!(e.prev, all[i - 1].hash, "the chain forks at {}", e.id);
        }
    }
    let stored = String::from_utf8(etcd.get_prefix_values("/liftoff/war-room/events/")).unwrap();
    assert_eq!(stored.lines().count(), 5, "{stored}");
    assert!(stored.contains("\"kind\":\"kill_verified\""), "{stored}");
    let verify = liftoff(&["audit", "verify", pb.to_str().unwrap()]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(
        text(&verify).contains("intact: 5 lines"),
        "{}",
        text(&verify)
    );
    let status = liftoff(&["status", pb.to_str().unwrap()]);
    assert!(
        text(&status).contains("kill:    HALTED"),
        "{}",
        text(&status)
    );
}
