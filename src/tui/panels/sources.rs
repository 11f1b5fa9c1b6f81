//! The root-cause rollup: failures grouped by source, not by check. When a
//! Prometheus is down, thirty checks go UNKNOWN; the room needs the one
//! cause ("8 of 14 sources down: prom 127.0.0.1:9090 refused"), with the
//! last error and when each source last answered.

use crate::tui::app::App;
use chrono::{DateTime, Utc};

/// A source whose last poll failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Down {
    pub source: String,
    /// Where it was asked ("127.0.0.1:9090", "make preflight").
    pub origin: String,
    /// The error, short ("refused", "timed out after 2s", ...).
    pub what: String,
    /// The error in full.
    pub error: String,
    pub last_good: Option<DateTime<Utc>>,
}

/// Sources that failed their last poll, in name order, and how many are polled.
pub fn down(app: &App) -> (Vec<Down>, usize) {
    let out = app
        .sources
        .iter()
        .filter(|(_, h)| h.last_ok == Some(false))
        .map(|(id, h)| {
            let error = h.error.clone().unwrap_or_else(|| "no data".into());
            let origin = app
                .observations
                .get(id)
                .map(|o| short_origin(&o.origin))
                .unwrap_or_default();
            Down {
                source: id.clone(),
                origin,
                what: short_error(&error),
                error,
                last_good: h.last_success,
            }
        })
        .collect();
    (out, app.sources.len())
}

/// "http://127.0.0.1:9090/api/v1/query" -> "127.0.0.1:9090".
fn short_origin(origin: &str) -> String {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// The part of an error an SRE reads first.
pub fn short_error(error: &str) -> String {
    let lower = error.to_lowercase();
    for (needle, say) in [
        ("connection refused", "refused"),
        ("refused", "refused"),
        ("dns error", "DNS failed"),
        ("no such file", "no such file"),
        ("permission denied", "permission denied"),
        ("certificate", "TLS certificate refused"),
    ] {
        if lower.contains(needle) {
            return say.into();
        }
    }
    if lower.starts_with("timed out") {
        return error.to_string();
    }
    let first = error.split(':').next().unwrap_or(error).trim();
    super::fit(first, 40)
}

/// "prom 127.0.0.1:9090 refused".
pub fn one(d: &Down) -> String {
    if d.origin.is_empty() {
        format!("{} {}", d.source, d.what)
    } else {
        format!("{} {} {}", d.source, d.origin, d.what)
    }
}

/// "last good 3m ago" / "never answered".
pub fn last_good(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(at) => format!(
            "last good {} ago",
            crate::engine::verdict::human_age(now - at)
        ),
        None => "never answered".into(),
    }
}

/// "8 of 14 sources down: prom 127.0.0.1:9090 refused, pages … +6", fitted
/// to `width`; None when every source answers.
pub fn summary(app: &App, width: usize) -> Option<String> {
    let (down, total) = down(app);
    if down.is_empty() {
        return None;
    }
    let head = format!("{} of {total} sources down", down.len());
    let names: Vec<String> = down.iter().map(one).collect();
    for shown in (1..=names.len()).rev() {
        let more = names.len() - shown;
        let tail = if more > 0 {
            format!(" +{more}")
        } else {
            String::new()
        };
        let line = format!("{head}: {}{tail}", names[..shown].join(", "));
        if unicode_width::UnicodeWidthStr::width(line.as_str()) <= width {
            return Some(line);
        }
    }
    Some(super::fit(&head, width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_origins_said_short() {
        assert_eq!(
            short_origin("http://127.0.0.1:9090/api/v1/query"),
            "127.0.0.1:9090"
        );
        assert_eq!(short_origin("make preflight"), "make preflight");
        assert_eq!(
            short_error("cannot connect: error sending request: tcp connect error: Connection refused (os error 111)"),
            "refused"
        );
        assert_eq!(short_error("timed out after 2s"), "timed out after 2s");
        assert_eq!(short_error("HTTP 500: boom"), "HTTP 500");
    }
}
