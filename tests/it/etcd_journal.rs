//! The journal on a real etcd (Debian's `etcd-server`), as a war room spread
//! over machines uses it: many `liftoff ack` processes racing for the chain
//! head, a cluster member dying mid-run, etcd gone while the kill switch must
//! still fire, and etcd behind TLS with a password by reference.
#![cfg(feature = "etcd")]

use crate::support;

use liftoff::journal::{self, Health};
use std::path::Path;
use std::time::Duration;
use support::etcd::{Certs, Etcd};
use support::journal_cli::*;
use support::net::wait_for;

fn ack_all(playbook: &Path, writer: usize, count: usize) -> usize {
    let pb = playbook.to_str().unwrap();
    let mut refused = 0;
    for i in 0..count {
        let role = if i % 2 == 0 { "captain" } else { "oncall" };
        let (name, comment) = (format!("writer{writer}"), format!("w{writer}-{i}"));
        let mut tries = 0;
        loop {
            let out = liftoff(&[
                "ack",
                pb,
                "--role",
                role,
                "--as",
                &name,
                "--comment",
                &comment,
            ]);
            if out.status.success() {
                break;
            }
            tries += 1;
            refused += 1;
            eprintln!(
                "ack {comment} refused, giving it again: {}",
                text(&out).trim()
            );
            assert!(tries < 20, "ack {comment} refused 20 times: {}", text(&out));
        }
    }
    refused
}

