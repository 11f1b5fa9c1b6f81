//! The war room's countdown: time left in the hold, big, and the next
//! decision point.

use super::big;
use crate::ramp::countdown;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::panels::ramp::stage_label;
use crate::tui::style::{self, hms, offset};
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// (label above, big text, line below, style of the big text).
fn content(app: &App, now: DateTime<Utc>) -> (String, String, String, Style) {
    let t = &app.theme;
    let Some(ramp) = app.pb.playbook.ramp.as_ref() else {
        return (
            "no ramp".into(),
            "--:--".into(),
            String::new(),
            style::muted(t),
        );
    };
    let Some(stage) = app.release.stage.as_ref() else {
        let first = ramp.stages.first().map(|s| stage_label(&s.name, s.percent));
        return (
            "ramp not started".into(),
            "--:--".into(),
            format!("] enters {}", first.unwrap_or_default()),
            style::muted(t),
        );
    };
    let Some(clock) = countdown(&app.pb.playbook, &app.release, now) else {
        return (
            String::new(),
            "--:--".into(),
            String::new(),
            style::muted(t),
        );
    };
    let name = stage_label(&stage.name, stage.percent);
    let below = match &clock.next_decision_point {
        Some(p) if p.left.is_zero() => format!("decision point T+{} is DUE", offset(p.offset)),
        Some(p) => format!(
            "next decision point T+{} in {}",
            offset(p.offset),
            hms(p.left)
        ),
        None => "no decision point pending".into(),
    };
    match clock.hold_left {
        Some(left) if !left.is_zero() => (
            format!("HOLD at {name} · time left"),
            hms(left),
            below,
            style::bold(style::accent(t)),
        ),
        Some(_) => (
            format!("HOLD at {name} complete"),
            "00:00".into(),
            below,
            style::bold(style::fg(t, t.pass)),
        ),
        None => (
            format!("at {name} for"),
            format!("T+{}", hms(clock.elapsed)),
            below,
            style::bold(style::text(t)),
        ),
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let inner = super::frame(f, area, app, PanelKind::Countdown);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let (above, text, below, big_style) = content(app, now);
    if inner.height < 3 {
        let line = format!("{above}: {text} · {below}");
        f.render_widget(Paragraph::new(line).style(big_style), inner);
        return;
    }
    let room = inner.height - 2;
    let rows = big::height(&text, inner.width, room).min(room);
    let top = inner.y + (room - rows) / 2;
    let label = Paragraph::new(Line::styled(above, style::bold(style::text(t))))
        .alignment(Alignment::Center);
    f.render_widget(label, Rect::new(inner.x, top, inner.width, 1));
    big::render(
        &text,
        big_style,
        Rect::new(inner.x, top + 1, inner.width, rows),
        f.buffer_mut(),
    );
    let under = Paragraph::new(Line::styled(below, style::text(t))).alignment(Alignment::Center);
    f.render_widget(under, Rect::new(inner.x, top + 1 + rows, inner.width, 1));
}
