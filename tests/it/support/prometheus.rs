//! The real Prometheus: scrapes the test's exporter every second, evaluates a
//! rule file every second, and sends alerts to the test's Alertmanager.

use super::net::{get, wait_for};
use super::process::{binary, start_on_free_port, Daemon};
use std::time::Duration;

pub struct Prometheus {
    pub daemon: Daemon,
    pub job: String,
}

impl Prometheus {
    /// `target` is `host:port` of the exporter (scraped as job `job`);
    /// `alertmanager` is `host:port` or None; `rules` is a rule file's YAML (may be empty).
    pub async fn start(
        job: &str,
        target: &str,
        alertmanager: Option<&str>,
        rules: &str,
    ) -> Prometheus {
        let bin = binary(&["prometheus"]);
        let daemon = start_on_free_port("prometheus", "/-/ready", |port, dir| {
            std::fs::write(dir.join("rules.yml"), rules_or_empty(rules)).expect("write rules");
            std::fs::write(
                dir.join("prometheus.yml"),
                config(job, target, alertmanager),
            )
            .expect("write config");
            let args = vec![
                format!("--config.file={}", dir.join("prometheus.yml").display()),
                format!("--storage.tsdb.path={}", dir.join("data").display()),
                format!("--web.listen-address=127.0.0.1:{port}"),
                "--log.level=warn".to_string(),
            ];
            (bin.clone(), args)
        })
        .await;
        Prometheus {
            daemon,
            job: job.to_string(),
        }
    }

    pub fn url(&self) -> String {
        self.daemon.base_url()
    }

    /// The value of an instant query's first sample, or why there is none.
    pub async fn value(&self, promql: &str) -> Result<f64, String> {
        let url = liftoff::io::fetch::endpoint(&self.url(), "api/v1/query", &[("query", promql)])
            .map_err(|e| e.to_string())?;
        let (_, body) = get(&url).await?;
        let v: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        v["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no sample in {body}"))
    }

    /// Waits for the first successful scrape of the exporter: Prometheus holds
    /// its first scrape for a few seconds after start, so this is awaited.
    pub async fn wait_scraped(&self) {
        let q = format!("up{{job=\"{}\"}}", self.job);
        wait_for(
            Duration::from_secs(30),
            "the exporter's first scrape (up == 1)",
            || async {
                match self.value(&q).await {
                    Ok(1.0) => Ok(()),
                    Ok(v) => Err(format!("up = {v}")),
                    Err(e) => Err(e),
                }
            },
        )
        .await
    }

    /// Waits until `promql` gives `expected` (e.g. after the exporter changed).
    pub async fn wait_value(&self, promql: &str, expected: f64) {
        wait_for(
            Duration::from_secs(30),
            &format!("{promql} == {expected}"),
            || async {
                match self.value(promql).await {
                    Ok(v) if v == expected => Ok(()),
                    Ok(v) => Err(format!("{promql} = {v}")),
                    Err(e) => Err(e),
                }
            },
        )
        .await
    }

    pub fn stop(&mut self) {
        self.daemon.stop();
    }
}

fn rules_or_empty(rules: &str) -> String {
    if rules.trim().is_empty() {
        "groups: []\n".to_string()
    } else {
        rules.to_string()
    }
}

fn config(job: &str, target: &str, alertmanager: Option<&str>) -> String {
    let alerting = alertmanager
        .map(|am| {
            format!(
                "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am}']\n"
            )
        })
        .unwrap_or_default();
    format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ['rules.yml']\n{alerting}scrape_configs:\n  - job_name: '{job}'\n    static_configs:\n      - targets: ['{target}']\n"
    )
}
