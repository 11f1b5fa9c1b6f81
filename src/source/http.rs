//! `http` source: one request to an endpoint (e.g. `/ops/status`). Any reply
//! is an observation, 500 included: the check decides with `status`. Only no
//! reply (refused, timed out, too large, broken) is an error.

use super::poll::{request, secrets_of, PollContext};
use super::{HttpReply, Payload, SourceError};
use crate::io::fetch;
use crate::io::secret::{self, Secret};
use crate::playbook::{HttpSource, Polling};

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    spec: &HttpSource,
) -> Result<Payload, SourceError> {
    let method = method(spec.method.as_deref())?;
    let token = secrets_of(ctx, Some(&spec.http.target)).await?;
    let headers = headers_from_env(&spec.headers)?;
    // Header values are secrets as much as the token is: scrub them all.
    let mut known: Vec<Secret> = token.iter().cloned().collect();
    known.extend(headers.iter().map(|(_, v)| v.clone()));

    let mut req = request(&spec.http, polling, &spec.http.target.url, token.as_ref());
    req.method = method;
    req.headers = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.expose().to_string()))
        .collect();
    if let Some(body) = &spec.body {
        let names_type = req
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if !names_type && serde_json::from_str::<serde_json::Value>(body).is_ok() {
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        req.body = Some(body.clone());
    }
    let reply = fetch::fetch(&ctx.client, req).await?;
    let body = secret::redact(&String::from_utf8_lossy(&reply.body), &known);
    // Parsed from the redacted text, so an echoed secret is not in `json` either.
    let json = serde_json::from_str(&body).ok();
    Ok(Payload::Http(HttpReply {
        status: reply.status,
        latency: reply.latency,
        body,
        json,
    }))
}

fn method(m: Option<&str>) -> Result<reqwest::Method, SourceError> {
    let m = m.unwrap_or("GET").to_ascii_uppercase();
    reqwest::Method::from_bytes(m.as_bytes())
        .map_err(|_| SourceError::Config(format!("unknown HTTP method \"{m}\"")))
}

/// `headers = { X-Api-Key = "API_KEY_VAR" }`: the value is read from `$API_KEY_VAR`.
fn headers_from_env(
    headers: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<(String, Secret)>, SourceError> {
    headers
        .iter()
        .map(|(name, var)| {
            secret::from_env(var)
                .map(|v| (name.clone(), v))
                .map_err(|e| SourceError::Config(format!("header {name}: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_defaults_to_get_and_refuses_nonsense() {
        assert_eq!(method(None).unwrap(), reqwest::Method::GET);
        assert_eq!(method(Some("post")).unwrap(), reqwest::Method::POST);
        assert!(method(Some("GE T")).is_err());
    }

    #[test]
    fn header_values_come_from_the_named_variables() {
        let headers = [("X-Api-Key".to_string(), "LIFTOFF_HTTP_TEST_KEY".to_string())].into();
        let err = headers_from_env(&headers).unwrap_err().to_string();
        assert!(
            err.contains("X-Api-Key") && err.contains("LIFTOFF_HTTP_TEST_KEY"),
            "{err}"
        );
    }
}