/// Takes events from a follower until `n` arrived.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_times_two_hundred_acks_make_one_linear_chain() {
    const WRITERS: usize = 3;
    const EACH: usize = 200;
    let etcd = Etcd::single().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), &etcd.endpoints(), "liftoff/race", "");
    let journal = open(&pb);
    let mut follower = journal.follow(Default::default()).unwrap();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let pb = pb.clone();
            std::thread::spawn(move || ack_all(&pb, w, EACH))
        })
        .collect();
    let seen = collect(&mut follower, WRITERS * EACH, Duration::from_secs(240)).await;
    for w in writers {
        assert_eq!(w.join().unwrap(), 0, "an ACK was refused with etcd up");
    }

    // The follower saw one linear chain, every ACK exactly once, in order.
    assert_linear(&seen);
    let count = comments(&seen);
    assert_eq!(count.len(), WRITERS * EACH);
    assert!(count.values().all(|n| *n == 1), "an ACK went in twice");
    let all = journal.read_all().unwrap();
    assert_eq!(all.events, seen, "the follower and a reader disagree");
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);

    let verify = liftoff(&["audit", "verify", pb.to_str().unwrap()]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(
        text(&verify).contains("intact: 600 lines"),
        "{}",
        text(&verify)
    );

    // The export is the etcd values byte for byte, and a file journal that verifies.
    let export = dir.path().join("export.jsonl");
    let out = liftoff(&[
        "audit",
        "export",
        pb.to_str().unwrap(),
        "--to",
        export.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let bytes = std::fs::read(&export).unwrap();
    assert_eq!(bytes, etcd.get_prefix_values("/liftoff/race/events/"));
    let as_file = journal::FileJournal::new(&export);
    use journal::Journal;
    assert!(as_file.verify().unwrap().is_intact());
    assert_eq!(as_file.read_all().unwrap().events, seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_killed_mid_run_loses_nothing_and_the_follower_carries_on() {
    const WRITERS: usize = 2;
    const EACH: usize = 100;
    let mut etcd = Etcd::cluster(3).await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), &etcd.endpoints(), "liftoff/cluster", "");
    let journal = open(&pb);
    let mut follower = journal.follow(Default::default()).unwrap();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let pb = pb.clone();
            std::thread::spawn(move || ack_all(&pb, w, EACH))
        })
        .collect();
    // Mid-run, the leader dies (the hardest member to lose: an election follows).
    let mut seen = collect(&mut follower, 60, Duration::from_secs(120)).await;
    let victim = etcd.leader_index().unwrap_or(0);
    etcd.kill(victim);
    let before_kill = seen.len();

    let mut refused = 0;
    for w in writers {
        refused += w.join().unwrap();
    }
    // Every ACK went in (a refused one was given again); an ACK whose answer was
    // lost in the election may have gone in too, so count at least once.
    let all = journal.read_all().unwrap();
    eprintln!(
        "member m{victim} killed after {before_kill} events; {refused} ACKs refused and given again; {} events",
        all.events.len()
    );
    let count = comments(&all.events);
    assert_eq!(count.len(), WRITERS * EACH, "an ACK is missing");
    assert!(
        count.values().all(|n| *n >= 1 && *n <= 1 + refused),
        "duplicates beyond the refused ACKs"
    );
    assert_linear(&all.events);

    // The follower carried on through the member's death: it has all of them.
    let rest = all.events.len() - seen.len();
    seen.extend(collect(&mut follower, rest, Duration::from_secs(60)).await);
    assert_eq!(seen, all.events);
    assert!(seen.len() > before_kill);
    wait_for(Duration::from_secs(30), "the journal healthy", || {
        let h = journal.health();
        async move { h.is_ok().then_some(()).ok_or(format!("{h:?}")) }
    })
    .await;

    let verify = liftoff(&["audit", "verify", pb.to_str().unwrap()]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
}

const KILL_SWITCH: &str = r#"
[source.halted]
kind = "command"
run = ["cat", "halted.flag"]
timeout = "2s"

[kill_switch]
actions = [{ kind = "command", run = ["sh", "-c", "echo HALTED > halted.flag"] }]
verify = { source = "halted", pass = "exit_code == 0 && stdout.startsWith(\"HALTED\")", timeout = "10s" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etcd_down_refuses_acks_but_the_kill_switch_verifies_and_is_journaled_on_return() {
    let mut etcd = Etcd::single().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook(dir.path(), &etcd.endpoints(), "liftoff/outage", KILL_SWITCH);
    let pbs = pb.to_str().unwrap();
    let ack = liftoff(&["ack", pbs, "--role", "captain", "--as", "ana"]);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));

    etcd.kill(0);

    // An ACK is refused, loudly, naming the journal.
    let ack = liftoff(&["ack", pbs, "--role", "oncall", "--as", "bob"]);
    assert_ne!(ack.status.code(), Some(0), "{}", text(&ack));
    let t = text(&ack);
    assert!(t.contains("ACK NOT recorded"), "{t}");
    assert!(t.contains("unreachable"), "{t}");
    assert!(t.contains(&etcd.members[0].endpoint()), "{t}");

    // A cockpit open meanwhile: the status line learns at once that etcd is gone.
    let cockpit = open(&pb);
    let mut follower = cockpit.follow(Default::default()).unwrap();
    wait_for(Duration::from_secs(20), "health says unreachable", || {
        let h = cockpit.health();
        async move {
            match h {
                Health::Unreachable { .. } => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }
    })
    .await;

    // The kill switch fires and verifies without etcd; its records wait locally.
    let kill = liftoff(&["kill", pbs, "--as", "ana", "--reason", "outage drill"]);
    let t = text(&kill);
    assert_eq!(kill.status.code(), Some(0), "{t}");
    assert!(t.contains("HALTED: verified by the readback"), "{t}");
    assert!(t.contains("kill_fired kept in"), "{t}");
    let spool = dir.path().join("artifacts/audit/journal.spool.jsonl");
    let kept = std::fs::read_to_string(&spool).unwrap();
    assert_eq!(kept.lines().count(), 2, "{kept}");

    // etcd returns: the cockpit's follower comes back and writes the kept records.
    etcd.restart(0).await;
    let seen = collect(&mut follower, 3, Duration::from_secs(60)).await;
    assert_eq!(seen[0].kind, "ack");
    let kinds: Vec<&str> = seen[1..].iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["kill_fired", "kill_verified"]);
    for e in &seen[1..] {
        assert_eq!(e.payload["delayed"], true, "{e:?}");
        assert!(e.payload["kept_at"].is_string(), "{e:?}");
        assert!(e.payload["kept_because"]
            .as_str()
            .unwrap()
            .contains("unreachable"));
    }
    assert_eq!(seen[1].payload["reason"], "outage drill");
    assert!(cockpit.health().is_ok());

    // In etcd itself, not just in our reader.
    let values = String::from_utf8(etcd.get_prefix_values("/liftoff/outage/events/")).unwrap();
    assert_eq!(values.lines().count(), 3, "{values}");
    assert!(values.contains("\"kind\":\"kill_verified\""), "{values}");
    assert!(values.contains("\"delayed\":true"), "{values}");
    wait_for(Duration::from_secs(10), "the spool emptied", || {
        let left = std::fs::read_to_string(&spool).unwrap_or_default();
        async move { left.trim().is_empty().then_some(()).ok_or(left) }
    })
    .await;

    let status = liftoff(&["status", pbs]);
    assert!(
        text(&status).contains("kill:    HALTED"),
        "{}",
        text(&status)
    );
    // Halted when the readback proved it (when its record was kept), not when
    // etcd came back and took the record.
    let status = liftoff(&["status", pbs, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let time =
        |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let halted_at = time(&json["state"]["kill"]["Halted"]["at"]);
    assert_eq!(halted_at, time(&seen[2].payload["kept_at"]), "{json}");
    assert!(halted_at < seen[2].at, "{json}");

    // A flush that wrote the records but died before it rewrote the spool
    // leaves them there: flushed again (by the next reader), they are found
    // already written (by the token they were kept with), not appended twice.
    assert!(kept.lines().all(|l| l.contains("\"token\":")), "{kept}");
    std::fs::write(&spool, &kept).unwrap();
    let status = liftoff(&["status", pbs]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    assert!(
        std::fs::read_to_string(&spool).unwrap().trim().is_empty(),
        "the spool was not emptied"
    );
    let values = String::from_utf8(etcd.get_prefix_values("/liftoff/outage/events/")).unwrap();
    assert_eq!(values.lines().count(), 3, "written twice:\n{values}");
    let verify = liftoff(&["audit", "verify", pbs]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    let ack = liftoff(&["ack", pbs, "--role", "oncall", "--as", "bob"]);
    assert_eq!(ack.status.code(), Some(0), "{}", text(&ack));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_a_password_by_reference_and_a_wrong_one_refused_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    let certs = Certs::generate(dir.path());
    let mut etcd = Etcd::single_tls(&certs).await;
    // A user that may write the release's prefix only, with auth on.
    for args in [
        &["user", "add", "root:root-pw-1234"][..],
        &["role", "add", "liftoff"],
        &[
            "role",
            "grant-permission",
            "liftoff",
            "--prefix=true",
            "readwrite",
            "/liftoff/",
        ],
        &["user", "add", "liftoff:journal-pw-5678"],
        &["user", "grant-role", "liftoff", "liftoff"],
        &["auth", "enable"],
    ] {
        let out = etcd.etcdctl(args);
        assert!(out.status.success(), "etcdctl {args:?}: {}", text(&out));
    }
    etcd.ctl.push("--user=root:root-pw-1234".into());
    let pb = support::playbook::write(
        dir.path(),
        &format!(
            r#"
[release]
name = "tls war room"
journal = "etcds://{}/liftoff/tls"
journal_user_env = "TEST_ETCD_USER"
journal_password_env = "TEST_ETCD_PASSWORD"
journal_ca_file = "ca.pem"

[[role]]
id = "captain"
"#,
            etcd.endpoints()
        ),
    );
    let pbs = pb.to_str().unwrap();
    let ack = |password: &str| {
        liftoff_env(
            &["ack", pbs, "--role", "captain", "--as", "ana"],
            &[
                ("TEST_ETCD_USER", "liftoff"),
                ("TEST_ETCD_PASSWORD", password),
            ],
        )
    };

    let ok = ack("journal-pw-5678");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let values = String::from_utf8(etcd.get_prefix_values("/liftoff/tls/events/")).unwrap();
    assert_eq!(values.lines().count(), 1, "{values}");

    let wrong = ack("not-the-pw-0000");
    let t = text(&wrong);
    assert_ne!(wrong.status.code(), Some(0), "{t}");
    assert!(t.contains("ACK NOT recorded"), "{t}");
    assert!(t.contains("authentication failed"), "{t}");
    assert!(t.contains("journal_password_env"), "{t}");
    assert!(
        !t.contains("not-the-pw-0000") && !t.contains("journal-pw-5678"),
        "{t}"
    );

    let unset = liftoff(&["ack", pbs, "--role", "captain"]);
    let t = text(&unset);
    assert_ne!(unset.status.code(), Some(0), "{t}");
    assert!(
        t.contains("journal_user_env names TEST_ETCD_USER, which is not set"),
        "{t}"
    );

    let verify = liftoff_env(
        &["audit", "verify", pbs],
        &[
            ("TEST_ETCD_USER", "liftoff"),
            ("TEST_ETCD_PASSWORD", "journal-pw-5678"),
        ],
    );
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(text(&verify).contains("etcds://"), "{}", text(&verify));
    etcd.kill(0);
}
