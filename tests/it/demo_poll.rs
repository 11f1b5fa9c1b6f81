//! The demo world reached the way the cockpit reaches it: every source of the
//! demo playbook polled by the product's own clients (`liftoff::source::poll`),
//! every check evaluated by the engine. Needs the real source clients (they
//! replace the `Unsupported` stubs in src/source/).

use liftoff::demo::{DemoOptions, DemoWorld};
use liftoff::engine::{assess, Status};
use liftoff::expr::bind::{bind, Surroundings};
use liftoff::release::ReleaseState;
use liftoff::source::poll::poll_all;
use liftoff::source::{poll, PollContext};
use std::collections::BTreeMap;

async fn start() -> (DemoWorld, liftoff::playbook::LoadedPlaybook, PollContext) {
    let w = DemoWorld::start(DemoOptions {
        speed: 1.0,
        dir: None,
    })
    .await
    .expect("demo world");
    let pb = w.load_playbook().expect("demo playbook loads");
    let ctx = PollContext::new(pb.base_dir());
    (w, pb, ctx)
}

#[tokio::test]
async fn every_demo_source_answers_the_real_clients() {
    let (_w, pb, ctx) = start().await;
    let observations = poll_all(&ctx, &pb).await;
    for (id, obs) in &observations {
        assert!(obs.outcome.is_ok(), "source {id}: {:?}", obs.outcome);
    }
    let now = chrono::Utc::now();
    let verdicts: BTreeMap<String, Status> =
        assess(&pb, &observations, &ReleaseState::default(), now)
            .verdicts
            .into_iter()
            .map(|v| (v.check.clone(), v.status))
            .collect();
    // The opening position of the story (the first 20 simulated seconds).
    let expected = [
        ("validation-history", Status::Warn), // one PASS in 48h; the second lands at T+20s
        ("no-page-alerts", Status::Pass),     // the backfill page is silenced
        ("warnings", Status::Warn),           // the slow-scrape warning
        ("monitoring-up", Status::Pass),
        ("error-budget", Status::Pass),
        ("heartbeat-slo", Status::Pass),
        ("preflight", Status::Pass),
        ("security-scan", Status::Pass),
        ("kill-switch-ready", Status::Pass),
        ("ops-status", Status::Pass),
        ("rollback-plan", Status::Fail), // nobody ticked it yet
        ("entropy", Status::Pass),
        ("q-spread", Status::Pass),
        ("heartbeat", Status::Pass),
    ];
    for (check, status) in expected {
        assert_eq!(
            verdicts.get(check),
            Some(&status),
            "check {check}: {verdicts:?}"
        );
    }
    assert_eq!(verdicts.len(), expected.len());
}

#[tokio::test]
async fn the_kill_switch_readback_proves_the_halt_through_the_scrape_client() {
    let (w, pb, ctx) = start().await;
    let verify = pb.kill_verify.clone().expect("a kill switch");
    let source = &pb.sources[&verify.spec.source];
    let read = |obs: liftoff::source::Observation| {
        let payload = obs.outcome.expect("the exporter answers");
        let vars = bind(
            &payload,
            verify.spec.query.as_deref(),
            chrono::Utc::now(),
            &Surroundings::default(),
        )
        .expect("binds");
        verify.pass.eval_bool(&vars).expect("evaluates")
    };
    let before = poll(&ctx, &verify.spec.source, source, &[]).await;
    assert!(!read(before), "not halted before the kill switch fires");

    let argv = &pb.playbook.kill_switch.as_ref().unwrap().actions[0]
        .table
        .run;
    let status = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(w.dirs.kill_flag().exists());

    let after = poll(&ctx, &verify.spec.source, source, &[]).await;
    assert!(read(after), "the readback proves the halt");
}
