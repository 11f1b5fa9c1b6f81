//! Seed 000 end to end: `assets/playbooks/rl-policy.toml`, changed only in its
//! URLs, run by the real `liftoff` binary against a world the test controls:
//! a real Prometheus scraping three exporters (policy-exporter, prober,
//! cost-monitor) with last week's cost backfilled, a real Alertmanager, the
//! team's Makefile and `scripts/go_nogo_check.py` run as child processes, and
//! evidence folders with set modification times (tests/fixtures/rl_policy/).
//!
//! One world for the whole file: each case toggles one condition, awaits its
//! effect, runs the binary, and puts the world back.

use crate::support;
use crate::support::rl_policy_world as world;

use liftoff::act::{stage, ActContext};
use liftoff::expr::bind::Surroundings;
use liftoff::guard::{judge_trip, stale_after, Trip};
use liftoff::journal::Actor;
use liftoff::source::poll::{poll_all, PollContext};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use support::file_exporter::replace;
use support::net::{get, wait_until};
use world::{resolve, run, World};

/// The three roles of the human review and who holds them.
const ACKS: [(&str, &str); 3] = [
    ("captain", "alice"),
    ("oncall", "bob"),
    ("techlead", "carol"),
];

fn criteria(report: &Value) -> &Vec<Value> {
    report["criteria"].as_array().expect("criteria list")
}

fn criterion<'a>(report: &'a Value, id: &str) -> &'a Value {
    criteria(report)
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no criterion {id}"))
}

/// Criteria that are not PASS, as "id STATUS: reason", for failure messages.
fn not_passing(report: &Value) -> Vec<String> {
    criteria(report)
        .iter()
        .filter(|c| c["status"] != "PASS")
        .map(|c| format!("{} {}: {}", c["id"], c["status"], c["evidence"]["reason"]))
        .collect()
}

/// The holds as (kind, id).
fn holds(report: &Value) -> BTreeSet<(String, String)> {
    report["holds"]
        .as_array()
        .expect("holds list")
        .iter()
        .map(|h| {
            let s = |k: &str| h[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("id"))
        })
        .collect()
}

fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(k, i)| (k.to_string(), i.to_string()))
        .collect()
}

