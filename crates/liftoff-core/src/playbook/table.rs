//! A `[source.ID]` table or an action, as written. One flat table of every
//! key any source or action kind takes, so that serde keeps each key's
//! position for error messages. Validation refuses the keys that do not fit
//! the kind (the kind's typed model says which fit) and `model` turns the
//! table into a typed `Source` or `Action`.

use super::duration::Dur;
use super::types::{ActionKind, SourceKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Table<K> {
    pub kind: K,
    #[serde(default)]
    pub interval: Option<Dur>,
    #[serde(default)]
    pub timeout: Option<Dur>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub follow_redirects: bool,
    #[serde(default)]
    pub matchers: Vec<String>,
    #[serde(default)]
    pub include_silenced: bool,
    #[serde(default)]
    pub include_inhibited: bool,
    #[serde(default)]
    pub run: Vec<String>,
    #[serde(default)]
    pub shell: bool,
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub dir: Option<PathBuf>,
    #[serde(default)]
    pub glob: Option<String>,
    #[serde(default)]
    pub max_files: Option<usize>,
    #[serde(default)]
    pub kubeconfig: Option<PathBuf>,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub selector: Option<String>,
    #[serde(default)]
    pub field_selector: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub patch: Option<toml::Value>,
    #[serde(default)]
    pub replicas: Option<i32>,
    #[serde(default)]
    pub json_patch: Option<toml::Value>,
    #[serde(default)]
    pub subresource: Option<String>,
    #[serde(default)]
    pub url_env: Option<String>,
    #[serde(default)]
    pub url_file: Option<PathBuf>,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

/// A `[source.ID]` table; `kind` may be missing (validation says so).
pub type SourceSpec = Table<Option<SourceKind>>;
/// An action (`[ramp] set`, `[kill_switch] actions`, ...).
pub type ActionSpec = Table<ActionKind>;

impl<K: Serialize> Table<K> {
    /// The keys given a value (besides `kind`), in declaration order, so
    /// that a kind can refuse the ones it does not take.
    pub fn set_keys(&self) -> Vec<&'static str> {
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        declared_keys()
            .iter()
            .copied()
            .filter(|key| *key != "kind" && fields.get(*key).is_some_and(is_set))
            .collect()
    }
}

/// Every key a table may hold, in declaration order, as serde knows them:
/// asked of the derived `Deserialize` with a deserializer that only listens.
fn declared_keys() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    use std::sync::OnceLock;

    #[derive(Debug)]
    struct Heard(&'static [&'static str]);
    impl std::fmt::Display for Heard {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields heard")
        }
    }
    impl std::error::Error for Heard {}
    impl de::Error for Heard {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Heard(&[])
        }
    }
    struct Listener;
    impl<'de> de::Deserializer<'de> for Listener {
        type Error = Heard;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Heard> {
            Err(Heard(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Heard> {
            Err(Heard(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(
        || match Table::<Option<SourceKind>>::deserialize(Listener) {
            Err(Heard(fields)) => fields,
            Ok(_) => &[],
        },
    )
}

fn is_set(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    }
}

impl SourceSpec {
    pub fn kind(&self) -> SourceKind {
        self.kind.unwrap_or(SourceKind::Manual)
    }
}
