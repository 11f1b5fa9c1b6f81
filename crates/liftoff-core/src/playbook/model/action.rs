//! An action as the runners read it: one variant per kind.

use super::keyed::{keyed, Keys};
use super::parts::{CommandSpec, HttpTarget, KubeTarget};
use crate::playbook::duration::Dur;
use crate::playbook::table::ActionSpec;
use crate::playbook::ActionKind;
use serde::{Deserialize, Serialize};

pub const DEFAULT_ACTION_TIMEOUT: Dur = Dur::secs(30);

/// An action as written (`table`: what validation reads and points into)
/// and as run (`action`). serde reads the table, keeping each key's
/// position, and types it at once; the typed form of a table validation
/// refuses is never run, because the whole playbook is refused.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(from = "ActionSpec", into = "ActionSpec")]
pub struct ActionEntry {
    pub table: ActionSpec,
    pub action: Action,
}

impl From<ActionSpec> for ActionEntry {
    fn from(table: ActionSpec) -> Self {
        ActionEntry {
            action: Action::from(&table),
            table,
        }
    }
}

impl From<ActionEntry> for ActionSpec {
    fn from(entry: ActionEntry) -> Self {
        entry.table
    }
}

/// One action: set the ramp, halt, roll back.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub timeout: Dur,
    pub config: ActionConfig,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionConfig {
    Command(CommandSpec),
    Http(HttpAction),
    Kubernetes(KubeAction),
}

keyed! {
    /// One request (POST unless `method` says); redirects are never
    /// followed: an action goes where the playbook says.
    #[derive(Debug, Clone, PartialEq)]
    pub struct HttpAction [target: HttpTarget] {
        pub method: Option<String>,
        pub body: Option<String>,
    }
}

keyed! {
    /// A merge patch, a JSON patch (RFC 6902) and/or a scale of one object.
    #[derive(Debug, Clone, PartialEq)]
    pub struct KubeAction [target: KubeTarget] {
        pub patch: Option<toml::Value>,
        pub replicas: Option<i32>,
        pub json_patch: Option<toml::Value>,
        /// Where the patches go: the object (default) or its `status`
        /// subresource (what a controller reads, e.g. Argo Rollouts' `status.abort`).
        pub subresource: Option<String>,
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match &self.config {
            ActionConfig::Command(_) => ActionKind::Command,
            ActionConfig::Http(_) => ActionKind::Http,
            ActionConfig::Kubernetes(_) => ActionKind::Kubernetes,
        }
    }
}

/// The keys an action of `kind` takes besides `kind`, from its types.
pub fn action_keys(kind: ActionKind) -> Vec<&'static str> {
    let own = match kind {
        ActionKind::Command => CommandSpec::keys(),
        ActionKind::Http => HttpAction::keys(),
        ActionKind::Kubernetes => KubeAction::keys(),
    };
    ["timeout"].into_iter().chain(own).collect()
}
