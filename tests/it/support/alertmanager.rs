//! The real Alertmanager (no cluster), and the two things tests do to it:
//! post an alert (as Prometheus would) and create a silence (as a person would).

use super::process::{binary, start_on_free_port, Daemon};
use serde_json::json;
use std::time::Duration;

const CONFIG: &str = "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n";

pub struct Alertmanager {
    pub daemon: Daemon,
}

impl Alertmanager {
    pub async fn start() -> Alertmanager {
        let bin = binary(&["prometheus-alertmanager", "alertmanager"]);
        let daemon = start_on_free_port("alertmanager", "/-/ready", |port, dir| {
            std::fs::write(dir.join("alertmanager.yml"), CONFIG).expect("write config");
            let args = vec![
                format!("--config.file={}", dir.join("alertmanager.yml").display()),
                format!("--storage.path={}", dir.join("data").display()),
                format!("--web.listen-address=127.0.0.1:{port}"),
                // Empty: no gossip cluster, no second port to collide on.
                "--cluster.listen-address=".to_string(),
                "--log.level=warn".to_string(),
            ];
            (bin.clone(), args)
        })
        .await;
        Alertmanager { daemon }
    }

    pub fn url(&self) -> String {
        self.daemon.base_url()
    }

    /// `host:port`, as Prometheus's alerting config wants it.
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.daemon.port)
    }

    /// Posts one firing alert (visible in the API within milliseconds).
    pub async fn post_alert(&self, labels: &[(&str, &str)], annotations: &[(&str, &str)]) {
        let body = json!([{
            "labels": to_map(labels),
            "annotations": to_map(annotations),
            "startsAt": chrono::Utc::now().to_rfc3339(),
        }]);
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", self.url()))
            .timeout(Duration::from_secs(5))
            .json(&body)
            .send()
            .await
            .expect("post alert");
        assert!(
            resp.status().is_success(),
            "posting an alert: {}",
            resp.status()
        );
    }

    /// Silences alerts whose labels equal `matchers` for an hour; gives the silence id.
    pub async fn silence(&self, matchers: &[(&str, &str)]) -> String {
        let now = chrono::Utc::now();
        let body = json!({
            "matchers": matchers.iter().map(|(k, v)| json!({
                "name": k, "value": v, "isRegex": false, "isEqual": true
            })).collect::<Vec<_>>(),
            "startsAt": now.to_rfc3339(),
            "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
            "createdBy": "liftoff tests",
            "comment": "known issue, ramp may go on",
        });
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v2/silences", self.url()))
            .timeout(Duration::from_secs(5))
            .json(&body)
            .send()
            .await
            .expect("post silence");
        assert!(
            resp.status().is_success(),
            "creating a silence: {}",
            resp.status()
        );
        let v: serde_json::Value = resp.json().await.expect("silence reply");
        v["silenceID"].as_str().unwrap_or_default().to_string()
    }
}

fn to_map(pairs: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect()
}
