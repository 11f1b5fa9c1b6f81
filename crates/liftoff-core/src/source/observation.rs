//! What a poll brings back. Plain data: the engine evaluates it without I/O.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// One poll of one source.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    pub source: String,
    /// When the poll finished (data is as fresh as this).
    pub at: DateTime<Utc>,
    /// How long the poll took.
    #[serde(with = "millis")]
    pub took: Duration,
    /// Where it came from, secrets redacted (a URL, a command line, a folder).
    pub origin: String,
    pub outcome: Result<Payload, SourceError>,
}

impl Observation {
    pub fn payload(&self) -> Option<&Payload> {
        self.outcome.as_ref().ok()
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Payload {
    /// Prometheus: one result per PromQL query the playbook asks of this source.
    Prometheus {
        results: BTreeMap<String, Result<Vec<Sample>, String>>,
    },
    /// An exporter's whole exposition; a check's selector picks series from it.
    Scrape {
        samples: Vec<Sample>,
    },
    Alerts {
        alerts: Vec<Alert>,
    },
    Http(HttpReply),
    Command(CommandOutput),
    Files {
        files: Vec<FileInfo>,
    },
    /// Kubernetes objects as the API returns them.
    Objects {
        items: Vec<serde_json::Value>,
    },
    /// SQL rows (column -> value) and the query's column names, in order.
    Rows {
        columns: Vec<String>,
        rows: Vec<serde_json::Map<String, serde_json::Value>>,
    },
    Manual(ManualState),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: Option<DateTime<Utc>>,
    /// "active", "suppressed", "unprocessed".
    pub state: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpReply {
    pub status: u16,
    #[serde(with = "millis")]
    pub latency: Duration,
    /// The body, capped; secrets redacted.
    pub body: String,
    pub json: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommandOutput {
    /// None when the process was killed by a signal.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub json: Option<serde_json::Value>,
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub name: String,
    pub path: String,
    pub size: u64,
    pub modified: DateTime<Utc>,
    /// Parsed content of a `.json` file; None when it is not JSON (see `json_error`).
    pub json: Option<serde_json::Value>,
    pub json_error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ManualState {
    pub checked: bool,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// Why a poll gave no data. The text is evidence: it says what happened.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum SourceError {
    #[error("timed out after {}", humantime::format_duration(*.0))]
    Timeout(#[serde(with = "millis")] Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("HTTP {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("response larger than the {limit}-byte cap (max_bytes)")]
    TooLarge { limit: u64 },
    #[error("unparsable response: {0}")]
    Parse(String),
    #[error("query failed: {0}")]
    Query(String),
    #[error("{0}")]
    Io(String),
    #[error("cannot run: {0}")]
    Exec(String),
    #[error("misconfigured: {0}")]
    Config(String),
    #[error("not implemented for this source kind yet: {0}")]
    Unsupported(String),
}

pub mod millis {
    use serde::Serializer;
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}
