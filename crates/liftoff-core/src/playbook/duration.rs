//! Durations as people write them in playbooks: "30s", "2h", "1h30m", "500ms".

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A duration written in the playbook. Parsed with `humantime`, shown back as written.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub Duration);

impl Dur {
    pub const fn secs(s: u64) -> Self {
        Dur(Duration::from_secs(s))
    }
    pub fn as_std(self) -> Duration {
        self.0
    }
    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }
}

impl fmt::Debug for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

/// Parses "30s", "2h", "1h 30m"; the error says what to write instead.
pub fn parse_duration(text: &str) -> Result<Dur, String> {
    parse(text).map_err(|(what, advice)| format!("{what}: {advice}"))
}

const UNITS: &str = "e.g. \"500ms\", \"30s\", \"5m\", \"2h\", \"1h30m\", \"1d\"";

/// The duration, or (what is wrong, what to write instead).
fn parse(text: &str) -> Result<Dur, (String, String)> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err((
            "empty duration".into(),
            format!("write a number and a unit, {UNITS}"),
        ));
    }
    if trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err((
            format!("duration \"{trimmed}\" has no unit"),
            format!("write e.g. \"{trimmed}s\" or \"{trimmed}m\""),
        ));
    }
    // humantime's sums overflow (and panic) on huge numbers: keep its input
    // small, then cap what it gives.
    let longest_number = trimmed
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if trimmed.len() > MAX_TEXT || longest_number > MAX_DIGITS {
        return Err(too_long(trimmed));
    }
    let parsed = humantime::parse_duration(trimmed).map(Dur).map_err(|_| {
        (
            format!("\"{trimmed}\" is not a duration"),
            format!("write a number and a unit, {UNITS}"),
        )
    })?;
    if parsed.0 > MAX {
        return Err(too_long(trimmed));
    }
    Ok(parsed)
}

/// The longest duration a playbook may give (a timeout, a hold, how long an
/// ACK stays valid): a year. Anything longer is a mistake, and would overflow
/// clock arithmetic.
pub const MAX: Duration = Duration::from_secs(365 * 24 * 3600);
/// Characters in a duration ("1h 30m 15s 500ms" is 16).
const MAX_TEXT: usize = 64;
/// Digits in one number ("999999999s" is 31 years).
const MAX_DIGITS: usize = 9;

fn too_long(text: &str) -> (String, String) {
    let shown: String = text.chars().take(MAX_TEXT).collect();
    let cut = if shown.len() < text.len() { "..." } else { "" };
    (
        format!("\"{shown}{cut}\" is longer than liftoff accepts (at most 365 days)"),
        "write a duration of at most \"365d\", e.g. \"30s\", \"2h\", \"7d\"".into(),
    )
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The second line of a custom error becomes the problem's hint (see advice.rs).
        let text = String::deserialize(d).map_err(|_| {
            serde::de::Error::custom(format!(
                "a duration is a string with a unit\nwrite it in quotes with a unit, {UNITS}"
            ))
        })?;
        parse(&text).map_err(|(what, advice)| serde::de::Error::custom(format!("{what}\n{advice}")))
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_units() {
        assert_eq!(parse_duration("30s").unwrap(), Dur::secs(30));
        assert_eq!(parse_duration("2h").unwrap(), Dur::secs(7200));
        assert_eq!(parse_duration("1h30m").unwrap(), Dur::secs(5400));
        assert_eq!(
            parse_duration("500ms").unwrap().as_std(),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn huge_durations_are_refused_not_a_panic() {
        for text in [
            "18446744073709551615s 800ms",
            "10000000000000000000s",
            "366d",
            "9999999years",
            &"1s ".repeat(100),
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(err.contains("at most 365 days"), "{text}: {err}");
        }
        assert_eq!(parse_duration("365d").unwrap().as_std(), MAX);
    }

    #[test]
    fn refuses_missing_unit_with_advice() {
        let err = parse_duration("30").unwrap_err();
        assert!(err.contains("\"30s\""), "{err}");
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
    }
}
