//! The demo playbook: a template (assets/demo/playbook.template.toml) filled in with
//! the addresses of this run's servers and folder, and its guards' `for` put
//! on the demo's clock: `{sim:30s}` is 30 simulated seconds, written as the
//! wall time they take at `--speed` (3s at 10x), so a guard holds for as long
//! in the demo's story whatever the speed.

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
pub fn render_playbook(
    template: &str,
    endpoints: &Endpoints,
    demo_dir: &Path,
    speed: f64,
) -> String {
    let dir = demo_dir.to_string_lossy();
    let vars: [(&str, &str); 5] = [
        ("{prom_url}", &endpoints.prometheus),
        ("{alertmanager_url}", &endpoints.alertmanager),
        ("{exporter_url}", &endpoints.exporter),
        ("{ops_url}", &endpoints.ops),
        ("{demo_dir}", &dir),
    ];
    let text = vars
        .iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(key, &toml_escape(value))
        });
    on_demo_clock(&text, speed)
}

/// Replaces each `{sim:DURATION}` with the wall time DURATION of simulated
/// time takes at `speed` (in milliseconds, at least 1). A placeholder that
/// does not parse is left as it is (the playbook's loader then names it).
pub fn on_demo_clock(text: &str, speed: f64) -> String {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{sim:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 5..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        match humantime::parse_duration(&after[..end]) {
            Ok(sim) => {
                let wall_ms = (sim.as_secs_f64() * 1000.0 / speed).round().max(1.0);
                out.push_str(&format!("{wall_ms}ms"));
            }
            Err(_) => out.push_str(&rest[start..start + 5 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod clock_tests {
    use super::on_demo_clock;

    #[test]
    fn sim_durations_become_wall_time_at_the_speed() {
        assert_eq!(
            on_demo_clock(r#"for = "{sim:30s}""#, 10.0),
            r#"for = "3000ms""#
        );
        assert_eq!(
            on_demo_clock(r#"for = "{sim:1m}""#, 1.0),
            r#"for = "60000ms""#
        );
        assert_eq!(
            on_demo_clock("{sim:bad} {percent}", 2.0),
            "{sim:bad} {percent}"
        );
        assert_eq!(on_demo_clock("{sim:30s", 2.0), "{sim:30s");
    }
}
