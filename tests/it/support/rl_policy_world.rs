//! The world tests/rl_policy.rs runs seed 000's playbook against: the
//! fixture tree (tests/fixtures/rl_policy/) copied into a temp folder with set
//! modification times, three file-backed exporters (policy-exporter, prober,
//! cost-monitor), a real Alertmanager, a real Prometheus scraping the three
//! with last week's cost backfilled, and the shipped playbook with its URLs
//! pointed at them. Included by `#[path]` from tests/rl_policy.rs and
//! tests/rl_policy_cockpit.rs; each uses a part of it.
#![allow(dead_code)]

use crate::support::alertmanager::Alertmanager;
use crate::support::file_exporter::FileExporter;
use crate::support::prometheus::Prometheus;
use crate::support::prometheus_jobs;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const PLAYBOOK: &str = "assets/playbooks/rl-policy.toml";
const FIXTURE: &str = "tests/fixtures/rl_policy";
const HOUR: u64 = 3600;
/// Last week's daily cost, backfilled 7 days back (today's is 1200: 1.2x WoW).
const LAST_WEEK_DAILY_COST: f64 = 1000.0;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub playbook: PathBuf,
    pub policy: FileExporter,
    pub prober: FileExporter,
    _cost: FileExporter,
    pub prom: Prometheus,
    pub am: Alertmanager,
}

impl World {
    pub async fn build() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&repo(FIXTURE), dir.path());
        // Evidence ages: an old FAIL outside the 72h window, then two
        // consecutive 48h PASS runs, the latest 2h old.
        for (file, hours) in [
            ("artifacts/validation/run-01.json", 100),
            ("artifacts/validation/run-02.json", 50),
            ("artifacts/validation/run-03.json", 2),
            ("artifacts/security/scan.json", 3),
            ("artifacts/killswitch/test.json", 5),
        ] {
            age(&dir.path().join(file), hours);
        }
        let exporter = |name: &str| FileExporter::start(&dir.path().join("exporter").join(name));
        let (policy, prober, cost) = (exporter("policy"), exporter("prober"), exporter("cost"));
        let am = Alertmanager::start().await;
        let jobs = [
            ("policy-exporter", policy.target()),
            ("prober", prober.target()),
            ("cost-monitor", cost.target()),
        ];
        let prom = prometheus_jobs::start(&jobs, Some(&last_week(&cost.target()))).await;
        prometheus_jobs::wait_all_up(&prom, jobs.len()).await;
        prom.wait_value("sum(rl_cost_usd_daily offset 7d)", LAST_WEEK_DAILY_COST)
            .await;

        let mut text = std::fs::read_to_string(repo(PLAYBOOK)).expect("read playbook");
        for (shipped, here) in [
            ("http://127.0.0.1:9090", prom.url()),
            ("http://127.0.0.1:9093", am.url()),
            ("http://127.0.0.1:9108/metrics", policy.url()),
        ] {
            assert!(
                text.contains(shipped),
                "the playbook no longer reads {shipped}"
            );
            text = text.replace(shipped, &here);
        }
        let playbook = dir.path().join("rl-policy.toml");
        std::fs::write(&playbook, text).expect("write playbook");
        World {
            dir,
            playbook,
            policy,
            prober,
            _cost: cost,
            prom,
            am,
        }
    }

    /// Rewrites the test's copy of the playbook, each `(shipped, here)` pair
    /// replaced. Panics when the shipped text is not there: a replacement
    /// that finds nothing would test the seed unchanged while claiming not to.
    pub fn rewrite_playbook(&self, replacements: &[(&str, &str)]) {
        let mut text = std::fs::read_to_string(&self.playbook).expect("read playbook");
        for (shipped, here) in replacements {
            assert_eq!(
                text.matches(shipped).count(),
                1,
                "the playbook should read {shipped} exactly once"
            );
            text = text.replace(shipped, here);
        }
        std::fs::write(&self.playbook, text).expect("write playbook");
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs the built `liftoff <cmd> <playbook> <args>`.
    pub async fn liftoff(&self, cmd: &str, args: &[&str]) -> Run {
        let mut argv = vec![cmd.to_string(), self.playbook.display().to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        run(env!("CARGO_BIN_EXE_liftoff"), &argv, self.dir.path()).await
    }

    /// `liftoff check --format json`: the exit code and the parsed report.
    pub async fn check_json(&self) -> (i32, Value) {
        let out = self.liftoff("check", &["--format", "json"]).await;
        let report = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("check --format json is not JSON ({e}):\n{}", out.all()));
        (out.code, report)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A real child process (async, so the servers in this test keep answering).
pub async fn run(program: &str, args: &[String], cwd: &Path) -> Run {
    let out = tokio::process::Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

/// Sets `path`'s modification time `hours` back.
fn age(path: &Path, hours: u64) {
    let when = SystemTime::now() - Duration::from_secs(hours * HOUR);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .unwrap_or_else(|e| panic!("set mtime of {}: {e}", path.display()));
}

/// Last week's cost samples as OpenMetrics, around now - 7d (wide enough for the test's run).
fn last_week(instance: &str) -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    let week = 7.0 * 24.0 * HOUR as f64;
    let mut om = String::from("# TYPE rl_cost_usd_daily gauge\n");
    let mut t = now - week - 600.0;
    while t < now - week + 1800.0 {
        om.push_str(&format!(
            "rl_cost_usd_daily{{job=\"cost-monitor\",instance=\"{instance}\"}} {LAST_WEEK_DAILY_COST} {t:.3}\n"
        ));
        t += 15.0;
    }
    om.push_str("# EOF\n");
    om
}

/// Posts the alert again with `endsAt` now: Alertmanager marks it resolved.
pub async fn resolve(am: &Alertmanager, labels: &[(&str, &str)]) {
    let labels: serde_json::Map<String, Value> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), (*v).into()))
        .collect();
    let body = serde_json::json!([{ "labels": labels, "endsAt": chrono::Utc::now().to_rfc3339() }]);
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v2/alerts", am.url()))
        .json(&body)
        .send()
        .await
        .expect("post resolved alert");
    assert!(resp.status().is_success(), "{}", resp.status());
}
