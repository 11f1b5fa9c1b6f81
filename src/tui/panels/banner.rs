//! The banner: GO / NO-GO / HALTED in letters a room can read, and what holds
//! the gate back.

use super::{big, fit};
use crate::engine::Decision;
use crate::release::KillState;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// The word the banner shows and its style.
pub fn word(app: &App) -> (&'static str, Style) {
    let t = &app.theme;
    if matches!(app.kill_state(), KillState::Halted { .. }) {
        return ("HALTED", style::bold(style::fg(t, t.kill)));
    }
    (
        app.gate.decision.word(),
        style::decision(t, app.gate.decision),
    )
}

/// "3 holding: no-pages, entropy, oncall +1", "2 of 5 sources down: prom
/// 127.0.0.1:9090 refused +1 · 33 holding", or why it is GO.
pub fn holds_line(app: &App, width: usize) -> String {
    let holds = &app.gate.holds;
    if app.gate.decision == Decision::Go {
        return fit(
            "all required checks pass · every gate role has ACKed",
            width,
        );
    }
    // Sources down: the cause first, then how much it holds.
    if let Some(down) = super::sources::summary(app, width) {
        let with = format!("{down} · {} holding", holds.len());
        if UnicodeWidthStr::width(with.as_str()) <= width {
            return with;
        }
        return down;
    }
    let ids: Vec<&str> = holds.iter().map(|h| h.id.as_str()).collect();
    for shown in (1..=ids.len()).rev() {
        let more = ids.len() - shown;
        let tail = if more > 0 {
            format!(" +{more}")
        } else {
            String::new()
        };
        let line = format!("{} holding: {}{tail}", ids.len(), ids[..shown].join(", "));
        if UnicodeWidthStr::width(line.as_str()) <= width {
            return line;
        }
    }
    fit(&format!("{} holding", ids.len()), width)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, _now: DateTime<Utc>) {
    let t = &app.theme;
    // A frame costs two rows: only when the big letters still fit at full size.
    let inner = if area.height >= 12 {
        super::frame(f, area, app, PanelKind::Banner)
    } else {
        area
    };
    if inner.is_empty() {
        return;
    }
    let (text, word_style) = word(app);
    let mut lines: Vec<Line> = vec![Line::styled(
        holds_line(app, inner.width as usize),
        style::bold(style::text(t)),
    )];
    if let Some(alarm) = &app.release.alarm {
        lines.push(Line::from(vec![
            Span::styled("ALARM ", style::bold(style::fg(t, t.fail))),
            // What to do comes first: a long reason is cut at the panel's edge.
            Span::styled("(a answers · K K kills) ", style::bold(style::accent(t))),
            Span::styled(alarm.clone(), style::text(t)),
        ]));
    }
    if inner.height <= 2 {
        // Too low for big letters: one plain line says it all.
        let holds = holds_line(app, inner.width as usize);
        let line = Line::from(vec![
            Span::styled(format!("{text} "), word_style),
            Span::styled(holds, style::text(t)),
        ]);
        f.render_widget(Paragraph::new(line), inner);
        return;
    }
    // The holds (and an alarm) always show; the letters get the rest, at the
    // biggest size that fits; the last decision only takes a row left over.
    let needed = (lines.len() as u16).min(inner.height - 1);
    let big_rows = big::height(text, inner.width, inner.height - needed).min(inner.height - needed);
    if inner.height - big_rows - needed > 0 {
        if let Some(d) = &app.release.last_decision {
            lines.push(Line::styled(
                format!(
                    "last decision: {} by {} at {}",
                    d.decision,
                    d.by,
                    style::clock(d.at)
                ),
                style::muted(t),
            ));
        }
    }
    let text_rows = (lines.len() as u16).min(inner.height - big_rows);
    lines.truncate(text_rows as usize);
    let top = inner.y + (inner.height - big_rows - text_rows) / 2;
    let big_area = Rect::new(inner.x, top, inner.width, big_rows);
    big::render(text, word_style, big_area, f.buffer_mut());
    let text_area = Rect::new(inner.x, big_area.bottom(), inner.width, text_rows);
    f.render_widget(
        Paragraph::new(lines).alignment(ratatui::layout::Alignment::Center),
        text_area,
    );
}
