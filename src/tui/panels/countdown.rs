//! The war room's countdown: time left in the hold, big, and the next
//! decision point. The line below says less in a narrow panel (the
//! commander's is 28 columns) but always keeps the time left to the point.

use super::big;
use crate::ramp::{countdown, NextPoint};
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
use unicode_width::UnicodeWidthStr;

/// The line below the clock, longest first: the first that fits is shown.
type Below = Vec<String>;

/// (label above, big text, line below, style of the big text).
fn content(app: &App, now: DateTime<Utc>) -> (String, String, Below, Style) {
    let t = &app.theme;
    let Some(ramp) = app.pb.playbook.ramp.as_ref() else {
        return (
            "no ramp".into(),
            "--:--".into(),
            Vec::new(),
            style::muted(t),
        );
    };
    let Some(stage) = app.release.stage.as_ref() else {
        let first = ramp.stages.first().map(|s| stage_label(&s.name, s.percent));
        return (
            "ramp not started".into(),
            "--:--".into(),
            vec![format!("] enters {}", first.unwrap_or_default())],
            style::muted(t),
        );
    };
    let Some(clock) = countdown(&app.pb.playbook, &app.release, now) else {
        return (String::new(), "--:--".into(), Vec::new(), style::muted(t));
    };
    let name = stage_label(&stage.name, stage.percent);
    let below = decision_point(clock.next_decision_point.as_ref());
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
        let line = format!(
            "{above}: {text} · {}",
            below.first().cloned().unwrap_or_default()
        );
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
    let below = fit(&below, inner.width);
    let under = Paragraph::new(Line::styled(below, style::text(t))).alignment(Alignment::Center);
    f.render_widget(under, Rect::new(inner.x, top + 1 + rows, inner.width, 1));
}

/// The next decision point, said shorter and shorter; the time left (or DUE)
/// is in every form, the words around it go first.
fn decision_point(next: Option<&NextPoint>) -> Below {
    let Some(p) = next else {
        return vec![
            "no decision point pending".into(),
            "no point pending".into(),
            "none pending".into(),
        ];
    };
    let at = format!("T+{}", offset(p.offset));
    if p.left.is_zero() {
        return vec![
            format!("decision point {at} is DUE"),
            format!("decision {at} DUE"),
            format!("{at} DUE"),
            "DUE".into(),
        ];
    }
    let left = hms(p.left);
    vec![
        format!("next decision point {at} in {left}"),
        format!("next decision {at} in {left}"),
        format!("next {at} in {left}"),
        format!("{at} in {left}"),
        format!("{at} {left}"),
        left,
    ]
}

/// The longest form that fits `width` columns (the shortest if none does).
fn fit(forms: &[String], width: u16) -> String {
    forms
        .iter()
        .find(|f| f.width() <= usize::from(width))
        .or(forms.last())
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn point(offset: u64, left: u64) -> NextPoint {
        NextPoint {
            offset: Duration::from_secs(offset),
            left: Duration::from_secs(left),
        }
    }

    #[test]
    fn the_time_left_survives_every_width() {
        let forms = decision_point(Some(&point(1800, 252)));
        let shown: Vec<String> = [40, 28, 20, 14, 11, 10, 2]
            .into_iter()
            .map(|w| fit(&forms, w))
            .collect();
        assert_eq!(
            shown,
            [
                "next decision point T+30m in 04:12",
                "next decision T+30m in 04:12",
                "next T+30m in 04:12",
                "T+30m in 04:12",
                "T+30m 04:12",
                "04:12",
                "04:12",
            ]
            .map(String::from)
        );
    }

    #[test]
    fn due_and_none_pending_shorten_too() {
        let due = decision_point(Some(&point(3600, 0)));
        assert_eq!(fit(&due, 28), "decision point T+1h is DUE");
        assert_eq!(fit(&due, 12), "T+1h DUE");
        assert_eq!(fit(&decision_point(None), 20), "no point pending");
    }
}
