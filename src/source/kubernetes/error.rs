//! kube-rs errors as evidence: the API's own `Status` (code, reason, message)
//! for a refusal, the cause chain for a connection that failed.

use crate::source::SourceError;
use kube::core::Status;

/// `server` is the API server's URL, named in connection errors.
pub fn from_kube(e: kube::Error, server: &str) -> SourceError {
    match e {
        kube::Error::Api(status) => from_status(&status),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            SourceError::Connect(format!("{server}: {}", chain(&e)))
        }
        kube::Error::Auth(_) => SourceError::Config(format!("authentication: {}", chain(&e))),
        kube::Error::InferConfig(_) | kube::Error::InferKubeconfig(_) => {
            SourceError::Config(chain(&e))
        }
        kube::Error::SerdeError(_) | kube::Error::FromUtf8(_) => {
            SourceError::Parse(format!("from {server}: {}", chain(&e)))
        }
        kube::Error::ReadEvents(_) => SourceError::Io(format!("{server}: {}", chain(&e))),
        other => SourceError::Io(chain(&other)),
    }
}

/// `HTTP 403: Forbidden: pods is forbidden: User "ci" cannot list ...`.
pub fn from_status(s: &Status) -> SourceError {
    let mut detail = String::new();
    if !s.reason.is_empty() {
        detail.push_str(&s.reason);
    }
    if !s.message.is_empty() {
        if !detail.is_empty() {
            detail.push_str(": ");
        }
        detail.push_str(&s.message);
    }
    if detail.is_empty() {
        detail = "the API server gave no reason".into();
    }
    SourceError::Status {
        status: s.code,
        detail,
    }
}

/// "client error (Connect): tcp connect error: Connection refused (os error 111)".
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        // Wrappers often repeat their source's text; keep each sentence once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_keeps_code_reason_and_message() {
        let s = Status::failure(
            "pods is forbidden: User \"ci\" cannot list resource \"pods\"",
            "Forbidden",
        )
        .with_code(403);
        let e = from_kube(kube::Error::Api(s.boxed()), "https://k:6443");
        assert_eq!(
            e.to_string(),
            "HTTP 403: Forbidden: pods is forbidden: User \"ci\" cannot list resource \"pods\""
        );
    }
}
