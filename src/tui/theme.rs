//! Themes: colours keyed by meaning (pass, fail, kill...), never by place.
//!
//! Built-ins live in `themes/*.toml`, embedded in the binary. A file of the
//! same name in the user's config folder (`$XDG_CONFIG_HOME/liftoff/themes/`,
//! else `~/.config/liftoff/themes/`) overrides it key by key; a file with a new
//! name starts from `extends` (default `dark`). A bad file is an error naming
//! the file, line and column — never a silent fallback. With `NO_COLOR` set,
//! every colour is `Reset` and `no_color` tells panels to mark selection and
//! verdicts by symbol and weight instead. See docs/themes-and-layouts.md.

mod parse;

use crate::config_file::{available_names, is_plain_name, unknown_name_message, user_config_dir};
use crate::playbook::Problem;
use ratatui::style::Color;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub pass: Color,
    pub warn: Color,
    pub fail: Color,
    pub unknown: Color,
    pub accent: Color,
    pub text: Color,
    pub muted: Color,
    pub background: Color,
    pub border: Color,
    pub kill: Color,
    pub selection_fg: Color,
    pub selection_bg: Color,
    /// NO_COLOR: every colour is `Color::Reset`; selection is shown by a marker and bold.
    pub no_color: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("{}", unknown_message(.0))]
    Unknown(String),
    #[error("cannot read theme file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}\ntheme refused")]
    Invalid(Problem),
}

/// The built-in themes, in the order `t` cycles through them.
const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// The default theme, and the base of a user theme that names no `extends`.
pub(crate) const DEFAULT_THEME: &str = "dark";

impl Theme {
    pub fn builtin_names() -> &'static [&'static str] {
        &["dark", "light", "high-contrast", "colorblind"]
    }

    /// Loads `name` from the user's config folder or the built-ins, honouring
    /// `NO_COLOR` (set and not empty, as no-color.org defines it).
    pub fn load(name: &str) -> Result<Theme, ThemeError> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::load_with(name, user_config_dir().as_deref(), no_color)
    }

    /// `load` without the environment: `config_dir` is the liftoff config
    /// folder (its `themes/` subfolder is searched), `no_color` strips colour.
    pub(crate) fn load_with(
        name: &str,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let theme = resolve(name, config_dir)?;
        Ok(if no_color {
            theme.without_color()
        } else {
            theme
        })
    }

    /// Built-in names, then the user's own themes, without duplicates.
    pub(crate) fn available(config_dir: Option<&Path>) -> Vec<String> {
        available_names(Theme::builtin_names(), config_dir, "themes")
    }

    /// Checks a (possibly partial) theme file's text without loading it.
    #[cfg(test)]
    pub(crate) fn parse_patch(file: &Path, text: &str) -> Result<(), Problem> {
        parse::patch(file, text).map(|_| ())
    }

    /// The same theme with every colour `Reset` (NO_COLOR).
    pub(crate) fn without_color(mut self) -> Theme {
        for c in self.colors_mut() {
            *c = Color::Reset;
        }
        self.no_color = true;
        self
    }

    fn colors_mut(&mut self) -> [&mut Color; 12] {
        [
            &mut self.pass,
            &mut self.warn,
            &mut self.fail,
            &mut self.unknown,
            &mut self.accent,
            &mut self.text,
            &mut self.muted,
            &mut self.background,
            &mut self.border,
            &mut self.kill,
            &mut self.selection_fg,
            &mut self.selection_bg,
        ]
    }
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn resolve(name: &str, config_dir: Option<&Path>) -> Result<Theme, ThemeError> {
    if !is_plain_name(name) {
        return Err(ThemeError::Unknown(name.into()));
    }
    let user_file = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
    let user_text = match &user_file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(ThemeError::Read {
                    path: path.clone(),
                    source,
                })
            }
        },
        None => None,
    };
    let builtin = builtin_text(name);
    let Some(user_text) = user_text else {
        return match builtin {
            Some(text) => builtin_theme(name, text),
            None => Err(ThemeError::Unknown(name.into())),
        };
    };
    let path = user_file.unwrap_or_default();
    let patch = parse::patch(&path, &user_text).map_err(ThemeError::Invalid)?;
    // A user file named like a built-in refines that built-in; a new name
    // starts from `extends`, else the default.
    let base_name = match (builtin, &patch.extends) {
        (_, Some(ext)) => ext.as_str(),
        (Some(_), None) => name,
        (None, None) => DEFAULT_THEME,
    };
    let base_text = builtin_text(base_name).ok_or_else(|| ThemeError::Unknown(base_name.into()))?;
    let mut theme = builtin_theme(base_name, base_text)?;
    patch.apply(&mut theme);
    theme.name = name.to_string();
    Ok(theme)
}

fn builtin_theme(name: &str, text: &str) -> Result<Theme, ThemeError> {
    let path = PathBuf::from(format!("themes/{name}.toml (built-in)"));
    parse::complete(&path, text, name).map_err(ThemeError::Invalid)
}

fn unknown_message(name: &str) -> String {
    let names = Theme::available(user_config_dir().as_deref());
    unknown_name_message("theme", "themes", name, &names)
}

#[cfg(test)]
mod tests;
