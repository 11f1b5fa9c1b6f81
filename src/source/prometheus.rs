//! `prometheus` source: PromQL instant queries over the HTTP API
//! (`GET /api/v1/query`), all of a poll's queries at once.
//!
//! Two kinds of failure, kept apart on purpose: a query Prometheus refuses
//! (bad PromQL, a matrix where a number is needed) fails that query only;
//! a server we cannot read (refused, timed out, 5xx, not JSON) fails the poll.

use super::poll::{request, secrets_of, PollContext};
use super::{Payload, Sample, SourceError};
use crate::io::fetch;
use crate::io::secret::Secret;
use crate::playbook::{HttpPoll, Polling};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Asked when a source has no query: proves the server is a live Prometheus.
const PROBE: &str = "1";

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    http: &HttpPoll,
    queries: &[String],
) -> Result<Payload, SourceError> {
    let token = secrets_of(ctx, Some(&http.target)).await?;
    let asker = Asker {
        ctx,
        polling,
        http,
        token: token.as_ref(),
    };
    if queries.is_empty() {
        asker.query(PROBE).await?.map_err(SourceError::Query)?;
        return Ok(Payload::Prometheus {
            results: BTreeMap::new(),
        });
    }
    let asked = queries
        .iter()
        .map(|q| async { (q.clone(), asker.query(q).await) });
    let mut results = BTreeMap::new();
    for (q, outcome) in futures::future::join_all(asked).await {
        results.insert(q, outcome?);
    }
    Ok(Payload::Prometheus { results })
}

/// What every query of one poll shares.
struct Asker<'a> {
    ctx: &'a PollContext,
    polling: &'a Polling,
    http: &'a HttpPoll,
    token: Option<&'a Secret>,
}

impl Asker<'_> {
    /// One instant query: `Ok(Ok(samples))`, `Ok(Err(why the query failed))`,
    /// or `Err` when the server itself could not be read.
    async fn query(&self, promql: &str) -> Result<Result<Vec<Sample>, String>, SourceError> {
        // Tell Prometheus our deadline so it stops evaluating when we stop waiting.
        let server_timeout = format!("{}ms", self.polling.timeout.as_std().as_millis());
        let url = fetch::endpoint(
            &self.http.target.url,
            "api/v1/query",
            &[("query", promql), ("timeout", &server_timeout)],
        )?;
        let req = request(self.http, self.polling, &url, self.token);
        let reply = fetch::fetch(&self.ctx.client, req).await?;
        interpret(reply.status, &reply.body)
    }
}

/// The API's envelope: `{"status": "success"|"error", "data": .., "errorType", "error"}`.
#[derive(Debug, Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum Data {
    Vector(Vec<VectorItem>),
    Scalar(Point),
    String(serde::de::IgnoredAny),
    Matrix(serde::de::IgnoredAny),
}

#[derive(Debug, Deserialize)]
struct VectorItem {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    /// Absent for native-histogram samples (they carry `histogram` instead).
    #[serde(default)]
    value: Option<Point>,
}

