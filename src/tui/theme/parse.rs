//! Reading one theme file: every key a meaning, every value a colour, any
//! mistake located by line and column.

use super::Theme;
use crate::config_file::ConfigText;
use crate::playbook::{suggest, Problem};
use ratatui::style::Color;
use std::path::Path;
use std::str::FromStr;
use toml::de::DeValue;

/// The colour keys, in `Theme` field order.
pub const COLOR_KEYS: [&str; 12] = [
    "pass",
    "warn",
    "fail",
    "unknown",
    "accent",
    "text",
    "muted",
    "background",
    "border",
    "kill",
    "selection_fg",
    "selection_bg",
];

/// Keys that are not colours.
const OTHER_KEYS: [&str; 2] = ["extends", "description"];

/// Colour names a file may use (for "did you mean").
const COLOR_NAMES: &[&str] = &[
    "reset",
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "dark-gray",
    "light-red",
    "light-green",
    "light-yellow",
    "light-blue",
    "light-magenta",
    "light-cyan",
    "white",
];

/// What one file sets.
#[derive(Debug, Default)]
pub struct Patch {
    pub extends: Option<String>,
    colors: Vec<(usize, Color)>,
}

impl Patch {
    pub fn apply(&self, theme: &mut Theme) {
        let slots = theme.colors_mut();
        for (i, c) in &self.colors {
            *slots[*i] = *c;
        }
    }

    fn sets(&self, index: usize) -> bool {
        self.colors.iter().any(|(i, _)| *i == index)
    }
}

/// Parses a (possibly partial) theme file.
pub fn patch(file: &Path, text: &str) -> Result<Patch, Problem> {
    let doc = ConfigText { file, text };
    let root = doc.parse()?;
    let mut out = Patch::default();
    let valid: Vec<&str> = COLOR_KEYS
        .iter()
        .chain(OTHER_KEYS.iter())
        .copied()
        .collect();
    for (key, value) in root.get_ref().iter() {
        let k = key.get_ref().as_ref();
        let at = value.span().start;
        if let Some(i) = COLOR_KEYS.iter().position(|c| *c == k) {
            let color = color(value.get_ref()).map_err(|(msg, hint)| doc.problem(at, msg, hint))?;
            out.colors.push((i, color));
        } else if k == "extends" {
            let name = value
                .get_ref()
                .as_str()
                .ok_or_else(|| doc.problem(at, "`extends` takes a theme name in quotes", None))?;
            if !Theme::builtin_names().contains(&name) {
                let hint = match suggest(name, Theme::builtin_names().iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!(
                        "extends names a built-in theme: {}",
                        Theme::builtin_names().join(", ")
                    ),
                };
                return Err(doc.problem(
                    at,
                    format!("unknown built-in theme \"{name}\""),
                    Some(hint),
                ));
            }
            out.extends = Some(name.to_string());
        } else if k == "description" {
            if value.get_ref().as_str().is_none() {
                return Err(doc.problem(at, "`description` takes a string in quotes", None));
            }
        } else {
            return Err(doc.unknown_key(key, &valid));
        }
    }
    Ok(out)
}

/// Parses a built-in theme, which must set every colour.
pub fn complete(file: &Path, text: &str, name: &str) -> Result<Theme, Problem> {
    let p = patch(file, text)?;
    let doc = ConfigText { file, text };
    if let Some(missing) = (0..COLOR_KEYS.len()).find(|i| !p.sets(*i)) {
        return Err(doc.problem(
            0,
            format!("built-in theme sets no `{}`", COLOR_KEYS[missing]),
            None,
        ));
    }
    let mut theme = Theme {
        name: name.to_string(),
        pass: Color::Reset,
        warn: Color::Reset,
        fail: Color::Reset,
        unknown: Color::Reset,
        accent: Color::Reset,
        text: Color::Reset,
        muted: Color::Reset,
        background: Color::Reset,
        border: Color::Reset,
        kill: Color::Reset,
        selection_fg: Color::Reset,
        selection_bg: Color::Reset,
        no_color: false,
    };
    p.apply(&mut theme);
    Ok(theme)
}

const COLOR_HINT: &str =
    "write a colour name (\"red\", \"dark-gray\", \"light-blue\"), \"#rrggbb\", or an index 0-255";

fn color(value: &DeValue<'_>) -> Result<Color, (String, Option<String>)> {
    match value {
        DeValue::String(s) => Color::from_str(s.trim()).map_err(|_| {
            let hint = match suggest(&s.to_lowercase(), COLOR_NAMES.iter().copied()) {
                Some(n) => format!("did you mean \"{n}\"?"),
                None => COLOR_HINT.to_string(),
            };
            (format!("\"{s}\" is not a colour"), Some(hint))
        }),
        DeValue::Integer(_) => crate::config_file::as_u16(value)
            .and_then(|n| u8::try_from(n).ok())
            .map(Color::Indexed)
            .ok_or_else(|| {
                (
                    "a colour index must be between 0 and 255".to_string(),
                    Some(COLOR_HINT.to_string()),
                )
            }),
        other => Err((
            format!("a colour cannot be a {}", other.type_str()),
            Some(COLOR_HINT.to_string()),
        )),
    }
}
