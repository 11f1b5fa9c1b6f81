//! Below the layout's minimum size: say so, and what is needed.

use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn message(app: &App, area: Rect) -> String {
    let (w, h) = app.layout.min_size();
    format!(
        "terminal too small: need {w}x{h}, have {}x{}",
        area.width, area.height
    )
}

/// A built-in layout that fits `area`, other than the one shown, if any:
/// the only one worth suggesting.
fn one_that_fits(app: &App, area: Rect) -> Option<String> {
    crate::tui::layout::Layout::builtin_names()
        .iter()
        .filter(|n| **n != app.layout.name)
        .filter_map(|n| crate::tui::layout::Layout::load(n).ok())
        .find(|l| l.fits(area))
        .map(|l| l.name)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(
        message(app, area),
        style::bold(style::text(t)),
    )];
    // The gate still shows: the one word that matters most.
    let (word, word_style) = crate::tui::panels::banner::word(app);
    let (kill, _, _) = crate::tui::panels::kill::state(app, now);
    let hint = match one_that_fits(app, area) {
        Some(name) => format!(" · L: next layout ({name} fits)"),
        None => " · enlarge the terminal".to_string(),
    };
    let gate = Line::styled(format!("{word} · kill switch {kill}{hint}"), word_style);
    // In a sliver of a pane, the gate comes first: it is what matters most.
    if area.height < 4 {
        lines.insert(0, gate);
    } else {
        lines.push(gate);
    }
    let h = (lines.len() as u16 * 2).min(area.height);
    let top = area.y + (area.height - h) / 2;
    f.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect::new(area.x, top, area.width, area.height - (top - area.y)),
    );
}
