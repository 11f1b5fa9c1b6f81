//! End to end against the real Prometheus and Alertmanager binaries: the
//! world changes (a metric, an alert, a silence, a stopped server) and the
//! verdicts and the gate follow, through the library and through `liftoff check`.

use crate::support;

use liftoff::engine::gate::HoldKind;
use liftoff::engine::{Decision, Status};
use liftoff::source::Payload;
use std::time::Duration;
use support::alertmanager::Alertmanager;
use support::exporter::Exporter;
use support::net::wait_for;
use support::playbook::{self, evaluate, run_check};
use support::prometheus::Prometheus;

const WAIT: Duration = Duration::from_secs(30);

const RULES: &str = r#"groups:
  - name: liftoff-test
    rules:
      - alert: PolicyEntropyLow
        expr: policy_entropy < 0.8
        labels:
          severity: page
        annotations:
          summary: "policy entropy is {{ $value }}"
"#;

fn entropy_playbook(prom: &str, exporter: &str) -> String {
    format!(
        r#"
[release]
name = "rl-policy v42"

[source.prom]
kind = "prometheus"
url = "{prom}"
timeout = "2s"

[source.policy]
kind = "scrape"
url = "{exporter}"
timeout = "2s"

[[check]]
id = "entropy"
section = "6. Policy Health"
title = "Policy entropy >= 0.9 (Prometheus)"
source = "prom"
query = "policy_entropy"
pass = "value >= 0.9"
runbook = "Entropy low: hold the ramp, page the policy owner"

[[check]]
id = "entropy-direct"
title = "Policy entropy >= 0.9 (exporter)"
source = "policy"
query = "policy_entropy"
pass = "value >= 0.9"

[[check]]
id = "entropy-scalar"
title = "Policy entropy as a scalar"
source = "prom"
query = "scalar(policy_entropy)"
pass = "value >= 0.9"

[[check]]
id = "entropy-range"
title = "A range query cannot be judged"
source = "prom"
query = "policy_entropy[1m]"
pass = "value >= 0.9"
required = false

[[check]]
id = "influence"
title = "RL influence is 10% in prod"
source = "policy"
query = 'rl_influence_percent{{env="prod"}}'
pass = "value == 10.0"
"#
    )
}

