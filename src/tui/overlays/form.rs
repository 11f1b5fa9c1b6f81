//! What the cockpit's dialogs share: a one-line text field, how a dialog
//! answers a key, and the box they are drawn in.
//!
//! Keys in a dialog: a text field takes every printable key (a name may have a
//! `K` in it); a list takes its moves, and leaves the rest to the keymap, so
//! `K` still arms the kill switch from a list. `Esc` always closes.

use crate::tui::app::App;
use crate::tui::style;
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// How a dialog took a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Used (typed, moved): stay open.
    Consumed,
    /// Close without doing anything.
    Cancel,
    /// Do what the dialog asks (it may still refuse and say why).
    Submit,
    /// Not for the dialog: the keymap decides (e.g. `K` from a list).
    Unhandled,
}

/// Characters kept per field: a comment, not an essay.
pub const MAX_CHARS: usize = 300;

/// One line of editable text with a cursor (in characters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    value: String,
    cursor: usize,
}

impl TextField {
    pub fn new(value: &str) -> TextField {
        let value: String = value.chars().take(MAX_CHARS).collect();
        TextField {
            cursor: value.chars().count(),
            value,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// The text without surrounding blanks; None when there is none.
    pub fn text(&self) -> Option<String> {
        Some(self.value.trim().to_string()).filter(|t| !t.is_empty())
    }

    fn byte(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Edits the text; false when the key is not an edit.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let len = self.value.chars().count();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.value.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                if len < MAX_CHARS && !c.is_control() {
                    let at = self.byte(self.cursor);
                    self.value.insert(at, c);
                    self.cursor += 1;
                }
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// The text, with the cursor shown in reverse video when focused.
    pub fn spans(&self, t: &Theme, focused: bool) -> Vec<Span<'static>> {
        let text = style::text(t);
        if !focused {
            return vec![Span::styled(self.value.clone(), text)];
        }
        let at = self.byte(self.cursor);
        let (before, rest) = self.value.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next().map_or(" ".to_string(), String::from);
        vec![
            Span::styled(before.to_string(), text),
            Span::styled(under, text.add_modifier(Modifier::REVERSED)),
            Span::styled(chars.collect::<String>(), text),
        ]
    }
}

/// A key press (not a release or a repeat of nothing).
pub fn pressed(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
}

/// Which field the keys Tab / Shift-Tab / ↑ / ↓ move to (wrapping), if they do.
pub fn move_focus(key: &KeyEvent, focus: usize, fields: usize) -> Option<usize> {
    let n = fields.max(1);
    match key.code {
        KeyCode::Tab | KeyCode::Down => Some((focus + 1) % n),
        KeyCode::BackTab | KeyCode::Up => Some((focus + n - 1) % n),
        _ => None,
    }
}

/// The keys every text field shares: move, submit, cancel, edit. Everything
/// else is swallowed (a stray key must not act behind the dialog).
pub fn text_key(key: &KeyEvent, field: &mut TextField, focus: &mut usize, fields: usize) -> Reply {
    match key.code {
        KeyCode::Esc => Reply::Cancel,
        KeyCode::Enter => Reply::Submit,
        _ => {
            if let Some(next) = move_focus(key, *focus, fields) {
                *focus = next;
            } else {
                field.edit(key);
            }
            Reply::Consumed
        }
    }
}

/// "▶ name       alice▌": a labelled field, marked when focused.
pub fn field_line(
    t: &Theme,
    label: &str,
    label_w: usize,
    field: &TextField,
    focused: bool,
) -> Line<'static> {
    let mut spans = vec![
        Span::raw(if focused { style::MARK } else { style::NO_MARK }),
        Span::styled(
            format!("{label:<label_w$} "),
            if focused {
                style::bold(style::accent(t))
            } else {
                style::bold(style::muted(t))
            },
        ),
    ];
    spans.extend(field.spans(t, focused));
    Line::from(spans)
}

/// The error line of a dialog (why it did not do it), if any.
pub fn error_line(t: &Theme, error: &Option<String>) -> Option<Line<'static>> {
    error.as_ref().map(|e| {
        Line::styled(
            format!("✖ {e}"),
            style::bold(style::status(t, crate::engine::Status::Fail)),
        )
    })
}

/// Rows `lines` take when wrapped at `width` (word wrapping may need one more
/// row than the characters do: allow it).
pub fn rows(lines: &[Line], width: usize) -> usize {
    lines
        .iter()
        .map(|l| match l.width() {
            w if w <= width => 1,
            w => w.div_ceil(width.max(1)) + 1,
        })
        .sum()
}

/// Draws `lines` in a centred box titled `title`, `width` wide at most.
pub fn render_box(
    f: &mut Frame,
    area: Rect,
    app: &App,
    title: &str,
    border: Style,
    lines: Vec<Line<'static>>,
    width: u16,
) {
    let w = width.min(area.width.saturating_sub(2).max(10));
    let rows = rows(&lines, w.saturating_sub(2).max(1) as usize);
    let rect = super::centered(area, w, rows as u16 + 2);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(border)
        .title(Line::styled(
            format!(" {title} "),
            style::bold(border).patch(style::bold(style::accent(&app.theme))),
        ));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(style::text(&app.theme))
            .wrap(Wrap { trim: false }),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_the_cursor() {
        let mut f = TextField::new("ana");
        assert!(f.edit(&KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT)));
        assert_eq!(f.value(), "anaK");
        f.edit(&k(KeyCode::Home));
        f.edit(&k(KeyCode::Delete));
        f.edit(&k(KeyCode::Char('é')));
        assert_eq!(f.value(), "énaK");
        f.edit(&k(KeyCode::End));
        f.edit(&k(KeyCode::Backspace));
        assert_eq!(f.value(), "éna");
        f.edit(&k(KeyCode::Left));
        f.edit(&k(KeyCode::Char('x')));
        assert_eq!(f.value(), "énxa");
        assert!(f.edit(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        assert_eq!(f.value(), "");
        assert_eq!(f.text(), None);
        assert!(!f.edit(&k(KeyCode::F(2))));
        // Backspace at the start does nothing, and says it was an edit key.
        assert!(f.edit(&k(KeyCode::Backspace)));
    }

    #[test]
    fn fields_are_bounded() {
        let mut f = TextField::new(&"x".repeat(MAX_CHARS + 10));
        assert_eq!(f.value().chars().count(), MAX_CHARS);
        f.edit(&k(KeyCode::Char('y')));
        assert_eq!(f.value().chars().count(), MAX_CHARS);
        assert_eq!(TextField::new("  a b ").text().as_deref(), Some("a b"));
    }

    #[test]
    fn tab_and_arrows_move_between_fields_esc_cancels_enter_submits() {
        let mut f = TextField::default();
        let mut focus = 0;
        assert_eq!(
            text_key(&k(KeyCode::Tab), &mut f, &mut focus, 3),
            Reply::Consumed
        );
        assert_eq!(focus, 1);
        text_key(&k(KeyCode::Up), &mut f, &mut focus, 3);
        text_key(&k(KeyCode::Up), &mut f, &mut focus, 3);
        assert_eq!(focus, 2, "wraps");
        assert_eq!(
            text_key(&k(KeyCode::Esc), &mut f, &mut focus, 3),
            Reply::Cancel
        );
        assert_eq!(
            text_key(&k(KeyCode::Enter), &mut f, &mut focus, 3),
            Reply::Submit
        );
        text_key(&k(KeyCode::Char('q')), &mut f, &mut focus, 3);
        assert_eq!(f.value(), "q", "q is typed, never quits");
    }
}
