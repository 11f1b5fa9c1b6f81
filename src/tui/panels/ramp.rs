//! The ramp: stages as a track with the current one highlighted, the hold's
//! progress and the next decision point.

use crate::ramp::{countdown, stage_spec};
use crate::release::KillState;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style::{self, hms, offset};
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};
use ratatui::Frame;

pub use crate::supervisor::wording::stage_label;

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let inner = super::frame(f, area, app, PanelKind::Ramp);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let Some(ramp) = app.pb.playbook.ramp.as_ref() else {
        f.render_widget(
            Paragraph::new("no ramp in this playbook").style(style::muted(t)),
            inner,
        );
        return;
    };
    let current = app.release.stage.as_ref();
    let at = current.map(|s| s.index);
    let mut track: Vec<Span> = Vec::new();
    for (i, st) in ramp.stages.iter().enumerate() {
        if i > 0 {
            track.push(Span::styled(" ─ ", style::muted(t)));
        }
        let label = stage_label(&st.name, st.percent);
        let span = match at {
            Some(c) if i < c => Span::styled(
                format!("✔ {label}"),
                style::status(t, crate::engine::Status::Pass),
            ),
            Some(c) if i == c => Span::styled(
                format!("{}{label}", style::MARK),
                style::selected(t).add_modifier(Modifier::UNDERLINED),
            ),
            _ => Span::styled(label, style::muted(t)),
        };
        track.push(span);
    }
    let mut lines = vec![Line::from(track)];
    let mut gauge: Option<f64> = None;
    match current {
        // After a kill: what the kill's readback proved, and the way back
        // (`ramp::whereabouts`, the words `liftoff status` prints).
        None if app.release.halted_from.is_some() || app.release.kill != KillState::Ready => {
            if let Some(w) = crate::ramp::whereabouts(&app.pb.playbook, &app.release, now) {
                lines.push(Line::styled(w.proven, style::bold(style::fg(t, t.warn))));
                lines.push(Line::styled(format!("next: {}", w.next), style::text(t)));
            }
        }
        None => {
            let first = ramp.stages.first().map(|s| stage_label(&s.name, s.percent));
            lines.push(Line::styled(
                format!("not started · ] enters {}", first.unwrap_or_default()),
                style::text(t),
            ));
        }
        Some(stage) => {
            let pb = &app.pb.playbook;
            let clock = countdown(pb, &app.release, now);
            let elapsed = clock.as_ref().map(|c| c.elapsed).unwrap_or_default();
            let mut head = format!(
                "at {} since {} (T+{})",
                stage_label(&stage.name, stage.percent),
                style::clock(stage.entered_at),
                hms(elapsed)
            );
            if let Some((hold, left)) = clock.as_ref().and_then(|c| c.hold.zip(c.hold_left)) {
                head.push_str(&format!(" · hold {}: {} left", hms(hold), hms(left)));
                let total = hold.as_secs_f64().max(1.0);
                gauge = Some((elapsed.as_secs_f64() / total).clamp(0.0, 1.0));
            }
            lines.push(Line::styled(head, style::bold(style::text(t))));
            let points = stage_spec(pb, stage).map_or(0, |s| s.decision_points.len());
            let done = stage.decision_points_done.len();
            let next = clock.as_ref().and_then(|c| c.next_decision_point.as_ref());
            lines.push(match next {
                Some(p) if p.left.is_zero() => Line::styled(
                    format!(
                        "decision point T+{} is due: recording the checks",
                        offset(p.offset)
                    ),
                    style::bold(style::fg(t, t.warn)),
                ),
                Some(p) => Line::styled(
                    format!(
                        "next decision point T+{} in {} ({done}/{points} recorded)",
                        offset(p.offset),
                        hms(p.left),
                    ),
                    style::text(t),
                ),
                None if points > 0 => {
                    Line::styled("every decision point recorded", style::muted(t))
                }
                None => Line::styled("no decision points in this stage", style::muted(t)),
            });
            let next = ramp.stages.get(stage.index + 1);
            lines.push(match next {
                Some(n) if n.acks.is_empty() => Line::styled(
                    format!("next: {} · ] enters", stage_label(&n.name, n.percent)),
                    style::muted(t),
                ),
                Some(n) => Line::styled(
                    format!(
                        "next: {} · needs ACK: {} · ] enters",
                        stage_label(&n.name, n.percent),
                        n.acks.join(", ")
                    ),
                    style::muted(t),
                ),
                None => Line::styled("last stage", style::muted(t)),
            });
        }
    }
    let text_h = (lines.len() as u16).min(inner.height);
    f.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, text_h),
    );
    if let Some(ratio) = gauge {
        if inner.height > text_h {
            let g = LineGauge::default()
                .ratio(ratio)
                .label(format!("hold {:>3.0}%", ratio * 100.0))
                // Different symbols too: the bar must read without colour.
                .filled_symbol("━")
                .unfilled_symbol("┄")
                .filled_style(style::accent(t))
                .unfilled_style(style::muted(t));
            f.render_widget(g, Rect::new(inner.x, inner.y + text_h, inner.width, 1));
        }
    }
}
