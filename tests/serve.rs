//! `--listen`'s server (`liftoff::serve`) with real parts: a release built
//! from a real playbook, a journal written by the real binary (`liftoff
//! ack`), sources polled for real (an exporter the test controls, an http source nothing answers) and
//! assessed by the engine; `/metrics` read by `promtool check metrics` and
//! scraped by a real Prometheus; `/status` compared with `liftoff status
//! --format json` of the same journal.

mod support;

use chrono::Utc;
use liftoff::engine;
use liftoff::guard;
use liftoff::playbook::{LoadedPlaybook, SourceKind};
use liftoff::release::{self, ReleaseState};
use liftoff::serve::{self, Context, GuardView, SourceView, View};
use liftoff::source::poll::{poll_all, PollContext};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use support::exporter::Exporter;
use support::net::get;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

const PLAYBOOK: &str = r#"
[release]
name = "serve \"test\" release"
audit_dir = "audit"
go_acks = ["captain"]

[[role]]
id = "captain"
title = "Release Captain"

[source.level]
kind = "scrape"
url = "{url}"
timeout = "2s"

[source.broken]
kind = "http"
url = "http://127.0.0.1:1/health"
timeout = "2s"

[[check]]
id = "level-low"
section = "1. \"Quoted\" \\ health"
title = "Level below 0.5"
source = "level"
query = "level"
pass = "value < 0.5"

[[check]]
id = "broken-ok"
section = "2. Other"
title = "The broken source answers"
source = "broken"
pass = "status == 200"
required = false

[[guard]]
id = "level-high"
source = "level"
query = "level"
trip = "value > 0.5"
on_trip = "alarm"
"#;

struct World {
    dir: tempfile::TempDir,
    pb: Arc<LoadedPlaybook>,
    exporter: Exporter,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let exporter = Exporter::start(&[("level", 0.2)]);
        let text = PLAYBOOK.replace("{url}", &exporter.url());
        std::fs::write(dir.path().join("liftoff.toml"), text).unwrap();
        let pb = Arc::new(liftoff::playbook::load(&dir.path().join("liftoff.toml")).unwrap());
        World { dir, pb, exporter }
    }

    fn playbook(&self) -> std::path::PathBuf {
        self.dir.path().join("liftoff.toml")
    }

    fn liftoff(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "liftoff {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn context(&self) -> Context {
        Context {
            pb: self.pb.clone(),
            journal: liftoff::journal::open(&self.pb).unwrap().describe(),
        }
    }

    /// Polls every source once and assesses the release as the journal has it.
    async fn view(&self) -> View {
        let pb = &self.pb;
        let ctx = PollContext::new(pb.base_dir());
        let observations = poll_all(&ctx, pb).await;
        let read = liftoff::journal::open(pb).unwrap().read_all().unwrap();
        let state = ReleaseState::from_read(&read);
        let now = Utc::now();
        let extra = liftoff::expr::bind::Extra::default();
        let verdicts: Vec<_> = pb
            .checks
            .iter()
            .map(|c| engine::evaluate(c, observations.get(&c.spec.source), now, &extra))
            .collect();
        let p = &pb.playbook;
        let acks = release::ack_status(p, &state, &p.release.go_acks, now);
        let gate = engine::decide(&pb.checks, &verdicts, &acks, p.release.allow_warn);
        let guards = pb
            .guards
            .iter()
            .map(|g| {
                let obs = observations.get(&g.spec.source);
                let stale = std::time::Duration::from_secs(60);
                let reading = guard::judge_trip(g, obs, now, &extra, stale);
                (g.spec.id.clone(), GuardView::from(&reading))
            })
            .collect();
        let sources = p
            .sources
            .iter()
            .filter(|(_, s)| s.kind() != SourceKind::Manual)
            .map(|(id, _)| {
                let mut v = SourceView::default();
                if let Some(o) = observations.get(id) {
                    v.observe(o);
                }
                (id.clone(), v)
            })
            .collect::<BTreeMap<_, _>>();
        View {
            at: now,
            release: state,
            verdicts,
            gate,
            guards,
            sources,
        }
    }
}

