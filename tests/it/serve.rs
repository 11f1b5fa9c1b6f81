//! `liftoff watch PLAYBOOK --listen ADDR` as a real process: the supervisor
//! polls a real exporter (and an http source nothing answers) and serves
//! its snapshots; `/metrics` is read by `promtool check metrics` and scraped
//! by a real Prometheus, which sees the gate change when the data does;
//! `/status` is compared with `liftoff status --format json` of the same
//! journal (written by the real `liftoff ack`).

use crate::support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::exporter::Exporter;
use support::net::{free_port, get, wait_for};

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
interval = "1s"
timeout = "2s"

[source.broken]
kind = "http"
url = "http://127.0.0.1:1/health"
interval = "1s"
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
    exporter: Exporter,
}

/// `liftoff watch` with `--listen`; SIGTERM on drop.
struct Watch {
    child: Child,
    addr: String,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let exporter = Exporter::start(&[("level", 0.2)]);
        let text = PLAYBOOK.replace("{url}", &exporter.url());
        std::fs::write(dir.path().join("liftoff.toml"), text).unwrap();
        World { dir, exporter }
    }

    fn playbook(&self) -> String {
        self.dir.path().join("liftoff.toml").display().to_string()
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

    /// Starts `liftoff watch --listen`, returns once `/status` shows every
    /// check judged from data (the supervisor has polled).
    async fn watch(&self) -> Watch {
        let addr = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(self.dir.path().join("watch.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .args(["watch", &self.playbook(), "--listen", &addr])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let watch = Watch { child, addr };
        let url = format!("http://{}/status", watch.addr);
        wait_for(
            Duration::from_secs(30),
            "/status with the level judged",
            || async {
                let (code, body) = get(&url).await?;
                let v: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| e.to_string())?;
                match v["verdicts"][0]["status"].as_str() {
                    Some("PASS") if code == 200 => Ok(()),
                    other => Err(format!("{code} level-low {other:?}")),
                }
            },
        )
        .await;
        watch
    }
}

impl Watch {
    /// SIGTERM: the supervisor stops cleanly (exit 0).
    fn stop(mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "liftoff watch ended with {status}");
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    let pb = world.playbook();
    world.liftoff(&["ack", &pb, "--role", "captain", "--as", "ana"]);
    let watch = world.watch().await;
    let addr = watch.addr.clone();
    let (code, text) = get(&format!("http://{addr}/metrics")).await.unwrap();
    assert_eq!(code, 200);
    assert!(text.contains("liftoff_gate_go 1"), "{text}");
    let (ok, said) = promtool_check(&text);
    assert!(
        ok && said.trim().is_empty(),
        "promtool check metrics:\n{said}\n{text}"
    );
    // promtool is not a rubber stamp: a broken exposition is refused.
    let broken = text.replacen("liftoff_gate_go 1", "liftoff_gate_go one", 1);
    assert!(!promtool_check(&broken).0);

    let mut prom = support::prometheus_jobs::start(&[("liftoff", addr.clone())], None).await;
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

    // The level crosses: the supervisor's next assessment is NO-GO and
    // Prometheus sees it.
    world.exporter.set("level", 0.9);
    prom.wait_value("liftoff_gate_go", 0.0).await;
    prom.wait_value(
        r#"liftoff_check_status{check="level-low",status="FAIL"}"#,
        1.0,
    )
    .await;
    prom.wait_value(r#"liftoff_guard_tripping{guard="level-high"}"#, 1.0)
        .await;
    prom.stop();
    watch.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_is_liftoff_status_json_plus_the_verdicts_and_the_server_is_read_only() {
    let world = World::new();
    let pb = world.playbook();
    world.liftoff(&["ack", &pb, "--role", "captain", "--as", "ana"]);
    let watch = world.watch().await;
    let addr = watch.addr.clone();
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
    assert_eq!(served["guards"]["level-high"]["value"], 0.2);
    assert_eq!(served["guards"]["level-high"]["tripping"], false);

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
    watch.stop();
}

#[test]
fn a_public_listen_address_is_refused_before_anything_starts() {
    let world = World::new();
    let out = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(["watch", &world.playbook(), "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a loopback address") && err.contains("--listen-remote"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cockpit_serves_its_supervisors_snapshots_with_listen() {
    let world = World::new();
    let addr = format!("127.0.0.1:{}", free_port());
    let pb = world.playbook();
    let pane =
        support::tmux::Pane::launch("serve", (120, 40), &[], &["run", &pb, "--listen", &addr]);
    pane.wait_for("KILL SWITCH");
    let url = format!("http://{addr}/metrics");
    // No ACK in this journal: the gate holds on the captain's ACK.
    let text = wait_for(Duration::from_secs(30), "the cockpit's /metrics", || async {
        let (code, text) = get(&url).await?;
        let judged = text
            .contains(r#"liftoff_check_status{check="level-low",section="1. \"Quoted\" \\ health",status="PASS"} 1"#);
        if code == 200 && judged {
            Ok(text)
        } else {
            Err(format!("{code}:\n{text}"))
        }
    })
    .await;
    assert!(text.contains("liftoff_gate_go 0"), "{text}");
    assert!(
        text.contains(r#"liftoff_source_up{source="level"} 1"#),
        "{text}"
    );
    drop(pane);
}
