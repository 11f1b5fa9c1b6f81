//! `scrape` source: an exporter's `/metrics` page, read as Prometheus reads
//! it. Every series is kept; a check's selector picks what it needs.

use super::poll::{request, secrets_of, PollContext};
use super::{exposition, Payload, SourceError};
use crate::io::fetch;
use crate::playbook::{HttpPoll, Polling};

/// Ask for the text format: some exporters answer protobuf or OpenMetrics otherwise.
const ACCEPT: &str = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    http: &HttpPoll,
) -> Result<Payload, SourceError> {
    let token = secrets_of(ctx, Some(&http.target)).await?;
    let mut req = request(http, polling, &http.target.url, token.as_ref());
    req.headers.push(("Accept".into(), ACCEPT.into()));
    let reply = fetch::fetch(&ctx.client, req).await?;
    if !(200..300).contains(&reply.status) {
        return Err(SourceError::Status {
            status: reply.status,
            detail: fetch::snippet(&reply.body, 160),
        });
    }
    parse_page(&reply.body).map(|samples| Payload::Scrape { samples })
}

/// The body as an exposition, or a parse error that quotes the offending line.
pub fn parse_page(body: &[u8]) -> Result<Vec<super::Sample>, SourceError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        SourceError::Parse(format!(
            "not a metrics page (not UTF-8 text at byte {}): {}",
            e.valid_up_to(),
            fetch::snippet(body, 80)
        ))
    })?;
    exposition::parse(text).map_err(|e| SourceError::Parse(format!("not a metrics page: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_with_labels_parses() {
        let samples = parse_page(b"rl_influence_percent{env=\"prod\"} 10\nup 1\n").unwrap();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].labels["env"], "prod");
    }

    #[test]
    fn garbage_is_a_parse_error_with_a_snippet() {
        let err = parse_page(b"<!doctype html><title>login</title>").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, SourceError::Parse(_)));
        assert!(
            text.contains("line 1") && text.contains("<!doctype html>"),
            "{text}"
        );
        let err = parse_page(&[0xff, 0xfe, 0x00, 0x41]).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }
}