fn pages_playbook(am: &str) -> String {
    format!(
        r#"
[release]
name = "rl-policy v42"

[source.pages]
kind = "alertmanager"
url = "{am}"
matchers = ["severity=page", 'alertname=~"Policy.*|Disk.*"']
timeout = "2s"

[[check]]
id = "no-pages"
section = "0. Red list"
title = "No page-level alert firing"
source = "pages"
pass = "alerts.size() == 0"
blocker = true
runbook = "A page is firing: stop, read the alert, fix or silence it with a reason"
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metric_crossing_its_threshold_turns_pass_into_fail() {
    let exporter = Exporter::start(&[
        ("policy_entropy", 0.95),
        ("rl_influence_percent{env=\"prod\"}", 10.0),
        ("rl_influence_percent{env=\"dev\"}", 50.0),
    ]);
    let prom = Prometheus::start("policy", &exporter.target(), None, "").await;
    prom.wait_scraped().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook::load(dir.path(), &entropy_playbook(&prom.url(), &exporter.url()));

    let before = evaluate(&pb).await;
    for check in ["entropy", "entropy-direct", "influence"] {
        assert_eq!(before.status(check), Status::Pass, "{}", before.summary());
    }
    assert_eq!(
        before.status("entropy-scalar"),
        Status::Pass,
        "{}",
        before.summary()
    );
    // A query Prometheus answers with a matrix fails alone, and says why.
    assert_eq!(before.status("entropy-range"), Status::Unknown);
    assert!(
        before.reason("entropy-range").contains("range vector"),
        "{}",
        before.summary()
    );
    assert_eq!(before.gate.decision, Decision::Go, "{:?}", before.gate);
    assert_eq!(
        before.verdict("entropy").evidence.value.as_deref(),
        Some("0.95")
    );

    exporter.set("policy_entropy", 0.5);
    // The exporter is read directly: the very next poll sees the drop.
    let direct = evaluate(&pb).await;
    assert_eq!(
        direct.status("entropy-direct"),
        Status::Fail,
        "{}",
        direct.summary()
    );
    // Prometheus sees it at its next scrape (1s): await that, then judge.
    let after = wait_for(WAIT, "the prometheus check to turn FAIL", || async {
        let e = evaluate(&pb).await;
        match e.status("entropy") {
            Status::Fail => Ok(e),
            other => Err(format!("{other:?}: {}", e.summary())),
        }
    })
    .await;
    let v = after.verdict("entropy");
    assert_eq!(v.evidence.value.as_deref(), Some("0.5"));
    assert_eq!(v.evidence.origin.as_deref(), Some(prom.url().as_str()));
    assert_eq!(
        after.status("influence"),
        Status::Pass,
        "{}",
        after.summary()
    );
    assert_eq!(after.gate.decision, Decision::NoGo);
    assert!(
        after.gate.holds.iter().any(|h| h.id == "entropy"),
        "{:?}",
        after.gate.holds
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_stopped_is_unknown_and_the_binary_says_no_go() {
    let exporter = Exporter::start(&[
        ("policy_entropy", 0.95),
        ("rl_influence_percent{env=\"prod\"}", 10.0),
    ]);
    let mut prom = Prometheus::start("policy", &exporter.target(), None, "").await;
    prom.wait_scraped().await;
    let dir = tempfile::tempdir().unwrap();
    let path = playbook::write(dir.path(), &entropy_playbook(&prom.url(), &exporter.url()));

    let go = run_check(&path).await;
    assert_eq!(go.code, 0, "expected GO:\n{}\n{}", go.stdout, go.stderr);
    assert!(go.stdout.contains("GO"), "{}", go.stdout);

    prom.stop();
    let nogo = run_check(&path).await;
    assert_eq!(
        nogo.code, 1,
        "expected NO-GO:\n{}\n{}",
        nogo.stdout, nogo.stderr
    );
    let out = &nogo.stdout;
    assert!(out.contains("NO-GO"), "{out}");
    assert!(out.contains("UNKNOWN"), "{out}");
    assert!(
        out.contains("cannot connect"),
        "evidence should say why: {out}"
    );
    assert!(
        out.contains(&prom.url()),
        "evidence should say from where: {out}"
    );
    assert!(
        out.contains("Entropy low: hold the ramp"),
        "runbook line: {out}"
    );
    // The exporter still answers: only the Prometheus check is held back.
    let line = out
        .lines()
        .find(|l| l.contains("(exporter)"))
        .unwrap_or_default();
    assert!(line.contains("PASS"), "{out}");
    // Only the required checks that cannot be judged hold the gate.
    assert!(out.contains("check entropy UNKNOWN"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_alert_is_a_blocker_until_silenced() {
    let am = Alertmanager::start().await;
    let dir = tempfile::tempdir().unwrap();
    let text = pages_playbook(&am.url());
    let pb = playbook::load(dir.path(), &text);

    let quiet = evaluate(&pb).await;
    assert_eq!(
        quiet.status("no-pages"),
        Status::Pass,
        "{}",
        quiet.summary()
    );
    assert_eq!(quiet.gate.decision, Decision::Go);

    // A warning is not a page: the matcher leaves it out.
    am.post_alert(&[("alertname", "SlowDisk"), ("severity", "warning")], &[])
        .await;
    wait_for(WAIT, "Alertmanager to hold the warning", || async {
        let (_, body) = support::net::get(&format!("{}/api/v2/alerts", am.url())).await?;
        body.contains("SlowDisk").then_some(()).ok_or(body)
    })
    .await;
    let warned = evaluate(&pb).await;
    assert_eq!(
        warned.status("no-pages"),
        Status::Pass,
        "{}",
        warned.summary()
    );

    am.post_alert(
        &[("alertname", "PolicyEntropyLow"), ("severity", "page")],
        &[("summary", "entropy 0.5")],
    )
    .await;
    let paged = wait_for(WAIT, "the page to block the gate", || async {
        let e = evaluate(&pb).await;
        match e.status("no-pages") {
            Status::Fail => Ok(e),
            other => Err(format!("{other:?}: {}", e.summary())),
        }
    })
    .await;
    assert_eq!(paged.gate.decision, Decision::NoGo);
    let hold = &paged.gate.holds[0];
    assert_eq!(
        (hold.kind, hold.id.as_str()),
        (HoldKind::Blocker, "no-pages")
    );
    let value = paged
        .verdict("no-pages")
        .evidence
        .value
        .clone()
        .unwrap_or_default();
    assert!(value.contains("PolicyEntropyLow"), "{value}");
    let Some(Ok(Payload::Alerts { alerts })) =
        paged.observations.get("pages").map(|o| o.outcome.clone())
    else {
        panic!("no alerts payload");
    };
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].annotations["summary"], "entropy 0.5");
    assert_eq!(alerts[0].state, "active");
    assert!(alerts[0].starts_at.is_some());

    // The binary agrees: exit 1, the blocker named.
    let path = playbook::write(dir.path(), &text);
    let run = run_check(&path).await;
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("[blocker]") && run.stdout.contains("PolicyEntropyLow"),
        "{}",
        run.stdout
    );

    am.silence(&[("alertname", "PolicyEntropyLow")]).await;
    let silenced = wait_for(WAIT, "the silence to clear the gate", || async {
        let e = evaluate(&pb).await;
        match e.gate.decision {
            Decision::Go => Ok(e),
            other => Err(format!("{other:?}: {}", e.summary())),
        }
    })
    .await;
    assert_eq!(silenced.status("no-pages"), Status::Pass);
    let run = run_check(&path).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_alerting_rule_fires_into_alertmanager() {
    let exporter = Exporter::start(&[("policy_entropy", 0.95)]);
    let am = Alertmanager::start().await;
    let prom = Prometheus::start("policy", &exporter.target(), Some(&am.target()), RULES).await;
    prom.wait_scraped().await;
    let dir = tempfile::tempdir().unwrap();
    let pb = playbook::load(dir.path(), &pages_playbook(&am.url()));

    let calm = evaluate(&pb).await;
    assert_eq!(calm.status("no-pages"), Status::Pass, "{}", calm.summary());

    exporter.set("policy_entropy", 0.5);
    let fired = wait_for(
        WAIT,
        "Prometheus's rule to fire into Alertmanager",
        || async {
            let e = evaluate(&pb).await;
            match e.status("no-pages") {
                Status::Fail => Ok(e),
                other => Err(format!("{other:?}: {}", e.summary())),
            }
        },
    )
    .await;
    assert_eq!(fired.gate.decision, Decision::NoGo);
    let Some(Ok(Payload::Alerts { alerts })) =
        fired.observations.get("pages").map(|o| o.outcome.clone())
    else {
        panic!("no alerts payload");
    };
    assert_eq!(alerts[0].labels["alertname"], "PolicyEntropyLow");
    assert_eq!(alerts[0].labels["job"], "policy");
    assert_eq!(alerts[0].annotations["summary"], "policy entropy is 0.5");

    // Recovery: Prometheus resolves the alert, Alertmanager drops it, GO again.
    exporter.set("policy_entropy", 0.95);
    wait_for(WAIT, "the resolved alert to leave the gate", || async {
        let e = evaluate(&pb).await;
        match e.gate.decision {
            Decision::Go => Ok(()),
            other => Err(format!("{other:?}: {}", e.summary())),
        }
    })
    .await;
}
