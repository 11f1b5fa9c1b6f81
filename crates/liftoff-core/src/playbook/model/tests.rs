use super::*;
use crate::playbook::table::{ActionSpec, SourceSpec};
use crate::playbook::{ActionKind, SourceKind};

#[test]
fn key_lists_come_from_the_fields_parts_first() {
    assert_eq!(
        source_keys(SourceKind::Alertmanager),
        [
            "interval",
            "timeout",
            "max_bytes",
            "url",
            "token_env",
            "token_file",
            "follow_redirects",
            "matchers",
            "include_silenced",
            "include_inhibited"
        ]
    );
    assert_eq!(
        action_keys(ActionKind::Http),
        [
            "timeout",
            "url",
            "token_env",
            "token_file",
            "method",
            "body"
        ]
    );
}

#[test]
fn every_key_a_kind_takes_is_a_key_of_the_flat_table() {
    let table = SourceSpec::default();
    let json = serde_json::to_value(&table).unwrap();
    let kinds = [
        SourceKind::Prometheus,
        SourceKind::Scrape,
        SourceKind::Alertmanager,
        SourceKind::Kubernetes,
        SourceKind::Artifacts,
        SourceKind::Http,
        SourceKind::Command,
        SourceKind::Sql,
        SourceKind::Manual,
    ];
    let action_kinds = [
        ActionKind::Command,
        ActionKind::Http,
        ActionKind::Kubernetes,
    ];
    let all = kinds
        .into_iter()
        .flat_map(source_keys)
        .chain(action_kinds.into_iter().flat_map(action_keys));
    for key in all {
        assert!(json.get(key).is_some(), "`{key}` is not a playbook key");
    }
}

#[test]
fn set_keys_are_the_written_ones_in_declaration_order() {
    let table: SourceSpec =
        toml::from_str("kind = \"command\"\nshell = true\nrun = [\"true\"]\nurl = \"x\"\n")
            .unwrap();
    assert_eq!(table.set_keys(), ["url", "run", "shell"]);
}

#[test]
fn a_table_becomes_its_kinds_variant_with_defaults() {
    let table: SourceSpec =
        toml::from_str("kind = \"prometheus\"\nurl = \"http://p:9090\"\ntoken_env = \"T\"\n")
            .unwrap();
    let source = Source::from(&table);
    assert_eq!(source.kind(), SourceKind::Prometheus);
    assert_eq!(source.polling, Polling::default());
    let http = source.http().expect("prometheus speaks http");
    assert_eq!(http.target.url, "http://p:9090");
    assert_eq!(http.target.token_env.as_deref(), Some("T"));

    let action: ActionSpec =
        toml::from_str("kind = \"command\"\nrun = [\"make\", \"halt\"]\ntimeout = \"3s\"\n")
            .unwrap();
    let action = Action::from(&action);
    assert_eq!(action.timeout.as_std(), std::time::Duration::from_secs(3));
    match action.config {
        ActionConfig::Command(c) => assert_eq!(c.run, ["make", "halt"]),
        other => panic!("a command action became {other:?}"),
    }
}

#[test]
fn an_action_is_typed_as_it_is_read_and_keeps_its_table() {
    let entry: ActionEntry =
        toml::from_str("kind = \"http\"\nurl = \"http://127.0.0.1:8080/halt\"\n").unwrap();
    assert_eq!(
        entry.table.url.as_deref(),
        Some("http://127.0.0.1:8080/halt")
    );
    assert_eq!(entry.action.timeout, DEFAULT_ACTION_TIMEOUT);
    match &entry.action.config {
        ActionConfig::Http(h) => {
            assert_eq!(h.target.url, "http://127.0.0.1:8080/halt");
            assert_eq!(h.method, None);
        }
        other => panic!("an http action became {other:?}"),
    }
    // An unknown key is still serde's refusal, from the table.
    let err = toml::from_str::<ActionEntry>("kind = \"http\"\nmetod = \"POST\"\n").unwrap_err();
    assert!(err.to_string().contains("unknown field `metod`"), "{err}");
}
