//! The typed playbook model: what validation turns each flat `Table` into.
//! A source or an action is an enum with one variant per kind, each holding
//! only what that kind takes; sources and actions share `HttpTarget`,
//! `CommandSpec` and `KubeTarget`. The keys each kind accepts are read off
//! these types (`Keys`), so the types and the validation cannot drift.

mod action;
mod from_table;
mod keyed;
mod parts;
mod source;

pub use action::{
    action_keys, Action, ActionConfig, ActionEntry, HttpAction, KubeAction, DEFAULT_ACTION_TIMEOUT,
};
pub use keyed::Keys;
pub use parts::{CommandSpec, HttpPoll, HttpTarget, KubeTarget};
pub use source::{
    source_keys, AlertmanagerSource, ArtifactsSource, HttpSource, KubeSource, ManualSource,
    Polling, Source, SourceConfig, SqlSource, DEFAULT_INTERVAL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT,
};

#[cfg(test)]
mod tests;
