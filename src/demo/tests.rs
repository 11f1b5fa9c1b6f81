//! The demo world's servers speak the real wire formats. These tests talk to
//! them over loopback HTTP with a plain client, as any Prometheus or
//! Alertmanager client would.

use super::*;
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

async fn world(speed: f64) -> DemoWorld {
    DemoWorld::start(DemoOptions { speed, dir: None })
        .await
        .expect("demo world starts")
}

/// Polls `check` until it yields Some or the deadline passes.
async fn wait_until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn get_json(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json body"))
}

fn prom_query_url(w: &DemoWorld, q: &str) -> String {
    let enc: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("{}/api/v1/query?query={enc}", w.endpoints.prometheus)
}

async fn scrape(w: &DemoWorld) -> Vec<crate::source::Sample> {
    let r = reqwest::get(format!("{}/metrics", w.endpoints.exporter))
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], exporter::CONTENT_TYPE);
    let text = r.text().await.unwrap();
    crate::source::exposition::parse(&text).expect("valid exposition")
}

fn metric(s: &crate::source::Sample) -> &str {
    s.labels.get("__name__").map(String::as_str).unwrap_or("")
}

fn gauge(samples: &[crate::source::Sample], name: &str) -> f64 {
    match samples.iter().find(|s| metric(s) == name) {
        Some(s) => s.value,
        None => panic!("{name}: missing"),
    }
}

#[tokio::test]
async fn the_playbook_is_written_with_this_worlds_addresses_and_loads() {
    let w = world(1.0).await;
    let text = std::fs::read_to_string(w.playbook_path()).unwrap();
    for placeholder in [
        "{prom_url}",
        "{alertmanager_url}",
        "{exporter_url}",
        "{ops_url}",
        "{demo_dir}",
    ] {
        assert!(
            !text.contains(placeholder),
            "{placeholder} left in the playbook"
        );
    }
    let pb = w.load_playbook().unwrap_or_else(|e| panic!("{e}"));
    let prom = pb.sources["prom"].http().expect("prometheus speaks http");
    assert_eq!(prom.target.url, w.endpoints.prometheus);
    assert!(pb
        .playbook
        .ramp
        .as_ref()
        .unwrap()
        .set
        .table
        .run
        .contains(&"{percent}".to_string()));
    assert_eq!(pb.audit_dir(), w.dirs.audit());
    let roles: Vec<&str> = pb.playbook.roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(roles, ["captain", "oncall", "techlead"]);
}