fn promtool_check(text: &str) -> (bool, String) {
    use std::io::Write;
    let bin = support::process::binary(&["promtool"]);
    let mut child = Command::new(bin)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promtool_accepts_metrics_and_a_real_prometheus_scrapes_the_gate_as_it_changes() {
    let world = World::new();
    let pb = world.playbook().display().to_string();
    world.liftoff(&["ack", &pb, "--role", "captain", "--as", "ana"]);
    let first = world.view().await;
    assert_eq!(
        first.gate.decision,
        engine::Decision::Go,
        "{:?}",
        first.gate
    );
    let (tx, rx) = watch::channel(first);
    let cancel = CancellationToken::new();
    let addr = serve::spawn(
        "127.0.0.1:0".parse().unwrap(),
        world.context(),
        rx,
        cancel.clone(),
    )
    .unwrap();

    let (code, text) = get(&format!("http://{addr}/metrics")).await.unwrap();
    assert_eq!(code, 200);
    let (ok, said) = promtool_check(&text);
    assert!(
        ok && said.trim().is_empty(),
        "promtool check metrics:\n{said}\n{text}"
    );
    // promtool is not a rubber stamp: a broken exposition is refused.
    let broken = text.replacen("liftoff_gate_go 1", "liftoff_gate_go one", 1);
    assert!(!promtool_check(&broken).0);

    let mut prom = support::prometheus_jobs::start(&[("liftoff", addr.to_string())], None).await;
    support::prometheus_jobs::wait_all_up(&prom, 1).await;
    prom.wait_value("liftoff_gate_go", 1.0).await;
    prom.wait_value(
        r#"liftoff_check_status{check="level-low",section="1. \"Quoted\" \\ health",status="PASS"}"#,
        1.0,
    )
    .await;
    prom.wait_value(r#"liftoff_source_up{source="broken"}"#, 0.0)
        .await;
    prom.wait_value(r#"liftoff_guard_value{guard="level-high"}"#, 0.2)
        .await;
    prom.wait_value(r#"liftoff_kill_switch_state{state="READY"}"#, 1.0)
        .await;

    // The level crosses: the next assessment is NO-GO and Prometheus sees it.
    world.exporter.set("level", 0.9);
    let next = world.view().await;
    assert_eq!(next.gate.decision, engine::Decision::NoGo);
    tx.send(next).unwrap();
    prom.wait_value("liftoff_gate_go", 0.0).await;
    prom.wait_value(
        r#"liftoff_check_status{check="level-low",status="FAIL"}"#,
        1.0,
    )
    .await;
    prom.wait_value(r#"liftoff_guard_tripping{guard="level-high"}"#, 1.0)
        .await;
    prom.stop();
    cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_is_liftoff_status_json_plus_the_verdicts_and_the_server_is_read_only() {
    let world = World::new();
    let pb = world.playbook().display().to_string();
    world.liftoff(&["ack", &pb, "--role", "captain", "--as", "ana"]);
    let (_tx, rx) = watch::channel(world.view().await);
    let cancel = CancellationToken::new();
    let addr = serve::spawn(
        "127.0.0.1:0".parse().unwrap(),
        world.context(),
        rx,
        cancel.clone(),
    )
    .unwrap();

    let (code, body) = get(&format!("http://{addr}/status")).await.unwrap();
    assert_eq!(code, 200);
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cli: serde_json::Value =
        serde_json::from_str(&world.liftoff(&["status", &pb, "--format", "json"])).unwrap();
    let cli = cli.as_object().unwrap();
    assert!(cli.len() >= 6, "{cli:?}");
    for (key, value) in cli {
        if key == "generated_at" {
            assert!(served[key].is_string());
            continue;
        }
        assert_eq!(
            &served[key], value,
            "/status and `liftoff status` differ on {key}"
        );
    }
    assert_eq!(served["state"]["acks"][0]["by"], "ana");
    assert_eq!(served["gate"]["decision"], "GO");
    let verdicts = served["verdicts"].as_array().unwrap();
    assert_eq!(verdicts[0]["check"], "level-low");
    assert_eq!(verdicts[0]["status"], "PASS");
    assert_eq!(verdicts[1]["status"], "UNKNOWN");
    assert_eq!(served["sources"]["broken"]["up"], false);
    assert_eq!(served["guards"]["level-high"]["value"], "0.2");

    // Read-only: nothing but GET (and HEAD) is served.
    let client = reqwest::Client::new();
    for path in ["/status", "/metrics"] {
        let res = client
            .post(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 405, "POST {path}");
    }
    cancel.cancel();
}
