//! The real Prometheus scraping several jobs (one target each, every second),
//! optionally with history backfilled before it starts: `promtool tsdb
//! create-blocks-from openmetrics` writes blocks into its data folder, the
//! way an operator backfills, so queries such as `x offset 7d` have data in a
//! fresh world.

use super::net::wait_for;
use super::process::{binary, start_on_free_port};
use super::prometheus::Prometheus;
use std::process::Command;
use std::time::Duration;

/// `jobs`: (job name, `host:port`). `backfill`: an OpenMetrics text (ending in
/// `# EOF`) of past samples, or None.
pub async fn start(jobs: &[(&str, String)], backfill: Option<&str>) -> Prometheus {
    let bin = binary(&["prometheus"]);
    let daemon = start_on_free_port("prometheus", "/-/ready", |port, dir| {
        std::fs::write(dir.join("prometheus.yml"), config(jobs)).expect("write config");
        let data = dir.join("data");
        if let Some(text) = backfill {
            let file = dir.join("backfill.om");
            std::fs::write(&file, text).expect("write backfill");
            let promtool = binary(&["promtool"]);
            let out = Command::new(&promtool)
                .args(["tsdb", "create-blocks-from", "openmetrics"])
                .arg(&file)
                .arg(&data)
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", promtool.display()));
            assert!(
                out.status.success(),
                "promtool backfill failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let args = vec![
            format!("--config.file={}", dir.join("prometheus.yml").display()),
            format!("--storage.tsdb.path={}", data.display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--log.level=warn".to_string(),
        ];
        (bin.clone(), args)
    })
    .await;
    Prometheus {
        daemon,
        job: jobs.first().map(|(j, _)| j.to_string()).unwrap_or_default(),
    }
}

/// Waits until every job's target has been scraped (`up == 1` for `jobs` targets).
pub async fn wait_all_up(prom: &Prometheus, jobs: usize) {
    wait_for(
        Duration::from_secs(30),
        &format!("all {jobs} jobs scraped (up == 1)"),
        || async {
            match prom.value("count(up == 1)").await {
                Ok(n) if n == jobs as f64 => Ok(()),
                Ok(n) => Err(format!("{n} of {jobs} up")),
                Err(e) => Err(e),
            }
        },
    )
    .await
}

fn config(jobs: &[(&str, String)]) -> String {
    let mut out = String::from(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n",
    );
    for (job, target) in jobs {
        out.push_str(&format!(
            "  - job_name: '{job}'\n    static_configs:\n      - targets: ['{target}']\n"
        ));
    }
    out
}
