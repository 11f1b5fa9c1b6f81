//! The playbook as data. Every key a user may write lives here; `docs/playbook.md`
//! documents each one. Unknown keys are refused (`deny_unknown_fields`) so a typo
//! never silently turns a check off.

use super::duration::Dur;
use super::model::ActionEntry;
use super::table::SourceSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    pub release: Release,
    #[serde(default, rename = "role")]
    pub roles: Vec<Role>,
    #[serde(default, rename = "source")]
    pub sources: BTreeMap<String, SourceSpec>,
    #[serde(default, rename = "check")]
    pub checks: Vec<Check>,
    #[serde(default)]
    pub ramp: Option<Ramp>,
    #[serde(default, rename = "guard")]
    pub guards: Vec<Guard>,
    #[serde(default)]
    pub kill_switch: Option<KillSwitch>,
    #[serde(default, rename = "rollback")]
    pub rollbacks: Vec<Rollback>,
    #[serde(default, rename = "notify")]
    pub notifications: Vec<Notify>,
    /// Symptom -> action entries (the on-call runbook), shown beside failing checks.
    #[serde(default, rename = "runbook")]
    pub runbook: Vec<RunbookEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_audit_dir")]
    pub audit_dir: PathBuf,
    /// Where the journal lives; the file under `audit_dir` unless set (e.g. `etcd://...`).
    #[serde(default)]
    pub journal: Option<String>,
    /// etcd journal: the environment variable holding the etcd user name.
    #[serde(default)]
    pub journal_user_env: Option<String>,
    /// etcd journal: the environment variable holding that user's password.
    #[serde(default)]
    pub journal_password_env: Option<String>,
    /// etcd journal over TLS (`etcds://`): the CA certificate (PEM) that signed the members'.
    #[serde(default)]
    pub journal_ca_file: Option<PathBuf>,
    /// etcd journal over TLS: a client certificate (PEM), with `journal_key_file`.
    #[serde(default)]
    pub journal_cert_file: Option<PathBuf>,
    /// etcd journal over TLS: the client certificate's private key (PEM).
    #[serde(default)]
    pub journal_key_file: Option<PathBuf>,
    /// A keyed journal (HMAC-SHA256 chain): the environment variable holding the key.
    #[serde(default)]
    pub journal_hmac_key_env: Option<String>,
    /// A keyed journal: a file holding the key (one of this or `journal_hmac_key_env`).
    #[serde(default)]
    pub journal_hmac_key_file: Option<PathBuf>,
    #[serde(default)]
    pub ack_valid_for: Option<Dur>,
    #[serde(default)]
    pub distinct_roles: bool,
    #[serde(default)]
    pub go_acks: Vec<String>,
    /// Whether a WARN on a required check still allows GO (default true).
    #[serde(default = "yes")]
    pub allow_warn: bool,
}

fn default_audit_dir() -> PathBuf {
    PathBuf::from("artifacts/audit")
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Contact handle shown beside the role (e.g. "@oncall-primary").
    #[serde(default)]
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Prometheus,
    Scrape,
    Alertmanager,
    Kubernetes,
    Artifacts,
    Http,
    Command,
    Sql,
    Manual,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Prometheus => "prometheus",
            SourceKind::Scrape => "scrape",
            SourceKind::Alertmanager => "alertmanager",
            SourceKind::Kubernetes => "kubernetes",
            SourceKind::Artifacts => "artifacts",
            SourceKind::Http => "http",
            SourceKind::Command => "command",
            SourceKind::Sql => "sql",
            SourceKind::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub source: String,
    /// prometheus: PromQL; scrape: a series selector; sql: SQL for a baseline;
    /// other kinds: a CEL expression giving the number a baseline records.
    #[serde(default)]
    pub query: Option<String>,
    pub pass: String,
    #[serde(default)]
    pub warn: Option<String>,
    #[serde(default)]
    pub max_age: Option<Dur>,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub blocker: bool,
    #[serde(default)]
    pub runbook: Option<String>,
    /// Expression shown as the check's value (default: `value`, `count`, ...).
    #[serde(default)]
    pub show: Option<String>,
    /// Names a baseline recorded in the journal; the condition sees it as `baseline`.
    #[serde(default)]
    pub baseline: Option<String>,
    /// Roles whose holders may waive this check for a time (`liftoff waive`);
    /// empty: the check cannot be waived.
    #[serde(default)]
    pub waivable_by: Vec<String>,
}

