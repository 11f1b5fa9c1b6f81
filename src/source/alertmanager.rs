//! `alertmanager` source: the alerts firing now, from Alertmanager's v2 API
//! (`GET /api/v2/alerts`). Silenced and inhibited alerts are left out unless
//! the playbook asks for them. The label matchers go to the server as
//! `filter=` and are applied again here, so the answer is right even from a
//! server (or proxy) that ignores the filter.

use super::poll::{request, secrets_of, PollContext};
use super::selector::{parse_matchers, Selector};
use super::{Alert, Payload, SourceError};
use crate::io::fetch;
use crate::playbook::{AlertmanagerSource, Polling};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    spec: &AlertmanagerSource,
) -> Result<Payload, SourceError> {
    let base = &spec.http.target.url;
    let selector = if spec.matchers.is_empty() {
        None
    } else {
        Some(parse_matchers(&spec.matchers).map_err(SourceError::Config)?)
    };
    let filters: Vec<String> = selector
        .iter()
        .flat_map(|s| s.matchers().iter().map(|m| m.to_string()))
        .collect();
    let mut query: Vec<(&str, &str)> = vec![
        ("active", "true"),
        ("silenced", bool_str(spec.include_silenced)),
        ("inhibited", bool_str(spec.include_inhibited)),
    ];
    query.extend(filters.iter().map(|f| ("filter", f.as_str())));
    let url = fetch::endpoint(base, "api/v2/alerts", &query)?;

    let token = secrets_of(ctx, Some(&spec.http.target)).await?;
    let mut req = request(&spec.http, polling, &url, token.as_ref());
    req.headers
        .push(("Accept".into(), "application/json".into()));
    let reply = fetch::fetch(&ctx.client, req).await?;
    if !(200..300).contains(&reply.status) {
        return Err(SourceError::Status {
            status: reply.status,
            detail: fetch::snippet(&reply.body, 160),
        });
    }
    let alerts = parse_alerts(&reply.body)?;
    Ok(Payload::Alerts {
        alerts: keep(alerts, spec, selector.as_ref()),
    })
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// One alert as the v2 API sends it (`gettableAlert`); unknown fields ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiAlert {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    status: ApiStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiStatus {
    #[serde(default)]
    state: String,
    #[serde(default)]
    silenced_by: Vec<String>,
    #[serde(default)]
    inhibited_by: Vec<String>,
}

/// Alerts with what the check needs, plus whether each is silenced/inhibited.
struct Parsed {
    alert: Alert,
    silenced: bool,
    inhibited: bool,
}

fn parse_alerts(body: &[u8]) -> Result<Vec<Parsed>, SourceError> {
    let api: Vec<ApiAlert> = serde_json::from_slice(body).map_err(|e| {
        SourceError::Parse(format!(
            "not an Alertmanager alert list ({e}): {}",
            fetch::snippet(body, 80)
        ))
    })?;
    Ok(api
        .into_iter()
        .map(|a| Parsed {
            silenced: !a.status.silenced_by.is_empty(),
            inhibited: !a.status.inhibited_by.is_empty(),
            alert: Alert {
                labels: a.labels,
                annotations: a.annotations,
                starts_at: a.starts_at,
                state: if a.status.state.is_empty() {
                    "unprocessed".into()
                } else {
                    a.status.state
                },
            },
        })
        .collect())
}

