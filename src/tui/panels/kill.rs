//! The kill switch: a large block naming its key and its state. The state is
//! only ever what the readback proved (FIRING, HALTED, FAILED), plus the
//! cockpit-local ARMED window. Idle, it names its keys ("K K TO HALT"), never
//! a word that could pass for release readiness next to the verdict; with
//! its readback source down it says UNVERIFIABLE: K K still fires, but
//! nothing could prove the halt.

use super::{big, fit};
use crate::release::KillState;
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph};
use ratatui::Frame;

/// (state word, detail line, style of the block).
pub fn state(app: &App, now: DateTime<Utc>) -> (&'static str, String, Style) {
    let t = &app.theme;
    if let Some(left) = app.kill_armed(now) {
        let secs = (left.num_milliseconds() + 999) / 1000;
        return (
            "ARMED",
            format!("press K again to HALT · {secs}s left · Esc disarms"),
            style::bold(style::fg(t, t.kill)),
        );
    }
    let (word, detail, st) = of_state(app, now);
    if app.kill_kept_locally() {
        // The other cockpits do not know yet: say why, and that it is safe.
        return (word, format!("{detail} · {KEPT_SHORT}"), st);
    }
    (word, detail, st)
}

/// `supervisor::actuator::KEPT`, short enough for the kill panel.
const KEPT_SHORT: &str = "kept locally until the journal returns";

/// The idle word: the keys and what they do, big.
pub const IDLE: &str = "K K TO HALT";
/// The idle word where the long one does not fit.
const IDLE_SHORT: &str = "K K";
pub const UNVERIFIABLE: &str = "UNVERIFIABLE";

/// Why the kill switch's readback cannot prove anything now: its source
/// failed its last poll.
pub fn readback_down(app: &App) -> Option<String> {
    let ks = app.pb.playbook.kill_switch.as_ref()?;
    let source = &ks.verify.source;
    let health = app.sources.get(source)?;
    if health.last_ok != Some(false) {
        return None;
    }
    let error = health.error.as_deref().unwrap_or("no data");
    let error = super::sources::short_error(error);
    Some(format!("readback source {source} down: {error}"))
}

fn of_state(app: &App, now: DateTime<Utc>) -> (&'static str, String, Style) {
    let t = &app.theme;
    match app.kill_state() {
        KillState::Ready => match readback_down(app) {
            Some(why) => (
                UNVERIFIABLE,
                format!("{why} · K K still fires, nothing can prove the halt"),
                style::bold(style::fg(t, t.fail)),
            ),
            None => (
                IDLE,
                "kill switch idle · press K twice to halt production".into(),
                style::bold(style::text(t)),
            ),
        },
        KillState::Firing { since } => (
            "FIRING",
            format!(
                "actions sent {} ago · waiting for the readback",
                crate::engine::verdict::human_age(now - *since)
            ),
            style::bold(style::fg(t, t.warn)),
        ),
        KillState::Halted { at, took_ms } => (
            "HALTED",
            format!("verified at {} in {took_ms} ms", style::clock(*at)),
            style::bold(style::fg(t, t.kill)),
        ),
        KillState::Failed { at, why } => (
            "FAILED",
            format!("NOT proven halted ({}): {why}", style::clock(*at)),
            style::bold(style::fg(t, t.fail)),
        ),
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let t = &app.theme;
    let (word, detail, st) = state(app, now);
    let focused = app.focus == crate::tui::layout::PanelKind::Kill && app.overlay.is_none();
    let block = Block::bordered()
        .border_type(if focused || word != IDLE {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style::fg(t, t.kill))
        .title(Line::styled(
            format!(
                "{}KILL SWITCH [K] ",
                if focused { style::MARK } else { " " }
            ),
            style::bold(style::fg(t, t.kill)),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let width = inner.width as usize;
    if inner.height < 3 {
        let line = fit(&format!("{word} · {detail}"), width);
        f.render_widget(Paragraph::new(line).style(st), inner);
        return;
    }
    // The detail may wrap onto a second line when the panel is narrow.
    let detail_w = unicode_width::UnicodeWidthStr::width(detail.as_str()) as u16;
    let in_full = app.kill_kept_locally() || matches!(app.kill_state(), KillState::Failed { .. });
    let detail_rows = if in_full && inner.height >= 6 {
        // Worth the big letters' room: the other cockpits do not know yet,
        // or why the kill switch failed (in full, never cut).
        wrapped_rows(&detail, inner.width).clamp(1, inner.height - 2)
    } else if detail_w > inner.width && inner.height >= 6 {
        2
    } else {
        1
    };
    let room = inner.height - detail_rows;
    // The idle words in full only as big letters; else the keys alone.
    let word = if word == IDLE && big::fit(word, inner.width, room).is_none() {
        IDLE_SHORT
    } else {
        word
    };
    let rows = big::height(word, inner.width, room).min(room);
    let top = inner.y + (room - rows) / 2;
    big::render(
        word,
        st,
        Rect::new(inner.x, top, inner.width, rows),
        f.buffer_mut(),
    );
    let line = Paragraph::new(Line::styled(detail, style::text(t)))
        .alignment(Alignment::Center)
        .wrap(ratatui::widgets::Wrap { trim: true });
    f.render_widget(
        line,
        Rect::new(inner.x, top + rows, inner.width, detail_rows),
    );
}

/// Rows `text` takes wrapped at spaces to `width` (a word longer than a row
/// is cut over several).
fn wrapped_rows(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut rows = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = unicode_width::UnicodeWidthStr::width(word);
        if used > 0 && used + 1 + w <= width {
            used += 1 + w;
            continue;
        }
        if used > 0 {
            rows += 1;
        }
        rows += (w.max(1) - 1) / width;
        used = (w.max(1) - 1) % width + 1;
    }
    rows.try_into().unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::wrapped_rows;

    #[test]
    fn rows_of_wrapped_text() {
        assert_eq!(wrapped_rows("", 10), 1);
        assert_eq!(wrapped_rows("verified at", 11), 1);
        assert_eq!(wrapped_rows("verified at", 10), 2);
        assert_eq!(wrapped_rows("a bb ccc", 4), 2);
        assert_eq!(wrapped_rows("abcdefghij", 4), 3);
        assert_eq!(wrapped_rows("ab abcdefghij", 4), 4);
    }
}
