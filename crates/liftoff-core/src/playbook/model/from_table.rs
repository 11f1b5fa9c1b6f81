//! Flat table -> typed model. Run on tables `validate` accepted: a required
//! key it has already asked for is never missing here, so none is defaulted
//! in earnest.

use super::action::{Action, ActionConfig, HttpAction, KubeAction, DEFAULT_ACTION_TIMEOUT};
use super::parts::{CommandSpec, HttpPoll, HttpTarget, KubeTarget};
use super::source::*;
use crate::playbook::table::{ActionSpec, SourceSpec, Table};
use crate::playbook::{ActionKind, SourceKind};

impl From<&SourceSpec> for Source {
    fn from(t: &SourceSpec) -> Self {
        let defaults = Polling::default();
        let polling = Polling {
            interval: t.interval.unwrap_or(defaults.interval),
            timeout: t.timeout.unwrap_or(defaults.timeout),
            max_bytes: t.max_bytes.unwrap_or(defaults.max_bytes),
        };
        let config = match t.kind() {
            SourceKind::Prometheus => SourceConfig::Prometheus(http_poll(t)),
            SourceKind::Scrape => SourceConfig::Scrape(http_poll(t)),
            SourceKind::Alertmanager => SourceConfig::Alertmanager(AlertmanagerSource {
                http: http_poll(t),
                matchers: t.matchers.clone(),
                include_silenced: t.include_silenced,
                include_inhibited: t.include_inhibited,
            }),
            SourceKind::Kubernetes => SourceConfig::Kubernetes(KubeSource {
                target: kube_target(t),
                selector: t.selector.clone(),
                field_selector: t.field_selector.clone(),
            }),
            SourceKind::Artifacts => SourceConfig::Artifacts(ArtifactsSource {
                dir: t.dir.clone().unwrap_or_default(),
                glob: t.glob.clone(),
                max_files: t.max_files,
            }),
            SourceKind::Http => SourceConfig::Http(HttpSource {
                http: http_poll(t),
                method: t.method.clone(),
                headers: t.headers.clone(),
                body: t.body.clone(),
            }),
            SourceKind::Command => SourceConfig::Command(command(t)),
            SourceKind::Sql => SourceConfig::Sql(SqlSource {
                url_env: t.url_env.clone(),
                url_file: t.url_file.clone(),
                query: t.query.clone().unwrap_or_default(),
            }),
            SourceKind::Manual => SourceConfig::Manual(ManualSource {
                title: t.title.clone(),
                role: t.role.clone(),
            }),
        };
        Source { polling, config }
    }
}

impl From<&ActionSpec> for Action {
    fn from(t: &ActionSpec) -> Self {
        let config = match t.kind {
            ActionKind::Command => ActionConfig::Command(command(t)),
            ActionKind::Http => ActionConfig::Http(HttpAction {
                target: http_target(t),
                method: t.method.clone(),
                body: t.body.clone(),
            }),
            ActionKind::Kubernetes => ActionConfig::Kubernetes(KubeAction {
                target: kube_target(t),
                patch: t.patch.clone(),
                replicas: t.replicas,
                json_patch: t.json_patch.clone(),
                subresource: t.subresource.clone(),
            }),
        };
        Action {
            timeout: t.timeout.unwrap_or(DEFAULT_ACTION_TIMEOUT),
            config,
        }
    }
}

fn http_target<K>(t: &Table<K>) -> HttpTarget {
    HttpTarget {
        url: t.url.clone().unwrap_or_default(),
        token_env: t.token_env.clone(),
        token_file: t.token_file.clone(),
    }
}

fn http_poll<K>(t: &Table<K>) -> HttpPoll {
    HttpPoll {
        target: http_target(t),
        follow_redirects: t.follow_redirects,
    }
}

fn command<K>(t: &Table<K>) -> CommandSpec {
    CommandSpec {
        run: t.run.clone(),
        shell: t.shell,
        cwd: t.cwd.clone(),
        env: t.env.clone(),
    }
}

fn kube_target<K>(t: &Table<K>) -> KubeTarget {
    KubeTarget {
        kubeconfig: t.kubeconfig.clone(),
        context: t.context.clone(),
        namespace: t.namespace.clone(),
        resource: t.resource.clone().unwrap_or_default(),
        api_version: t.api_version.clone(),
        name: t.name.clone(),
    }
}