/// `[unix_seconds, "value"]`: Prometheus sends numbers as strings ("NaN", "+Inf").
#[derive(Debug, Deserialize)]
struct Point(#[allow(dead_code)] f64, String);

/// Turns one reply into a query result, or a poll failure.
pub(crate) fn interpret(
    status: u16,
    body: &[u8],
) -> Result<Result<Vec<Sample>, String>, SourceError> {
    let envelope: Result<Envelope, _> = serde_json::from_slice(body);
    let server_failed = |detail: String| SourceError::Status { status, detail };
    let envelope = match envelope {
        Ok(e) => e,
        Err(_) if !(200..300).contains(&status) => {
            return Err(server_failed(fetch::snippet(body, 160)))
        }
        Err(e) => {
            return Err(SourceError::Parse(format!(
                "not a Prometheus API reply ({e}): {}",
                fetch::snippet(body, 80)
            )))
        }
    };
    if envelope.status != "success" {
        let why = format!(
            "{}: {}",
            envelope.error_type.as_deref().unwrap_or("error"),
            envelope.error.as_deref().unwrap_or("no reason given")
        );
        // 4xx with an error envelope: Prometheus refused this query (bad_data,
        // execution). 5xx: the server is in trouble, and so is every query.
        return if (400..500).contains(&status) || (200..300).contains(&status) {
            Ok(Err(why))
        } else {
            Err(server_failed(why))
        };
    }
    if !(200..300).contains(&status) {
        return Err(server_failed(fetch::snippet(body, 160)));
    }
    match envelope.data {
        Some(Data::Vector(items)) => Ok(vector(items)),
        Some(Data::Scalar(p)) => Ok(number(&p.1).map(|value| {
            vec![Sample {
                labels: BTreeMap::new(),
                value,
            }]
        })),
        Some(Data::String(_)) => Ok(Err(
            "the query gives a string, not a number: a check needs an instant vector or a scalar"
                .into(),
        )),
        Some(Data::Matrix(_)) => Ok(Err(
            "the query gives a range vector (matrix): drop the `[range]` or wrap it, e.g. rate(x[5m])"
                .into(),
        )),
        None => Err(SourceError::Parse(
            "Prometheus said success but sent no data".into(),
        )),
    }
}

fn vector(items: Vec<VectorItem>) -> Result<Vec<Sample>, String> {
    items
        .into_iter()
        .map(|item| {
            let point = item.value.ok_or(
                "the query gives native histogram samples: wrap it, e.g. histogram_quantile(0.99, x)",
            )?;
            Ok(Sample {
                labels: item.metric,
                value: number(&point.1)?,
            })
        })
        .collect()
}

fn number(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse()
            .map_err(|_| format!("Prometheus sent `{text}` where a number belongs")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Vec<Sample> {
        interpret(200, body.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn vector_keeps_labels_and_values() {
        let s = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"api"},"value":[1700000000.123,"1"]},
            {"metric":{"job":"db"},"value":[1700000000.123,"+Inf"]}]}}"#,
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].labels["__name__"], "up");
        assert_eq!(s[0].labels["job"], "api");
        assert_eq!(s[0].value, 1.0);
        assert_eq!(s[1].value, f64::INFINITY);
    }

    #[test]
    fn empty_vector_is_no_series_not_an_error() {
        let s = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
        assert!(s.is_empty());
    }

    #[test]
    fn scalar_is_one_unlabelled_sample() {
        let s = ok(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.25"]}}"#,
        );
        assert_eq!(
            s,
            vec![Sample {
                labels: BTreeMap::new(),
                value: 0.25
            }]
        );
        let nan = ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}"#);
        assert!(nan[0].value.is_nan());
    }

    #[test]
    fn string_and_matrix_are_per_query_errors() {
        let e = interpret(
            200,
            br#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#,
        )
        .unwrap()
        .unwrap_err();
        assert!(e.contains("string"), "{e}");
        let e = interpret(
            200,
            br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        )
        .unwrap()
        .unwrap_err();
        assert!(e.contains("range vector"), "{e}");
    }

    #[test]
    fn error_envelope_on_400_fails_the_query_only() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:6: parse error"}"#;
        let e = interpret(400, body).unwrap().unwrap_err();
        assert!(e.starts_with("bad_data: invalid parameter"), "{e}");
        let e = interpret(
            422,
            br#"{"status":"error","errorType":"execution","error":"boom"}"#,
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(e, "execution: boom");
    }

    #[test]
    fn server_trouble_fails_the_poll() {
        let e = interpret(
            503,
            br#"{"status":"error","errorType":"unavailable","error":"not ready"}"#,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "HTTP 503: unavailable: not ready");
        let e = interpret(502, b"<html>Bad Gateway</html>").unwrap_err();
        assert!(e.to_string().contains("HTTP 502"), "{e}");
        let e = interpret(200, b"hello, I am not prometheus").unwrap_err();
        assert!(matches!(e, SourceError::Parse(_)), "{e}");
        assert!(e.to_string().contains("hello, I am not"), "{e}");
        let e = interpret(401, b"Unauthorized").unwrap_err();
        assert!(e.to_string().contains("HTTP 401"), "{e}");
    }

    #[test]
    fn native_histograms_and_odd_numbers_are_explained() {
        let e = interpret(200, br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{}]}]}}"#)
            .unwrap()
            .unwrap_err();
        assert!(e.contains("histogram_quantile"), "{e}");
        let e = interpret(
            200,
            br#"{"status":"success","data":{"resultType":"scalar","result":[1,"abc"]}}"#,
        )
        .unwrap()
        .unwrap_err();
        assert!(e.contains("`abc`"), "{e}");
    }
}
