//! The war-room alarm band: while a guard ALARM is up or the kill switch is
//! FIRING, HALTED or FAILED, a full-width band across the top of every layout
//! says so in letters as big as the screen allows, black on the alarm's
//! colour (a filled band reads from across a room; under NO_COLOR it is
//! reverse video, still a band).

use super::big;
use crate::release::KillState;
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

/// What the band says: the big word, the line under it, its style.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub word: &'static str,
    pub detail: String,
    pub style: Style,
}

/// The band to show, if any. A kill switch that failed outranks one that is
/// firing, which outranks an alarm, which outranks a proven halt.
pub fn band(app: &App, now: DateTime<Utc>) -> Option<Band> {
    let t = &app.theme;
    // A filled band: black letters on the colour; under NO_COLOR, reverse
    // video (still a band, no colour needed).
    let strong = |c| {
        if t.no_color {
            style::bold(style::fg(t, c)).add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .fg(ratatui::style::Color::Black)
                .bg(c)
                .add_modifier(Modifier::BOLD)
        }
    };
    let kill = app.kill_state();
    let alarm = app.release.alarm.as_ref();
    match (kill, alarm) {
        (KillState::Failed { at, why }, _) => Some(Band {
            word: "KILL FAILED",
            detail: format!(
                "NOT proven halted ({}): {why} · act by hand, K K fires again",
                style::clock(*at)
            ),
            style: strong(t.fail),
        }),
        (KillState::Firing { since }, _) => Some(Band {
            word: "FIRING",
            detail: format!(
                "kill switch actions sent {} ago · waiting for the readback",
                crate::engine::verdict::human_age(now - *since)
            ),
            style: strong(t.warn),
        }),
        (_, Some(alarm)) => Some(Band {
            word: "ALARM",
            // What to do first: a long reason is cut at the band's edge.
            detail: format!("a answers · K K kills · {alarm}"),
            style: strong(t.fail),
        }),
        (KillState::Halted { at, took_ms }, None) => Some(Band {
            word: "HALTED",
            detail: format!(
                "kill switch verified at {} in {took_ms} ms · the ramp is stopped",
                style::clock(*at)
            ),
            style: strong(t.kill),
        }),
        _ => None,
    }
}

/// The band's word alone (what its size depends on).
pub fn word(app: &App) -> Option<&'static str> {
    match (app.kill_state(), app.release.alarm.is_some()) {
        (KillState::Failed { .. }, _) => Some("KILL FAILED"),
        (KillState::Firing { .. }, _) => Some("FIRING"),
        (_, true) => Some("ALARM"),
        (KillState::Halted { .. }, false) => Some("HALTED"),
        _ => None,
    }
}

/// Rows the band wants in a `width` x `height` screen whose layout needs
/// `min_height` rows: a third of the screen at most, never so much that the
/// layout no longer fits (one row at least: the word and its line).
pub fn rows(word: &str, width: u16, height: u16, min_height: u16) -> u16 {
    let room = height.saturating_sub(min_height).min(height / 3).max(1);
    if room < 3 {
        return room.min(height);
    }
    // Big letters, the detail line, and a blank row above and below.
    let letters =
        big::fit_capped(word, width.saturating_sub(2), room - 1, u16::MAX).map_or(1, |s| s.rows);
    (letters + 1 + 2).min(room)
}

/// Splits `area` into the band (when one is up) and the layout's room.
pub fn split(app: &App, area: Rect) -> (Option<Rect>, Rect) {
    let Some(word) = word(app) else {
        return (None, area);
    };
    let (_, min_h) = app.layout.min_size();
    let rows = rows(word, area.width, area.height, min_h).min(area.height);
    let top = Rect::new(area.x, area.y, area.width, rows);
    let rest = Rect::new(area.x, area.y + rows, area.width, area.height - rows);
    (Some(top), rest)
}

pub fn render(f: &mut Frame, area: Rect, band: &Band) {
    if area.is_empty() {
        return;
    }
    f.render_widget(Block::new().style(band.style), area);
    if area.height < 3 {
        let line = Line::from(format!("{} · {}", band.word, band.detail));
        f.render_widget(
            Paragraph::new(line)
                .style(band.style)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let inner = Rect::new(
        area.x + 1,
        area.y,
        area.width.saturating_sub(2),
        area.height,
    );
    let detail_rows = 1;
    let room = inner.height - detail_rows;
    let rows = big::height(band.word, inner.width, room).min(room);
    let top = inner.y + (room - rows) / 2;
    big::render(
        band.word,
        band.style,
        Rect::new(inner.x, top, inner.width, rows),
        f.buffer_mut(),
    );
    f.render_widget(
        Paragraph::new(Line::from(super::fit(&band.detail, inner.width as usize)))
            .style(band.style)
            .alignment(Alignment::Center),
        Rect::new(inner.x, top + rows, inner.width, detail_rows),
    );
}
