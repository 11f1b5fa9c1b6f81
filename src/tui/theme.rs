//! Themes: colours keyed by meaning. INTERFACE STUB — the themes work fills
//! this in (themes/*.toml embedded with include_str!, user overrides, NO_COLOR).
//! STABLE INTERFACE: `Theme` fields and `Theme::load`, `Theme::builtin_names`.

use ratatui::style::Color;

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
    #[error("unknown theme \"{0}\"")]
    Unknown(String),
}

impl Theme {
    pub fn builtin_names() -> &'static [&'static str] {
        &["dark"]
    }

    pub fn load(name: &str) -> Result<Theme, ThemeError> {
        match name {
            "dark" => Ok(Theme::dark()),
            other => Err(ThemeError::Unknown(other.into())),
        }
    }

    fn dark() -> Theme {
        Theme {
            name: "dark".into(),
            pass: Color::Green,
            warn: Color::Yellow,
            fail: Color::Red,
            unknown: Color::Magenta,
            accent: Color::Cyan,
            text: Color::White,
            muted: Color::DarkGray,
            background: Color::Reset,
            border: Color::DarkGray,
            kill: Color::Red,
            selection_fg: Color::Black,
            selection_bg: Color::Cyan,
            no_color: false,
        }
    }
}
