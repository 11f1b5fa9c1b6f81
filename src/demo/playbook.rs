//! The demo playbook: a template (assets/demo/playbook.template.toml) filled in with
//! the addresses of this run's servers and folder.

use std::path::Path;

pub const TEMPLATE: &str = include_str!("../../assets/demo/playbook.template.toml");

/// Base URLs (`http://127.0.0.1:PORT`) of the demo's servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub prometheus: String,
    pub alertmanager: String,
    pub exporter: String,
    pub ops: String,
}

/// Replaces the template's placeholders. Values land inside TOML basic
/// strings, so they are escaped as such; anything else in braces (`{percent}`,
/// JSON in a command) is left alone.
pub fn render_playbook(template: &str, endpoints: &Endpoints, demo_dir: &Path) -> String {
    let dir = demo_dir.to_string_lossy();
    let vars: [(&str, &str); 5] = [
        ("{prom_url}", &endpoints.prometheus),
        ("{alertmanager_url}", &endpoints.alertmanager),
        ("{exporter_url}", &endpoints.exporter),
        ("{ops_url}", &endpoints.ops),
        ("{demo_dir}", &dir),
    ];
    vars.iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(key, &toml_escape(value))
        })
}

/// Escapes text for the inside of a TOML basic ("...") string.
fn toml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
