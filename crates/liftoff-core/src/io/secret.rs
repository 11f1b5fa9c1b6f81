//! Secrets by reference: read from an environment variable or a file named in
//! the playbook, and scrubbed from anything liftoff prints or records.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {0} is not set (the playbook names it in token_env/url_env)")]
    MissingEnv(String),
    #[error("cannot read secret file {path}: {why}")]
    File { path: String, why: String },
}

/// A secret value. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// A value known to be secret (e.g. the password inside a connection string).
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

pub fn from_env(var: &str) -> Result<Secret, SecretError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(Secret(v.trim().to_string())),
        _ => Err(SecretError::MissingEnv(var.to_string())),
    }
}

/// A token is short; anything larger is not one (and is not read whole).
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// The secret in a file: opened non-blocking and refused unless it is a
/// regular file, so a FIFO named as `token_file` is an error, not a hang.
pub fn from_file(path: &Path) -> Result<Secret, SecretError> {
    let bytes =
        super::file::read_regular(path, MAX_SECRET_BYTES).map_err(|e| SecretError::File {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
    Ok(Secret(String::from_utf8_lossy(&bytes).trim().to_string()))
}

/// The secret named by `env` or `file`, if either is given.
pub fn resolve(env: Option<&str>, file: Option<&Path>) -> Result<Option<Secret>, SecretError> {
    match (env, file) {
        (Some(var), _) => from_env(var).map(Some),
        (None, Some(path)) => from_file(path).map(Some),
        (None, None) => Ok(None),
    }
}

const MASK: &str = "<redacted>";

/// Removes every known secret, and credentials embedded in URLs, from `text`.
pub fn redact(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        // Very short values would blank out ordinary words; they are not plausible tokens.
        if s.0.len() >= 4 {
            out = out.replace(&s.0, MASK);
        }
    }
    redact_url_credentials(&out)
}

/// `redact` where it would change something, else nothing (not even a
/// copy): label values are many and almost never hold a secret.
pub fn redact_in_place(text: &mut String, secrets: &[Secret]) {
    let holds_secret = secrets
        .iter()
        .any(|s| s.0.len() >= 4 && text.contains(s.0.as_str()));
    if holds_secret || text.contains("://") || text.contains("Bearer ") {
        *text = redact(text, secrets);
    }
}

/// `scheme://user:password@host` -> `scheme://user:<redacted>@host`, and
/// `Bearer xyz` -> `Bearer <redacted>`.
pub fn redact_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon + 1]);
                    out.push_str(MASK);
                }
                None => out.push_str(MASK),
            }
            out.push_str(&authority[at..]);
        } else {
            out.push_str(authority);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    redact_bearer(&out)
}

fn redact_bearer(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("Bearer ") {
        let (head, tail) = rest.split_at(i + "Bearer ".len());
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        if end > 0 {
            out.push_str(MASK);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_known_secrets_and_url_passwords() {
        let s = Secret("s3cr3t-token".into());
        let text = "GET with s3cr3t-token to postgres://app:hunter22@db:5432/x";
        let out = redact(text, &[s]);
        assert!(!out.contains("s3cr3t-token"), "{out}");
        assert!(!out.contains("hunter22"), "{out}");
        assert!(out.contains("postgres://app:<redacted>@db:5432/x"), "{out}");
    }

    #[test]
    fn redacts_bearer_headers() {
        let out = redact_url_credentials("Authorization: Bearer abc.def.ghi done");
        assert_eq!(out, "Authorization: Bearer <redacted> done");
    }

    #[test]
    fn leaves_plain_urls_alone() {
        let t = "http://127.0.0.1:9090/api/v1/query?query=up";
        assert_eq!(redact_url_credentials(t), t);
    }

    #[test]
    fn debug_never_shows_the_value() {
        assert_eq!(format!("{:?}", Secret("x".into())), "Secret(<redacted>)");
    }

    #[test]
    fn a_fifo_token_file_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("token");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let err = from_file(&fifo).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
    }

    #[test]
    fn missing_env_is_a_clear_error() {
        let err = from_env("LIFTOFF_TEST_SURELY_UNSET").unwrap_err();
        assert!(err.to_string().contains("LIFTOFF_TEST_SURELY_UNSET"));
    }
}