impl Check {
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }
    pub fn section(&self) -> &str {
        self.section.as_deref().unwrap_or("Checks")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    Command,
    Http,
    Kubernetes,
}

impl ActionKind {
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Command => "command",
            ActionKind::Http => "http",
            ActionKind::Kubernetes => "kubernetes",
        }
    }
}

/// A proof that an action took effect: a condition over a fresh read of a source.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Readback {
    pub source: String,
    #[serde(default)]
    pub query: Option<String>,
    pub pass: String,
    #[serde(default)]
    pub timeout: Option<Dur>,
    /// Pause between reads while waiting for `pass`.
    #[serde(default)]
    pub every: Option<Dur>,
}

pub const DEFAULT_READBACK_TIMEOUT: Dur = Dur::secs(10);

impl Readback {
    pub fn timeout(&self) -> Dur {
        self.timeout.unwrap_or(DEFAULT_READBACK_TIMEOUT)
    }
    pub fn every(&self) -> Dur {
        self.every
            .unwrap_or(Dur(std::time::Duration::from_millis(200)))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    pub set: ActionEntry,
    #[serde(default)]
    pub readback: Option<Readback>,
    #[serde(default, rename = "stage")]
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub name: String,
    pub percent: f64,
    #[serde(default)]
    pub hold: Option<Dur>,
    #[serde(default)]
    pub decision_points: Vec<Dur>,
    #[serde(default)]
    pub acks: Vec<String>,
    /// Overrides the ramp's `set` for this stage (e.g. a different toggle set).
    #[serde(default)]
    pub set: Option<ActionEntry>,
    /// Run when stepping back out of this stage (default: the previous stage's `set`).
    #[serde(default)]
    pub undo: Option<ActionEntry>,
    /// Proves this stage's share was set (default: the ramp's `readback`).
    #[serde(default)]
    pub readback: Option<Readback>,
    /// Checks that must PASS to enter this stage (besides the gate).
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Baselines (names a check or guard gives in `baseline`) recorded when the
    /// stage is entered going forward: the value its check or guard sees then.
    #[serde(default)]
    pub record_baselines: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnTrip {
    Kill,
    Alarm,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub source: String,
    #[serde(default)]
    pub query: Option<String>,
    pub trip: String,
    #[serde(default, rename = "for")]
    pub for_: Option<Dur>,
    pub on_trip: OnTrip,
    /// A number drawn as the threshold line on the metrics panel.
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub runbook: Option<String>,
    /// Names a baseline recorded in the journal; the trip condition sees it as `baseline`.
    #[serde(default)]
    pub baseline: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KillSwitch {
    pub actions: Vec<ActionEntry>,
    pub verify: Readback,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub actions: Vec<ActionEntry>,
    pub verify: Readback,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyKind {
    Slack,
    Webhook,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    pub kind: NotifyKind,
    /// Webhook URLs carry credentials: they come from the environment or a file.
    #[serde(default)]
    pub url_env: Option<String>,
    #[serde(default)]
    pub url_file: Option<PathBuf>,
    /// Which events to send (default: all). See docs/playbook.md for the names.
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub timeout: Option<Dur>,
}

pub const NOTIFY_EVENTS: &[&str] = &[
    "decision",
    "stage_entered",
    "decision_point",
    "guard_tripped",
    "kill_fired",
    "kill_verified",
    "kill_failed",
    "rollback",
    "override",
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookEntry {
    pub symptom: String,
    pub action: String,
    /// Checks or guards this entry is shown beside.
    #[serde(default)]
    pub checks: Vec<String>,
}