#[tokio::test]
async fn prometheus_answers_instant_queries_in_its_json_envelope() {
    let w = world(1.0).await;
    let (status, body) = get_json(&prom_query_url(
        &w,
        r#"avg(policy_entropy{job="rl-policy"})"#,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "success");
    assert_eq!(body["data"]["resultType"], "vector");
    let sample = &body["data"]["result"][0];
    assert_eq!(sample["metric"], serde_json::json!({}));
    assert!(sample["value"][0].is_f64());
    let v: f64 = sample["value"][1].as_str().unwrap().parse().unwrap();
    assert!(
        (0.9..1.0).contains(&v),
        "entropy at the start is healthy: {v}"
    );

    // Form POST, as clients send long queries.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/query", w.endpoints.prometheus))
        .form(&[("query", "up"), ("time", "1700000000.5")])
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let result = body["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 4);
    assert_eq!(result[0]["metric"]["__name__"], "up");
    assert_eq!(result[0]["value"][0], 1700000000.5);

    let (status, body) = get_json(&prom_query_url(&w, "no_such_metric")).await;
    assert_eq!(
        (status, body["data"]["result"].as_array().unwrap().len()),
        (200, 0)
    );

    let (status, body) = get_json(&prom_query_url(&w, "up{")).await;
    assert_eq!(
        (status, &body["status"], &body["errorType"]),
        (400, &"error".into(), &"bad_data".into())
    );

    let (status, body) = get_json(&prom_query_url(&w, "rate(up[5m])")).await;
    assert_eq!((status, &body["errorType"]), (422, &"execution".into()));

    let (status, _) = get_json(&format!("{}/api/v1/query", w.endpoints.prometheus)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_exporter_serves_the_text_exposition_format() {
    let w = world(1.0).await;
    let samples = scrape(&w).await;
    assert!((0.9..1.0).contains(&gauge(&samples, "policy_entropy")));
    assert_eq!(gauge(&samples, "rl_influence_percent"), OPENING_PERCENT);
    assert_eq!(gauge(&samples, "rl_execution_halted"), 0.0);
    assert!(samples
        .iter()
        .any(|s| metric(s) == "policy_decisions_total"));
}

#[tokio::test]
async fn alertmanager_honours_active_silenced_inhibited_and_filter() {
    let w = world(1.0).await;
    let url = |q: &str| format!("{}/api/v2/alerts{q}", w.endpoints.alertmanager);
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["labels"]["alertname"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, all) = get_json(&url("")).await;
    assert_eq!(status, 200);
    assert_eq!(
        names(&all),
        ["ExporterScrapeSlow", "NightlyBackfillLagging"]
    );
    let silenced = &all[1];
    assert_eq!(silenced["status"]["state"], "suppressed");
    assert_eq!(
        silenced["status"]["silencedBy"][0],
        "7d2e61f0-demo-release-window"
    );
    for key in [
        "annotations",
        "startsAt",
        "endsAt",
        "updatedAt",
        "fingerprint",
        "receivers",
        "generatorURL",
    ] {
        assert!(!silenced[key].is_null(), "{key}");
    }
    assert!(chrono::DateTime::parse_from_rfc3339(silenced["startsAt"].as_str().unwrap()).is_ok());

    let (_, active) = get_json(&url("?silenced=false&inhibited=false")).await;
    assert_eq!(names(&active), ["ExporterScrapeSlow"]);
    let (_, pages) = get_json(&url("?filter=severity%3D%22page%22&silenced=false")).await;
    assert_eq!(names(&pages), Vec::<String>::new());
    let (_, pages) = get_json(&url(
        "?filter=severity%3D%22page%22&filter=team%3D~%22ml.*%22",
    ))
    .await;
    assert_eq!(names(&pages), ["NightlyBackfillLagging"]);
    let (_, none) = get_json(&url("?active=false&silenced=false")).await;
    assert_eq!(names(&none), Vec::<String>::new());

    let (status, body) = get_json(&url("?active=maybe")).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = get_json(&url("?filter=%3D%3D%3D")).await;
    assert_eq!(status, 400);
    let (status, silences) =
        get_json(&format!("{}/api/v2/silences", w.endpoints.alertmanager)).await;
    assert_eq!(
        (status, &silences[0]["status"]["state"]),
        (200, &"active".into())
    );
}

#[tokio::test]
async fn the_page_alert_fires_and_later_resolves() {
    // At 60x the page window (45s..105s simulated) is 0.75s..1.75s real.
    let w = world(60.0).await;
    let url = format!(
        "{}/api/v2/alerts?filter=severity%3D%22page%22&silenced=false&inhibited=false",
        w.endpoints.alertmanager
    );
    let firing = wait_until("the page to fire", || async {
        let (_, v) = get_json(&url).await;
        v.as_array().filter(|a| !a.is_empty()).cloned()
    })
    .await;
    assert_eq!(firing[0]["labels"]["alertname"], "PolicyServingLatencyHigh");
    assert_eq!(firing[0]["status"]["state"], "active");
    wait_until("the page to resolve", || async {
        let (_, v) = get_json(&url).await;
        v.as_array().filter(|a| a.is_empty()).map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn ops_status_is_json() {
    let w = world(1.0).await;
    let (status, body) = get_json(&format!("{}/ops/status", w.endpoints.ops)).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["influence_percent"], OPENING_PERCENT);
    assert_eq!(body["halted"], false);
}

/// Runs an action's argv from the demo playbook, as the product's action runner would.
fn run_argv(argv: &[String]) {
    let status = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .status()
        .expect("runs");
    assert!(status.success(), "{argv:?}");
}

#[tokio::test]
async fn the_playbooks_own_actions_move_the_world() {
    let w = world(1.0).await;
    let pb = w.load_playbook().unwrap();
    let set: Vec<String> = pb
        .playbook
        .ramp
        .as_ref()
        .unwrap()
        .set
        .table
        .run
        .iter()
        .map(|a| a.replace("{percent}", "25"))
        .collect();
    run_argv(&set);
    assert_eq!(gauge(&scrape(&w).await, "rl_influence_percent"), 25.0);

    let rollback = &pb.playbook.rollbacks[0].actions[0].table.run;
    run_argv(rollback);
    assert_eq!(gauge(&scrape(&w).await, "rl_influence_percent"), 0.0);
    run_argv(&set);

    let kill = &pb.playbook.kill_switch.as_ref().unwrap().actions[0]
        .table
        .run;
    run_argv(kill);
    let samples = scrape(&w).await;
    assert_eq!(gauge(&samples, "rl_execution_halted"), 1.0);
    assert_eq!(gauge(&samples, "rl_influence_percent"), 0.0);
    let (_, ops) = get_json(&format!("{}/ops/status", w.endpoints.ops)).await;
    assert_eq!(ops["status"], "halted");
}

#[tokio::test]
async fn a_validation_artifact_appears_after_some_simulated_seconds() {
    let w = world(100.0).await;
    let dir = w.dirs.validation();
    let list = || {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = list();
    assert_eq!(before.len(), 2, "{before:?}");
    let after = wait_until("today's validation run", || async {
        Some(list()).filter(|l| l.len() == 3)
    })
    .await;
    assert!(
        after
            .iter()
            .all(|n| n.starts_with("validation_") && n.ends_with(".json")),
        "{after:?}"
    );
    let newest: Value =
        serde_json::from_slice(&std::fs::read(dir.join(&after[2])).unwrap()).unwrap();
    assert_eq!(newest["status"], "PASS");
    let old = std::fs::metadata(dir.join(&after[0]))
        .unwrap()
        .modified()
        .unwrap();
    let age = std::time::SystemTime::now().duration_since(old).unwrap();
    assert!(
        age > Duration::from_secs(90 * 3600),
        "the FAIL run is 96h old: {age:?}"
    );
}

#[tokio::test]
async fn the_world_folder_goes_away_with_the_world_unless_given() {
    let w = world(1.0).await;
    let root = w.dirs.root.clone();
    drop(w);
    assert!(!root.exists());
    let keep = tempfile::tempdir().unwrap();
    let w = DemoWorld::start(DemoOptions {
        speed: 1.0,
        dir: Some(keep.path().to_path_buf()),
    })
    .await
    .unwrap();
    std::fs::write(w.dirs.kill_flag(), "").unwrap();
    drop(w);
    assert!(keep.path().join("liftoff-demo.toml").exists());
    // A new run on the same folder starts un-halted.
    let w = DemoWorld::start(DemoOptions {
        speed: 1.0,
        dir: Some(keep.path().to_path_buf()),
    })
    .await
    .unwrap();
    assert!(!w.dirs.switches().halted);
}
