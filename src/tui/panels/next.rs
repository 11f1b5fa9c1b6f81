//! The war room's "what happens next", big: the one thing the room waits
//! for ("WAITING: Technical Lead ACK", "HOLD 1:34:35", "ANSWER ALARM:
//! entropy-floor") and the stage the ramp is at, with its percent. Big
//! letters are ASCII only (the 8x8 font has nothing else).

use super::big;
use crate::engine::gate::HoldKind;
use crate::engine::Decision;
use crate::ramp::countdown;
use crate::release::KillState;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The next action, as words and their style.
pub fn next_action(app: &App, now: DateTime<Utc>) -> (String, Style) {
    let t = &app.theme;
    let bad = style::bold(style::fg(t, t.fail));
    let wait = style::bold(style::fg(t, t.warn));
    match app.kill_state() {
        KillState::Failed { .. } => return ("KILL FAILED: ACT BY HAND".into(), bad),
        KillState::Firing { .. } => return ("WAITING: KILL READBACK".into(), wait),
        _ => {}
    }
    if app.release.alarm.is_some() {
        let guard = app.release.alarm_guard.clone().unwrap_or_default();
        return (format!("ANSWER ALARM: {guard}").trim().to_string(), bad);
    }
    if matches!(app.kill_state(), KillState::Halted { .. }) {
        return (
            "HALTED: DECIDE (g)".into(),
            style::bold(style::fg(t, t.kill)),
        );
    }
    if app.gate.decision == Decision::NoGo {
        return (holding(app), wait);
    }
    let ramp = app.pb.playbook.ramp.as_ref();
    let next = ramp.and_then(|r| {
        let i = app.release.stage.as_ref().map_or(0, |s| s.index + 1);
        r.stages.get(i)
    });
    if let Some(clock) = countdown(&app.pb.playbook, &app.release, now) {
        if let Some(left) = clock.hold_left.filter(|l| !l.is_zero()) {
            return (format!("HOLD {}", style::hms(left)), wait);
        }
    }
    let go = style::bold(style::fg(t, t.pass));
    match next {
        Some(stage) => (format!("NEXT: ] enters {}", ascii(&stage.name)), go),
        None if ramp.is_some() => ("AT THE LAST STAGE: WATCH".into(), go),
        None => ("GO".into(), go),
    }
}

/// What holds the gate, for the room: the first role without an ACK (by its
/// title), else the first check, with how many more.
fn holding(app: &App) -> String {
    let holds = &app.gate.holds;
    let more = |n: usize| {
        if n > 1 {
            format!(" +{}", n - 1)
        } else {
            String::new()
        }
    };
    let checks: Vec<_> = holds.iter().filter(|h| h.kind != HoldKind::Ack).collect();
    let acks: Vec<_> = holds.iter().filter(|h| h.kind == HoldKind::Ack).collect();
    if let Some(first) = checks.first() {
        return format!("FIX: {}{}", ascii(&first.id), more(checks.len()));
    }
    if let Some(first) = acks.first() {
        let title = app
            .pb
            .playbook
            .roles
            .iter()
            .find(|r| r.id == first.id)
            .and_then(|r| r.title.clone())
            .unwrap_or(first.id.clone());
        return format!("WAITING: {} ACK{}", ascii(&title), more(acks.len()));
    }
    "NO-GO".into()
}

/// The stage and its percent, e.g. "10% (2/5)".
pub fn stage_words(app: &App) -> String {
    let total = app.pb.playbook.ramp.as_ref().map_or(0, |r| r.stages.len());
    match &app.release.stage {
        Some(s) => {
            let pct = format!("{}%", s.percent);
            let name = if ascii(&s.name) == pct {
                pct
            } else {
                format!("{} {pct}", ascii(&s.name))
            };
            format!("STAGE {name} ({}/{total})", s.index + 1)
        }
        None if total > 0 => "RAMP NOT STARTED".into(),
        None => "NO RAMP".into(),
    }
}

/// Big letters are ASCII: anything else becomes `?`.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect()
}

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let inner = super::frame(f, area, app, PanelKind::Next);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let (action, action_style) = next_action(app, now);
    let stage = stage_words(app);
    let stage_style = style::bold(style::accent(t));
    if inner.height < 4 {
        let line = Line::styled(
            super::fit(&format!("{action} · {stage}"), inner.width as usize),
            action_style,
        );
        f.render_widget(Paragraph::new(line).alignment(Alignment::Center), inner);
        return;
    }
    // Two big lines: the action gets two thirds, the stage the rest, and the
    // stage is never drawn bigger than the action.
    let action_room = (inner.height * 2 / 3).max(1);
    let action_rows = big::height(&action, inner.width, action_room).min(action_room);
    let stage_room = inner.height - action_rows;
    let stage_rows = big::fit_capped(&stage, inner.width, stage_room, action_rows)
        .map_or(1, |s| s.rows)
        .min(stage_room);
    let top = inner.y + (inner.height - action_rows - stage_rows) / 2;
    big::render(
        &action,
        action_style,
        Rect::new(inner.x, top, inner.width, action_rows),
        f.buffer_mut(),
    );
    big::render_capped(
        &stage,
        stage_style,
        Rect::new(inner.x, top + action_rows, inner.width, stage_rows),
        f.buffer_mut(),
        action_rows,
    );
}

#[cfg(test)]
mod tests {
    use super::ascii;

    #[test]
    fn big_letters_get_ascii() {
        assert_eq!(ascii("10%"), "10%");
        assert_eq!(ascii("déjà"), "d?j?");
    }
}
