//! A source as the rest of liftoff reads it: one variant per kind, holding
//! only what that kind takes.

use super::keyed::{keyed, Keys};
use super::parts::{CommandSpec, HttpPoll, KubeTarget};
use crate::playbook::duration::Dur;
use crate::playbook::SourceKind;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const DEFAULT_INTERVAL: Dur = Dur::secs(10);
pub const DEFAULT_TIMEOUT: Dur = Dur::secs(5);
pub const DEFAULT_MAX_BYTES: u64 = 4 * 1024 * 1024;

keyed! {
    /// What every kind of source takes.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Polling {
        pub interval: Dur,
        pub timeout: Dur,
        /// Cap on the bytes read from a response or a command's output.
        pub max_bytes: u64,
    }
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// One validated `[source.ID]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub polling: Polling,
    pub config: SourceConfig,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    Prometheus(HttpPoll),
    Scrape(HttpPoll),
    Alertmanager(AlertmanagerSource),
    Kubernetes(KubeSource),
    Artifacts(ArtifactsSource),
    Http(HttpSource),
    Command(CommandSpec),
    Sql(SqlSource),
    Manual(ManualSource),
}

keyed! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct AlertmanagerSource [http: HttpPoll] {
        pub matchers: Vec<String>,
        pub include_silenced: bool,
        pub include_inhibited: bool,
    }
}

keyed! {
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct KubeSource [target: KubeTarget] {
        pub selector: Option<String>,
        pub field_selector: Option<String>,
    }
}

keyed! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct ArtifactsSource {
        pub dir: PathBuf,
        pub glob: Option<String>,
        pub max_files: Option<usize>,
    }
}

keyed! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct HttpSource [http: HttpPoll] {
        pub method: Option<String>,
        /// Extra request headers; values name the environment variables holding them.
        pub headers: BTreeMap<String, String>,
        pub body: Option<String>,
    }
}

keyed! {
    /// The connection string is a secret: it comes from the environment or a file.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SqlSource {
        pub url_env: Option<String>,
        pub url_file: Option<PathBuf>,
        pub query: String,
    }
}

keyed! {
    /// An item people tick; its state comes from the journal.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ManualSource {
        pub title: Option<String>,
        pub role: Option<String>,
    }
}

impl Source {
    pub fn kind(&self) -> SourceKind {
        match &self.config {
            SourceConfig::Prometheus(_) => SourceKind::Prometheus,
            SourceConfig::Scrape(_) => SourceKind::Scrape,
            SourceConfig::Alertmanager(_) => SourceKind::Alertmanager,
            SourceConfig::Kubernetes(_) => SourceKind::Kubernetes,
            SourceConfig::Artifacts(_) => SourceKind::Artifacts,
            SourceConfig::Http(_) => SourceKind::Http,
            SourceConfig::Command(_) => SourceKind::Command,
            SourceConfig::Sql(_) => SourceKind::Sql,
            SourceConfig::Manual(_) => SourceKind::Manual,
        }
    }

    /// The endpoint of a source that speaks HTTP.
    pub fn http(&self) -> Option<&HttpPoll> {
        match &self.config {
            SourceConfig::Prometheus(h) | SourceConfig::Scrape(h) => Some(h),
            SourceConfig::Alertmanager(a) => Some(&a.http),
            SourceConfig::Http(h) => Some(&h.http),
            _ => None,
        }
    }
}

/// The keys a source of `kind` takes besides `kind`, from its types.
pub fn source_keys(kind: SourceKind) -> Vec<&'static str> {
    let own = match kind {
        SourceKind::Prometheus | SourceKind::Scrape => HttpPoll::keys(),
        SourceKind::Alertmanager => AlertmanagerSource::keys(),
        SourceKind::Kubernetes => KubeSource::keys(),
        SourceKind::Artifacts => ArtifactsSource::keys(),
        SourceKind::Http => HttpSource::keys(),
        SourceKind::Command => CommandSpec::keys(),
        SourceKind::Sql => SqlSource::keys(),
        SourceKind::Manual => ManualSource::keys(),
    };
    Polling::keys().into_iter().chain(own).collect()
}
