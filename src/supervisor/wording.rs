//! How the supervisor's notices write times, offsets and stages. The cockpit
//! writes them the same way (`tui::style` and the ramp panel re-export these),
//! so a notice and the panel beside it agree.

/// A time as the cockpit prints it: UTC, to the second.
pub fn clock(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%H:%M:%SZ").to_string()
}

/// "30m", "1h30m": a decision point's offset as the playbook writes it.
pub fn offset(d: std::time::Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}

/// A stage's label on the track: its name, plus the percent when the name lacks it.
pub fn stage_label(name: &str, percent: f64) -> String {
    if name.contains('%') {
        name.to_string()
    } else {
        format!("{name} {percent}%")
    }
}