/// Every role of the review, as the holds name a missing ACK.
fn missing_acks() -> BTreeSet<(String, String)> {
    ACKS.iter()
        .map(|(role, _)| ("ack".to_string(), role.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_playbook_against_a_real_world() {
    let mut w = World::build().await;
    let validate = w.liftoff("validate", &[]).await;
    assert_eq!(validate.code, 0, "{}", validate.all());

    // An item that names a role is ticked by someone holding that role's
    // ACK: before the ACKs, the tick is refused (exit 2) and writes nothing.
    let refused = w
        .liftoff("tick", &["--item", "ops_bot", "--as", "bob"])
        .await;
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(
        refused.all().contains("bob holds no valid ACK as oncall"),
        "{}",
        refused.all()
    );
    let out = w
        .liftoff("tick", &["--item", "runbooks", "--as", "carol"])
        .await;
    assert_eq!(out.code, 0, "tick runbooks: {}", out.all());

    // No ACK yet: the roles hold it (with the items only their holders tick).
    let (code, report) = w.check_json().await;
    assert_eq!(code, 1);
    assert_eq!(report["decision"], "NO-GO");
    let held = holds(&report);
    for m in missing_acks() {
        assert!(held.contains(&m), "{m:?} in {held:?}");
    }
    let text = w.liftoff("check", &[]).await;
    assert_eq!(text.code, 1, "{}", text.all());
    for (role, _) in ACKS {
        assert!(
            text.stdout.contains(&format!("- ACK {role}")),
            "{}",
            text.stdout
        );
    }

    for (role, by) in ACKS {
        let out = w.liftoff("ack", &["--role", role, "--as", by]).await;
        assert_eq!(out.code, 0, "ack {role}: {}", out.all());
    }
    // The manual items are ticked by the people who did them.
    for (item, by) in [("ops_bot", "bob"), ("rollback_validated", "alice")] {
        let out = w.liftoff("tick", &["--item", item, "--as", by]).await;
        assert_eq!(out.code, 0, "tick {item}: {}", out.all());
    }
    healthy_world_is_go(&w).await;
    rollback_triggers_are_quiet_and_answer(&w).await;

    entropy_below_the_floor_fails_with_its_runbook(&w).await;
    budget_exhausted_seen_through_prometheus_blocks(&w).await;
    secrets_in_the_security_scan_block(&w).await;
    a_page_alert_blocks(&w).await;
    prometheus_down_is_unknown_and_no_go(&mut w).await;
    kill_switch_reverts_to_zero_and_is_verified(&w).await;
}

async fn healthy_world_is_go(w: &World) {
    let text = w.liftoff("check", &[]).await;
    assert_eq!(text.code, 0, "{}", text.all());
    assert!(text.stdout.contains("DECISION: GO"), "{}", text.stdout);

    let (code, report) = w.check_json().await;
    assert_eq!(code, 0);
    assert_eq!(report["decision"], "GO");
    assert_eq!(not_passing(&report), Vec::<String>::new());
    assert_eq!(
        criteria(&report).len(),
        30,
        "every check of the playbook is reported"
    );
    // The evidence is what the world serves.
    for (id, value) in [
        ("entropy", "0.93"),
        ("monitoring-up", "3/3 up"),
        ("nogo-cost-spike", "1.2"),
        ("validation-two-48h-pass", "latest PASS"),
        ("validation-fresh", "newest 2h old"),
        ("validation-no-failures-72h", "0 failed in 72h"),
        ("kill-switch-tested", "PASS, 5h old"),
        ("nogo-secrets", "secrets found: 0"),
        ("security-scan", "PASS, secrets 0, deps low"),
        ("go-nogo-script", "GO"),
        ("ops-bot-tested", "ticked by bob"),
    ] {
        assert_eq!(criterion(&report, id)["evidence"]["value"], value, "{id}");
    }

    let out_dir = w.path("artifacts/audit");
    let out = w
        .liftoff("check", &["--out", out_dir.to_str().expect("utf-8 path")])
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let records: Vec<PathBuf> = std::fs::read_dir(&out_dir)
        .expect("audit dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_go_nogo.json"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    let record: Value =
        serde_json::from_slice(&std::fs::read(&records[0]).expect("read record")).expect("JSON");
    assert_eq!(record["decision"], "GO");
    assert_eq!(record["playbook"]["name"], "rl-policy live ramp");
    let sha = hex::encode(Sha256::digest(
        std::fs::read(&w.playbook).expect("playbook"),
    ));
    assert_eq!(record["playbook"]["sha256"], sha.as_str());
    assert_eq!(record["liftoff_version"], env!("CARGO_PKG_VERSION"));
    assert!(!record["host"].as_str().unwrap_or_default().is_empty());
    let at = record["generated_at"].as_str().unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(at).is_ok(),
        "time {at}"
    );
    assert_eq!(criteria(&record).len(), 30);
    for c in criteria(&record) {
        assert_eq!(c["status"], "PASS", "{c}");
        let ev = &c["evidence"];
        assert!(ev["value"].is_string() && ev["source"].is_string(), "{c}");
        assert_eq!(ev["reason"], "pass condition holds", "{c}");
    }
}

/// Every guard's trip condition gets an answer from the world (no UNKNOWN:
/// each query and series exists) and none trips while the world is healthy.
async fn rollback_triggers_are_quiet_and_answer(w: &World) {
    let pb = liftoff::playbook::load(&w.playbook).expect("load playbook");
    let observations = poll_all(&PollContext::new(pb.base_dir()), &pb).await;
    let now = chrono::Utc::now();
    assert_eq!(pb.guards.len(), 6);
    for g in &pb.guards {
        let spec = &pb.sources[&g.spec.source];
        let obs = observations.get(&g.spec.source);
        let reading = judge_trip(g, obs, now, &Surroundings::default(), stale_after(spec));
        assert_eq!(
            reading.trip,
            Trip::Clear,
            "guard {}: {reading:?}",
            g.spec.id
        );
    }
}

async fn entropy_below_the_floor_fails_with_its_runbook(w: &World) {
    w.policy.set("policy.prom", "rl_policy_entropy", 0.85);
    let text = w.liftoff("check", &[]).await;
    assert_eq!(text.code, 1, "{}", text.all());
    assert!(
        text.stdout
            .contains("FAIL    Policy entropy >= 0.9 (sufficient exploration): 0.85"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("runbook: Entropy low: hold the ramp, page the policy owner"),
        "{}",
        text.stdout
    );
    let (_, report) = w.check_json().await;
    assert_eq!(holds(&report), set(&[("check", "entropy")]));
    w.policy.set("policy.prom", "rl_policy_entropy", 0.93);
}

async fn budget_exhausted_seen_through_prometheus_blocks(w: &World) {
    let q = "slo:error_budget_burn:ratio_mtd";
    w.prober.set("prober.prom", q, 1.05);
    w.prom.wait_value(q, 1.05).await;
    let (code, report) = w.check_json().await;
    assert_eq!(code, 1);
    assert_eq!(
        holds(&report),
        set(&[
            ("blocker", "nogo-budget-exhausted"),
            ("check", "error-budget-burn")
        ])
    );
    w.prober.set("prober.prom", q, 0.12);
    w.prom.wait_value(q, 0.12).await;
}

async fn secrets_in_the_security_scan_block(w: &World) {
    let leak = w.path("artifacts/security/scan-2.json");
    replace(
        &leak,
        r#"{"status": "FAIL", "secrets_found": 2, "dependency_risk": "low"}"#,
    );
    let (code, report) = w.check_json().await;
    assert_eq!(code, 1);
    assert_eq!(
        holds(&report),
        set(&[
            ("blocker", "nogo-secrets"),
            ("check", "security-scan"),
            ("check", "go-nogo-script"),
        ]),
        "{:?}",
        not_passing(&report)
    );
    assert_eq!(
        criterion(&report, "nogo-secrets")["evidence"]["value"],
        "secrets found: 2"
    );
    std::fs::remove_file(&leak).expect("remove the leaking scan");
}

async fn a_page_alert_blocks(w: &World) {
    let labels = [("alertname", "PolicyHeartbeatStale"), ("severity", "page")];
    w.am.post_alert(&labels, &[("summary", "heartbeat 5m old")])
        .await;
    let pages = format!("{}/api/v2/alerts?filter=severity%3D%22page%22", w.am.url());
    wait_until(Duration::from_secs(10), "the page listed", || async {
        get(&pages)
            .await
            .is_ok_and(|(_, b)| b.contains("PolicyHeartbeatStale"))
    })
    .await;
    let text = w.liftoff("check", &[]).await;
    assert_eq!(text.code, 1, "{}", text.all());
    assert!(
        text.stdout.contains("- blocker nogo-active-pages FAIL"),
        "{}",
        text.stdout
    );
    let (_, report) = w.check_json().await;
    assert_eq!(holds(&report), set(&[("blocker", "nogo-active-pages")]));
    assert_eq!(
        criterion(&report, "nogo-active-pages")["evidence"]["value"],
        "1 alert: PolicyHeartbeatStale"
    );
    resolve(&w.am, &labels).await;
    wait_until(Duration::from_secs(10), "the page resolved", || async {
        get(&pages).await.is_ok_and(|(_, b)| b.trim() == "[]")
    })
    .await;
}

async fn prometheus_down_is_unknown_and_no_go(w: &mut World) {
    w.prom.stop();
    let text = w.liftoff("check", &[]).await;
    assert_eq!(text.code, 1, "{}", text.all());
    assert!(text.stdout.contains("cannot connect"), "{}", text.stdout);
    let (_, report) = w.check_json().await;
    let pb = liftoff::playbook::load(&w.playbook).expect("load playbook");
    let on_prom: BTreeSet<&str> = pb
        .playbook
        .checks
        .iter()
        .filter(|c| c.source == "prom")
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(on_prom.len(), 9, "{on_prom:?}");
    for c in criteria(&report) {
        let id = c["id"].as_str().unwrap_or_default();
        if on_prom.contains(id) {
            assert_eq!(c["status"], "UNKNOWN", "{c}");
            let why = c["evidence"]["reason"].as_str().unwrap_or_default();
            assert!(why.contains("cannot connect"), "{id}: {why}");
        } else {
            assert_eq!(c["status"], "PASS", "only Prometheus is down: {c}");
        }
    }
    let held = holds(&report);
    assert!(
        held.contains(&("blocker".into(), "nogo-cost-spike".into())),
        "{held:?}"
    );
    assert!(
        held.contains(&("check".into(), "monitoring-up".into())),
        "{held:?}"
    );
    assert_eq!(held.len(), on_prom.len());
}

async fn kill_switch_reverts_to_zero_and_is_verified(w: &World) {
    // Enter the 10% stage as the cockpit does (`make influence-set PCT=10`,
    // read back from the exporter), so the kill's readback has something to prove.
    let pb = Arc::new(liftoff::playbook::load(&w.playbook).expect("load playbook"));
    let journal = liftoff::journal::open(&pb.journal_config()).expect("journal");
    let ctx = ActContext::new(pb.clone(), journal, Actor::here(Some("alice")));
    let ten = stage::enter(ctx, 1, false).await.expect("stage 10% exists");
    assert!(ten.entered, "{:?}", ten.fired);
    assert!(w.policy.page().contains("rl_influence_percent 10\n"));

    let out = w
        .liftoff(
            "kill",
            &["--as", "alice", "--reason", "entropy below floor"],
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("HALTED: verified by the readback"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("readback passed"), "{}", out.stdout);
    assert!(out.stdout.contains(", value 0\n"), "{}", out.stdout);
    assert!(w.policy.page().contains("rl_influence_percent 0\n"));

    let status = w.liftoff("status", &[]).await;
    assert_eq!(status.code, 0, "{}", status.all());
    assert!(
        status.stdout.contains("kill:    HALTED"),
        "{}",
        status.stdout
    );
    let kinds: Vec<String> = liftoff::journal::open(&pb.journal_config())
        .and_then(|j| j.read_all())
        .expect("read journal")
        .events
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.ends_with(&[
            "stage_entered".into(),
            "kill_fired".into(),
            "kill_verified".into()
        ]),
        "{kinds:?}"
    );
    let pb = w.playbook.display().to_string();
    let args = ["audit".to_string(), "verify".to_string(), pb];
    let audit = run(env!("CARGO_BIN_EXE_liftoff"), &args, w.dir.path()).await;
    assert_eq!(audit.code, 0, "the journal's chain: {}", audit.all());
}
