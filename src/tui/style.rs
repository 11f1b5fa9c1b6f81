//! Styles by meaning, from the theme. With NO_COLOR (`theme.no_color`) no
//! colour is ever set: meaning is carried by symbols, words, bold and the `▶`
//! selection marker instead (reverse video alone would vanish for some users).

use super::layout::PanelKind;
use super::theme::Theme;
use crate::engine::{Decision, Status};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

/// The selection marker: visible without colour.
pub const MARK: &str = "▶ ";
pub const NO_MARK: &str = "  ";

/// The marker column of a list row: `▶ ` on the selected row.
pub fn mark(selected: bool) -> Span<'static> {
    Span::raw(if selected { MARK } else { NO_MARK })
}

/// A list row, shown selected when it is the selected row of the focused panel.
pub fn row<'a>(theme: &Theme, spans: Vec<Span<'a>>, highlighted: bool) -> Line<'a> {
    if highlighted {
        Line::from(
            spans
                .into_iter()
                .map(|s| s.patch_style(selected(theme)))
                .collect::<Vec<_>>(),
        )
    } else {
        Line::from(spans)
    }
}

pub fn fg(theme: &Theme, color: Color) -> Style {
    if theme.no_color {
        Style::default()
    } else {
        Style::default().fg(color)
    }
}

pub fn bg(theme: &Theme, color: Color) -> Style {
    if theme.no_color {
        Style::default()
    } else {
        Style::default().bg(color)
    }
}

pub fn text(theme: &Theme) -> Style {
    fg(theme, theme.text)
}

pub fn muted(theme: &Theme) -> Style {
    fg(theme, theme.muted)
}

pub fn accent(theme: &Theme) -> Style {
    fg(theme, theme.accent)
}

pub fn bold(style: Style) -> Style {
    style.add_modifier(Modifier::BOLD)
}

pub fn status_color(theme: &Theme, status: Status) -> Color {
    match status {
        Status::Pass => theme.pass,
        Status::Warn => theme.warn,
        Status::Fail => theme.fail,
        Status::Unknown => theme.unknown,
    }
}

pub fn status(theme: &Theme, status: Status) -> Style {
    fg(theme, status_color(theme, status))
}

pub fn decision(theme: &Theme, d: Decision) -> Style {
    bold(fg(
        theme,
        match d {
            Decision::Go => theme.pass,
            Decision::NoGo => theme.fail,
        },
    ))
}

/// The selected row: bold always, the theme's selection colours when allowed.
pub fn selected(theme: &Theme) -> Style {
    let s = Style::default().add_modifier(Modifier::BOLD);
    if theme.no_color {
        s
    } else {
        s.fg(theme.selection_fg).bg(theme.selection_bg)
    }
}

/// The frame of a panel; the focused one has a thick border and a marked title.
pub fn panel<'a>(theme: &Theme, title: &'a str, focused: bool) -> Block<'a> {
    let (border, title_style, kind) = if focused {
        (accent(theme), bold(accent(theme)), BorderType::Thick)
    } else {
        (
            fg(theme, theme.border),
            bold(text(theme)),
            BorderType::Plain,
        )
    };
    let title = if focused {
        format!("{MARK}{title} ")
    } else {
        format!(" {title} ")
    };
    Block::bordered()
        .border_type(kind)
        .border_style(border)
        .title(ratatui::text::Span::styled(title, title_style))
}

/// Title shown on each panel.
pub fn panel_title(kind: PanelKind) -> &'static str {
    match kind {
        PanelKind::Banner => "Gate",
        PanelKind::Checklist => "Go/No-Go checklist",
        PanelKind::Summary => "Summary",
        PanelKind::Ramp => "Ramp",
        PanelKind::Countdown => "Countdown",
        PanelKind::Next => "Next",
        PanelKind::Roles => "Roles",
        PanelKind::Kill => "Kill switch",
        PanelKind::Alerts => "Alerts",
        PanelKind::Metrics => "Guards",
        PanelKind::Journal => "Journal",
        PanelKind::Status => "Status",
    }
}

// A time as the cockpit prints it, and a decision point's offset: written
// as the supervisor's notices write them.
pub use crate::supervisor::wording::{clock, offset};

/// "1:02:03", "12:34" (under an hour): clocks as a countdown shows them.
pub fn hms(d: std::time::Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn clocks_read_as_clocks() {
        assert_eq!(hms(Duration::from_secs(3723)), "1:02:03");
        assert_eq!(hms(Duration::from_secs(754)), "12:34");
        assert_eq!(offset(Duration::from_secs(5400)), "1h30m");
    }
}