/// What the playbook asked for, oldest first (then by labels, for a stable order).
fn keep(parsed: Vec<Parsed>, spec: &AlertmanagerSource, selector: Option<&Selector>) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = parsed
        .into_iter()
        .filter(|p| spec.include_silenced || !p.silenced)
        .filter(|p| spec.include_inhibited || !p.inhibited)
        .filter(|p| selector.is_none_or(|s| s.matches(&p.alert.labels)))
        .map(|p| p.alert)
        .collect();
    alerts.sort_by(|a, b| (a.starts_at, &a.labels).cmp(&(b.starts_at, &b.labels)));
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::{HttpPoll, HttpTarget};

    const BODY: &str = r#"[
      {"labels":{"alertname":"PolicyEntropyLow","severity":"page"},
       "annotations":{"summary":"entropy 0.5"},
       "startsAt":"2026-11-21T11:00:00.123Z","endsAt":"2026-11-21T13:00:00Z",
       "fingerprint":"a1","receivers":[{"name":"null"}],"updatedAt":"2026-11-21T11:00:01Z",
       "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
      {"labels":{"alertname":"DiskFull","severity":"page"},"annotations":{},
       "startsAt":"2026-11-21T10:00:00Z",
       "status":{"state":"suppressed","silencedBy":["s-1"],"inhibitedBy":[]}},
      {"labels":{"alertname":"Noisy","severity":"warning"},"annotations":{},
       "startsAt":"2026-11-21T09:00:00Z",
       "status":{"state":"suppressed","silencedBy":[],"inhibitedBy":["x"]}}
    ]"#;

    fn spec(matchers: &[&str], silenced: bool, inhibited: bool) -> AlertmanagerSource {
        AlertmanagerSource {
            http: HttpPoll {
                target: HttpTarget {
                    url: "http://127.0.0.1:9093".into(),
                    token_env: None,
                    token_file: None,
                },
                follow_redirects: false,
            },
            matchers: matchers.iter().map(|m| m.to_string()).collect(),
            include_silenced: silenced,
            include_inhibited: inhibited,
        }
    }

    fn names(alerts: &[Alert]) -> Vec<&str> {
        alerts
            .iter()
            .map(|a| a.labels["alertname"].as_str())
            .collect()
    }

    #[test]
    fn alert_json_gives_labels_annotations_start_and_state() {
        let parsed = parse_alerts(BODY.as_bytes()).unwrap();
        let a = &parsed[0].alert;
        assert_eq!(a.labels["severity"], "page");
        assert_eq!(a.annotations["summary"], "entropy 0.5");
        assert_eq!(a.state, "active");
        assert_eq!(
            a.starts_at,
            Some("2026-11-21T11:00:00.123Z".parse().unwrap())
        );
        assert!(parsed[1].silenced && parsed[2].inhibited);
    }

    #[test]
    fn silenced_and_inhibited_are_left_out_unless_asked() {
        let all = || parse_alerts(BODY.as_bytes()).unwrap();
        assert_eq!(
            names(&keep(all(), &spec(&[], false, false), None)),
            ["PolicyEntropyLow"]
        );
        assert_eq!(
            names(&keep(all(), &spec(&[], true, true), None)),
            ["Noisy", "DiskFull", "PolicyEntropyLow"]
        );
    }

    #[test]
    fn matchers_filter_client_side_too() {
        let s = spec(&["severity=page"], true, true);
        let sel = parse_matchers(&s.matchers).unwrap();
        let kept = keep(parse_alerts(BODY.as_bytes()).unwrap(), &s, Some(&sel));
        assert_eq!(names(&kept), ["DiskFull", "PolicyEntropyLow"]);
        let filters: Vec<String> = sel.matchers().iter().map(|m| m.to_string()).collect();
        assert_eq!(filters, [r#"severity="page""#]);
        // A value is taken as written; the filter escapes it the way Alertmanager unescapes.
        let sel =
            parse_matchers(&[r#"alertname=~"Disk.*|Net\d""#.into(), "team!=db".into()]).unwrap();
        let filters: Vec<String> = sel.matchers().iter().map(|m| m.to_string()).collect();
        assert_eq!(filters, [r#"alertname=~"Disk.*|Net\\d""#, r#"team!="db""#]);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_parse_errors() {
        for body in [
            &b"<html>oops</html>"[..],
            b"{\"status\":\"success\"}",
            b"[{\"labels\":7}]",
        ] {
            let err = parse_alerts(body).err().expect("accepted garbage");
            assert!(matches!(err, SourceError::Parse(_)), "{err}");
        }
        assert!(parse_alerts(b"[]").unwrap().is_empty());
    }
}
