//! The journal's chain through the real binary: a line off the chain, a
//! clock a year ahead, a cut tail against an anchored head, a keyed chain
//! against forged and re-chained lines.

use crate::support;

use chrono::{DateTime, Utc};
use liftoff::journal::line::GENESIS;
use support::journal_world::*;

#[test]
fn a_line_off_the_chain_is_not_counted_by_status_or_check() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let now = Utc::now();
    let (h1, l1) = line(1, now, &ack_event("oncall", "olu"), GENESIS);
    // Its own hash is right; its prev is not line 1's.
    let wrong_prev = "ab".repeat(32);
    let (_, l2) = line(2, now, &ack_event("captain", "mallory"), &wrong_prev);
    assert_ne!(h1, wrong_prev);
    write_journal(dir.path(), &[l1, l2]);

    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(
        text(&verify).contains("BROKEN at line 2"),
        "{}",
        text(&verify)
    );

    let check = liftoff(&["check", pb]);
    let t = text(&check);
    assert_eq!(
        check.status.code(),
        Some(1),
        "the forged ACK opened the gate: {t}"
    );
    assert!(t.contains("journal line 2 skipped"), "{t}");
    assert!(t.contains("not counted"), "{t}");

    let status = liftoff(&["status", pb]);
    let s = text(&status);
    assert!(s.contains("journal line 2 skipped"), "{s}");
    assert!(!s.contains("mallory"), "{s}");
}

#[test]
fn an_event_dated_a_year_ahead_does_not_date_the_ones_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    let now = Utc::now();
    let (h1, l1) = line(
        1,
        now - chrono::Duration::hours(2),
        &ack_event("oncall", "olu"),
        GENESIS,
    );
    let ahead = now + chrono::Duration::days(365);
    let (_, l2) = line(2, ahead, &ack_event("captain", "cy"), &h1);
    write_journal(dir.path(), &[l1, l2]);

    // The captain's ACK counts as of the event before it (2h ago): expired.
    let check = liftoff(&["check", pb]);
    let t = text(&check);
    assert_eq!(
        check.status.code(),
        Some(1),
        "a year-ahead ACK never expires: {t}"
    );
    assert!(t.contains("journal line 2"), "{t}");
    assert!(t.contains("after this host's clock"), "{t}");

    // A new event is dated now, not a year ahead.
    let ack = liftoff(&["ack", pb, "--role", "oncall", "--as", "olu"]);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    let last = std::fs::read_to_string(journal_path(dir.path())).unwrap();
    let last: serde_json::Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    let at: DateTime<Utc> = last["at"].as_str().unwrap().parse().unwrap();
    assert!(at < Utc::now() + chrono::Duration::minutes(1), "dated {at}");
    let verify = liftoff(&["audit", "verify", pb]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(text(&verify).contains("note: line 2"), "{}", text(&verify));
}

#[test]
fn the_head_in_a_decision_record_shows_a_cut_tail() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), "");
    let pb = pb.to_str().unwrap();
    for role in ["oncall", "captain"] {
        let ack = liftoff(&["ack", pb, "--role", role, "--as", "ana"]);
        assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    }
    let out = dir.path().join("records");
    let check = liftoff(&["check", pb, "--out", out.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let record = std::fs::read_dir(&out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record).unwrap()).unwrap();
    let head = format!(
        "{}@{}",
        record["journal_head"]["hash"].as_str().unwrap(),
        record["journal_head"]["line"]
    );
    assert!(head.ends_with("@2"), "{head}");
    let ok = liftoff(&["audit", "verify", pb, "--expect-head", &head]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));

    // Cut the last line (the captain's ACK): the chain alone is still intact.
    let path = journal_path(dir.path());
    let all = std::fs::read_to_string(&path).unwrap();
    let first = all.lines().next().unwrap();
    std::fs::write(&path, format!("{first}\n")).unwrap();
    let plain = liftoff(&["audit", "verify", pb]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));
    let cut = liftoff(&["audit", "verify", pb, "--expect-head", &head]);
    let t = text(&cut);
    assert_eq!(cut.status.code(), Some(1), "{t}");
    assert!(t.contains("CUT") && t.contains(&head), "{t}");
    let bad = liftoff(&["audit", "verify", pb, "--expect-head", "nothex@1"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

#[test]
fn a_keyed_chain_detects_forged_appends_and_re_chaining() {
    let dir = tempfile::tempdir().unwrap();
    let pb = gate_playbook(dir.path(), &format!("journal_hmac_key_env = \"{KEY_ENV}\""));
    let pb = pb.to_str().unwrap();
    let key = [(KEY_ENV, "correct horse battery staple")];
    let ack = liftoff_env(&["ack", pb, "--role", "oncall", "--as", "olu"], &key);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
    let verify = liftoff_env(&["audit", "verify", pb], &key);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(
        text(&verify).contains("every line's MAC checked"),
        "{}",
        text(&verify)
    );

    // Without the key nothing is written, and verify says what it could not check.
    let refused = liftoff(&["ack", pb, "--role", "captain", "--as", "olu"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains(KEY_ENV), "{}", text(&refused));
    let blind = liftoff(&["audit", "verify", pb]);
    assert!(
        text(&blind).contains("MACs NOT CHECKED"),
        "{}",
        text(&blind)
    );

    // A forger who can write the file appends a perfectly chained ACK.
    let path = journal_path(dir.path());
    let first = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(first.trim_end()).unwrap();
    let (_, forged) = line(
        2,
        Utc::now(),
        &ack_event("captain", "mallory"),
        v["hash"].as_str().unwrap(),
    );
    std::fs::write(&path, [first.as_bytes(), &forged].concat()).unwrap();
    let caught = liftoff_env(&["audit", "verify", pb], &key);
    let t = text(&caught);
    assert_eq!(caught.status.code(), Some(1), "{t}");
    assert!(t.contains("BROKEN at line 2") && t.contains("MAC"), "{t}");
    let check = liftoff_env(&["check", pb], &key);
    assert_eq!(
        check.status.code(),
        Some(1),
        "the forged ACK counted: {}",
        text(&check)
    );
    // Unkeyed, the same file verifies: that is all an unkeyed chain proves.
    let unkeyed = gate_playbook(dir.path(), "");
    let plain = liftoff(&["audit", "verify", unkeyed.to_str().unwrap()]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));

    // Re-chained from scratch (line 1 rewritten with its hashes recomputed).
    let pb = gate_playbook(dir.path(), &format!("journal_hmac_key_env = \"{KEY_ENV}\""));
    let (_, rewritten) = line(1, Utc::now(), &ack_event("captain", "mallory"), GENESIS);
    std::fs::write(&path, rewritten).unwrap();
    let caught = liftoff_env(&["audit", "verify", pb.to_str().unwrap()], &key);
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
}
