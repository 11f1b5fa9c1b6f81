//! Small TOML files the user may drop into their config folder (themes,
//! layouts): where that folder is, and how a problem in such a file is reported
//! (file:line:col, what is wrong, what to write) — the same shape as playbook
//! problems, so every bad file reads alike.

use crate::playbook::{line_col, suggest, Problem};
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// `$XDG_CONFIG_HOME/liftoff`, else `~/.config/liftoff` (None without a home).
pub fn user_config_dir() -> Option<PathBuf> {
    config_dir_from(
        std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

fn config_dir_from(xdg: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    match xdg.filter(|p| p.is_absolute()) {
        Some(x) => Some(x.join("liftoff")),
        None => home.map(|h| h.join(".config").join("liftoff")),
    }
}

/// The text of one config file and where it came from, for messages.
pub struct ConfigText<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl<'a> ConfigText<'a> {
    /// A problem at byte `offset` of the text.
    pub fn problem(
        &self,
        offset: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Problem {
        let (line, col) = line_col(self.text, offset);
        Problem {
            file: self.file.to_path_buf(),
            line,
            col,
            message: message.into(),
            hint,
        }
    }

    /// Parses the TOML syntax; a syntax error becomes a located problem.
    pub fn parse(&self) -> Result<Spanned<DeTable<'a>>, Problem> {
        DeTable::parse(self.text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            self.problem(offset, e.message().trim().to_string(), None)
        })
    }

    /// "unknown key" with a "did you mean" among `valid`.
    pub fn unknown_key(&self, key: &Spanned<std::borrow::Cow<'_, str>>, valid: &[&str]) -> Problem {
        let name = key.get_ref().as_ref();
        let hint = match suggest(name, valid.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("valid keys here: {}", valid.join(", ")),
        };
        self.problem(
            key.span().start,
            format!("unknown key `{name}`"),
            Some(hint),
        )
    }
}

/// A non-negative integer value, or why not.
pub fn as_u16(value: &DeValue<'_>) -> Option<u16> {
    let int = value.as_integer()?;
    u16::from_str_radix(&int.as_str().replace('_', ""), int.radix()).ok()
}

/// Names of the `*.toml` files in `dir` (without the extension), sorted.
pub fn toml_names_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(String::from))
        .collect();
    names.sort();
    names
}

/// A theme or layout name is a file name: no separators, no `..`, nothing hidden.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Built-in names, then the user's own files in `config_dir/folder`, without duplicates.
pub fn available_names(builtin: &[&str], config_dir: Option<&Path>, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = builtin.iter().map(|s| s.to_string()).collect();
    if let Some(dir) = config_dir {
        for n in toml_names_in(&dir.join(folder)) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names
}

/// "unknown theme \"x\"; did you mean ...", with where the user's own files go.
pub fn unknown_name_message(kind: &str, folder: &str, name: &str, names: &[String]) -> String {
    let mut msg = format!("unknown {kind} \"{name}\"");
    if let Some(s) = suggest(name, names.iter().map(String::as_str)) {
        msg.push_str(&format!("; did you mean \"{s}\"?"));
    }
    msg.push_str(&format!(
        "\n  hint: {folder} are: {}; or add your own as {folder}/{name}.toml in the liftoff config folder ($XDG_CONFIG_HOME/liftoff or ~/.config/liftoff)",
        names.join(", ")
    ));
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_wins_over_home_and_relative_xdg_is_ignored() {
        let home = Some(PathBuf::from("/home/ann"));
        assert_eq!(
            config_dir_from(Some("/x".into()), home.clone()),
            Some(PathBuf::from("/x/liftoff"))
        );
        assert_eq!(
            config_dir_from(Some("rel".into()), home.clone()),
            Some(PathBuf::from("/home/ann/.config/liftoff"))
        );
        assert_eq!(config_dir_from(None, None), None);
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "a = 1\nb = \n";
        let doc = ConfigText {
            file: Path::new("t.toml"),
            text,
        };
        let p = doc.parse().expect_err("a syntax error");
        assert_eq!(p.line, 2);
    }
}
