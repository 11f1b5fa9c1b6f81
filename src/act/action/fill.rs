//! `{percent}` and `{stage}` filled into an action's arguments, URL, body and
//! patches, so one ramp `set` serves every stage.

use crate::expr::format_number;
use crate::playbook::patch;
use serde_json::Value;

/// Values filled into `{percent}` and `{stage}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fill {
    pub percent: Option<f64>,
    pub stage: Option<String>,
}

impl Fill {
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Some(p) = self.percent {
            out = out.replace("{percent}", &format_number(p));
        }
        if let Some(s) = &self.stage {
            out = out.replace("{stage}", s);
        }
        out
    }
}

/// The playbook's `json_patch` list as an RFC 6902 patch, `{percent}`/`{stage}`
/// filled in its strings.
pub fn json_patch(ops: &toml::Value, fill: &Fill) -> Result<json_patch::Patch, String> {
    patch::json_patch(ops, |s| fill.apply(s))
}

/// The playbook's `patch` table as JSON, `{percent}`/`{stage}` filled in its strings
/// (a ramp stage may patch `RL_INFLUENCE = "{percent}"`).
pub fn merge_patch(table: &toml::Value, fill: &Fill) -> Result<Value, String> {
    patch::merge_patch(table, |s| fill.apply(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fill_percent_and_stage() {
        let f = Fill {
            percent: Some(10.0),
            stage: Some("10%".into()),
        };
        assert_eq!(f.apply("PCT={percent} S={stage}"), "PCT=10 S=10%");
        assert_eq!(Fill::default().apply("PCT={percent}"), "PCT={percent}");
        let half = Fill {
            percent: Some(2.5),
            stage: None,
        };
        assert_eq!(half.apply("{percent}"), "2.5");
    }

    #[test]
    fn patch_tables_become_json_with_fills() {
        let t: toml::Value =
            toml::from_str("data = { EXECUTION_HALTED = \"1\", PCT = \"{percent}\" }").unwrap();
        let fill = Fill {
            percent: Some(25.0),
            stage: None,
        };
        assert_eq!(
            merge_patch(&t, &fill).unwrap(),
            json!({"data": {"EXECUTION_HALTED": "1", "PCT": "25"}})
        );
    }
}
