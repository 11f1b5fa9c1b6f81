//! The status line: the latest notice, lasting conditions, the sources that
//! are down (error, when they last answered), then those that answer ("up",
//! with the age of their last answer), the layout and theme names, `? help`.

use super::age;
use crate::engine::Status;
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let t = &app.theme;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(n) = app.notice_at(now) {
        let st = if n.bad {
            style::bold(style::status(t, Status::Fail))
        } else {
            style::bold(style::accent(t))
        };
        spans.push(Span::styled(format!("{} ", n.text), st));
        spans.push(Span::styled("│ ", style::muted(t)));
    }
    for text in app.conditions.values() {
        spans.push(Span::styled(
            format!("{text} "),
            style::bold(style::status(t, Status::Fail)),
        ));
        spans.push(Span::styled("│ ", style::muted(t)));
    }
    // Down sources first, each with its error and when it last answered;
    // then the ones that answer, as "up" (never ✔: a source answering is
    // not a check passing, and a check on it may fail).
    let (down, _) = super::sources::down(app);
    for d in &down {
        spans.push(Span::styled(
            format!(
                "✖ {} down: {}, {} ",
                d.source,
                d.what,
                super::sources::last_good(d.last_good, now)
            ),
            style::bold(style::status(t, Status::Fail)),
        ));
    }
    let mut up: Vec<Span> = Vec::new();
    for (id, h) in app.sources.iter().filter(|(_, h)| h.last_ok != Some(false)) {
        let (text, st) = match (h.polling, h.last_ok) {
            (true, _) => (format!("{id} …"), style::muted(t)),
            (false, Some(_)) => (format!("{id} {}", age(h.last_at, now)), style::muted(t)),
            (false, None) => (format!("{id} not yet"), style::status(t, Status::Unknown)),
        };
        up.push(Span::styled(format!("{text} "), st));
    }
    if !up.is_empty() {
        spans.push(Span::styled("up: ", style::status(t, Status::Pass)));
        spans.extend(up);
    }
    // The right end always shows where help is, whatever the sources take.
    // The focused panel's keys where there is room for them and the sources;
    // they give way to a notice (it answers what was just done, in full).
    let hint = if area.width >= 140 && app.notice_at(now).is_none() {
        format!(" │ {}", hints(app))
    } else {
        String::new()
    };
    let right = format!("{hint} │ {} · {} · ? help", app.layout.name, app.theme.name);
    let right_w = (right.chars().count() as u16).min(area.width);
    let left = Rect::new(area.x, area.y, area.width - right_w, area.height);
    let right_area = Rect::new(left.right(), area.y, right_w, area.height);
    f.render_widget(Paragraph::new(Line::from(spans)), left);
    f.render_widget(
        Paragraph::new(Span::styled(right, style::muted(t))),
        right_area,
    );
}

/// The keys that matter in the focused panel, one short line.
pub fn hints(app: &App) -> &'static str {
    use crate::tui::layout::PanelKind as P;
    match app.focus {
        P::Checklist => "Enter evidence · Space tick · / filter · z zoom",
        P::Summary => "Enter open section · z zoom",
        P::Roles => "a ACK this role · z zoom",
        P::Alerts => "/ filter · z zoom",
        P::Metrics => "↑↓ guard · z zoom",
        P::Kill => "K K halts · Esc disarms",
        P::Ramp | P::Countdown | P::Next => "] next stage · [ back · g decide",
        P::Journal => "z zoom",
        P::Banner | P::Status => ": commands",
    }
}
