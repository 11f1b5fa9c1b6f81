//! The keymap is data: one table of key -> action, with a description and a
//! group. Key handling and the `?` help overlay are both generated from it.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key means. Acts (`Kill`, `Ack`, `Decide`, `RampNext`, `RampBack`,
/// `Rollback`, `Toggle`) go through `App::dispatch` to the actuator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    /// Ctrl-C: quit at once, no questions (the terminal's interrupt).
    Interrupt,
    /// Ctrl-Z: give the terminal back to the shell until `fg`.
    Suspend,
    Help,
    /// Close an overlay, answer "no", disarm the kill switch.
    Close,
    /// Answer "yes" in a confirmation.
    Confirm,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    Left,
    Right,
    /// Enter: the selected check's evidence.
    Open,
    PollNow,
    NextTheme,
    NextLayout,
    /// `K`: arms the kill switch; a second press within the window fires it.
    Kill,
    /// `a`: ACK for a role, or answer the guard alarm when one is up.
    Ack,
    Decide,
    RampNext,
    RampBack,
    /// `R`: the menu of rollback targets (`[[rollback]]`).
    Rollback,
    /// Space: tick / untick the selected manual item.
    Toggle,
    /// `/`: filter the focused list.
    Search,
    /// `:`: the command palette.
    Palette,
    /// PgUp / PgDn: a page up or down in the focused list.
    PageUp,
    PageDown,
    /// Home / End (and `G`): the first or last row of the focused list.
    Top,
    Bottom,
    /// `z`: the focused panel fills the screen; again: back.
    Zoom,
    /// `w`: waive the selected check for a time (its `waivable_by` roles).
    Waive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Safety,
    Release,
    Move,
    View,
    Session,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Safety,
        Group::Release,
        Group::Move,
        Group::View,
        Group::Session,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Group::Safety => "Kill switch",
            Group::Release => "Release",
            Group::Move => "Move",
            Group::View => "View",
            Group::Session => "Session",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}
const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub group: Group,
    pub description: &'static str,
}

const fn bind(
    keys: &'static [Key],
    action: Action,
    group: Group,
    description: &'static str,
) -> Binding {
    Binding {
        keys,
        action,
        group,
        description,
    }
}

use Action as A;
use Group as G;

/// Every key the cockpit knows: key lookup and the help screen both read it.
pub const BINDINGS: &[Binding] = &[
    bind(
        &[ch('K')],
        A::Kill,
        G::Safety,
        "arm the kill switch; a second, deliberate K within 5 s fires it (not a burst under 150 ms)",
    ),
    bind(
        &[key(KeyCode::Esc), ch('n')],
        A::Close,
        G::Safety,
        "disarm / close / no",
    ),
    bind(
        &[ch('R')],
        A::Rollback,
        G::Safety,
        "rollback targets (partial rollbacks, asks first)",
    ),
    bind(
        &[ch('a')],
        A::Ack,
        G::Release,
        "ACK for a role; answers the alarm when one is up",
    ),
    bind(
        &[ch('g')],
        A::Decide,
        G::Release,
        "record the Go/No-Go decision",
    ),
    bind(
        &[ch(']')],
        A::RampNext,
        G::Release,
        "enter the next ramp stage (asks first)",
    ),
    bind(
        &[ch('[')],
        A::RampBack,
        G::Release,
        "step back one ramp stage (asks first)",
    ),
    bind(
        &[ch(' ')],
        A::Toggle,
        G::Release,
        "tick / untick the selected manual item",
    ),
    bind(
        &[ch('w')],
        A::Waive,
        G::Release,
        "waive the selected check for a time (waivable_by)",
    ),
    bind(
        &[ch('y')],
        A::Confirm,
        G::Release,
        "yes, in a confirmation (Enter is never yes)",
    ),
    bind(&[key(KeyCode::Tab)], A::FocusNext, G::Move, "next panel"),
    bind(
        &[key(KeyCode::BackTab)],
        A::FocusPrev,
        G::Move,
        "previous panel",
    ),
    bind(
        &[key(KeyCode::Up), ch('k')],
        A::Up,
        G::Move,
        "row up (panel above)",
    ),
    bind(
        &[key(KeyCode::Down), ch('j')],
        A::Down,
        G::Move,
        "row down (panel below)",
    ),
    bind(
        &[key(KeyCode::Left), ch('h')],
        A::Left,
        G::Move,
        "panel to the left",
    ),
    bind(
        &[key(KeyCode::Right), ch('l')],
        A::Right,
        G::Move,
        "panel to the right",
    ),
    bind(
        &[key(KeyCode::Enter)],
        A::Open,
        G::Move,
        "open the selection: a check's evidence, an alert or a journal event in full",
    ),
    bind(
        &[key(KeyCode::PageUp)],
        A::PageUp,
        G::Move,
        "a page up in the focused list",
    ),
    bind(
        &[key(KeyCode::PageDown)],
        A::PageDown,
        G::Move,
        "a page down in the focused list",
    ),
    bind(&[key(KeyCode::Home)], A::Top, G::Move, "first row"),
    bind(&[key(KeyCode::End), ch('G')], A::Bottom, G::Move, "last row"),
    bind(&[ch('r')], A::PollNow, G::View, "poll every source now"),
    bind(
        &[ch('z')],
        A::Zoom,
        G::View,
        "zoom the focused panel to the whole screen (again: back)",
    ),
    bind(
        &[ch('/')],
        A::Search,
        G::View,
        "filter the focused list (:failing: what does not pass; Esc clears)",
    ),
    bind(
        &[ch(':')],
        A::Palette,
        G::View,
        "command palette: stage, decide, theme, layout, filter, zoom, search (Tab completes)",
    ),
    bind(&[ch('t')], A::NextTheme, G::View, "next theme"),
    bind(&[ch('L')], A::NextLayout, G::View, "next layout"),
    bind(&[ch('?')], A::Help, G::View, "this help"),
    bind(
        &[ch('q')],
        A::Quit,
        G::Session,
        "quit (asks while a ramp runs)",
    ),
    bind(&[ctrl('c')], A::Interrupt, G::Session, "quit now"),
    bind(
        &[ctrl('z')],
        A::Suspend,
        G::Session,
        "suspend to the shell (fg resumes)",
    ),
];

/// The action bound to a key press, if any. Shift is part of the character
/// (`K` vs `k`); Ctrl must match the binding; Alt never matches.
pub fn action_for(event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    if event.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    let code = match event.code {
        // Some terminals report Ctrl-letters in upper case.
        KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
        other => other,
    };
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|k| k.code == code && k.ctrl == ctrl))
        .map(|b| b.action)
}

/// How the help names a key.
pub fn key_label(k: &Key) -> String {
    let base = match k.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    if k.ctrl {
        format!("Ctrl-{}", base.to_uppercase())
    } else {
        base
    }
}

/// The help text, group by group: (group title, [(keys, description)]).
pub fn help() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    Group::ALL
        .iter()
        .map(|g| {
            let rows = BINDINGS
                .iter()
                .filter(|b| b.group == *g)
                .map(|b| {
                    let keys: Vec<String> = b.keys.iter().map(key_label).collect();
                    (keys.join("/"), b.description)
                })
                .collect();
            (g.title(), rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Option<Action> {
        action_for(&KeyEvent::new(code, modifiers))
    }

    #[test]
    fn spec_keys_are_bound() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            press(KeyCode::Char('K'), KeyModifiers::SHIFT),
            Some(A::Kill)
        );
        assert_eq!(press(KeyCode::Esc, none), Some(A::Close));
        assert_eq!(press(KeyCode::Char('a'), none), Some(A::Ack));
        assert_eq!(press(KeyCode::Char('g'), none), Some(A::Decide));
        assert_eq!(press(KeyCode::Char(']'), none), Some(A::RampNext));
        assert_eq!(press(KeyCode::Char('['), none), Some(A::RampBack));
        assert_eq!(press(KeyCode::Char('r'), none), Some(A::PollNow));
        assert_eq!(press(KeyCode::Tab, none), Some(A::FocusNext));
        assert_eq!(press(KeyCode::Char('j'), none), Some(A::Down));
        assert_eq!(press(KeyCode::Char('l'), none), Some(A::Right));
        assert_eq!(press(KeyCode::Enter, none), Some(A::Open));
        assert_eq!(press(KeyCode::Char('t'), none), Some(A::NextTheme));
        assert_eq!(
            press(KeyCode::Char('L'), KeyModifiers::SHIFT),
            Some(A::NextLayout)
        );
        assert_eq!(press(KeyCode::Char('q'), none), Some(A::Quit));
        assert_eq!(press(KeyCode::Char('?'), none), Some(A::Help));
        assert_eq!(
            press(KeyCode::Char('R'), KeyModifiers::SHIFT),
            Some(A::Rollback)
        );
        assert_eq!(press(KeyCode::Char(' '), none), Some(A::Toggle));
        assert_eq!(press(KeyCode::Char('/'), none), Some(A::Search));
        // `r` polls; only a capital R opens the rollback menu.
        assert_eq!(press(KeyCode::Char('r'), none), Some(A::PollNow));
    }

    #[test]
    fn kill_needs_capital_k_and_ctrl_keys_need_ctrl() {
        // `k` is "up": a stray lower-case k must never arm the kill switch.
        assert_eq!(press(KeyCode::Char('k'), KeyModifiers::NONE), Some(A::Up));
        assert_eq!(press(KeyCode::Char('c'), KeyModifiers::NONE), None);
        assert_eq!(
            press(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(A::Interrupt)
        );
        assert_eq!(
            press(KeyCode::Char('Z'), KeyModifiers::CONTROL),
            Some(A::Suspend)
        );
        assert_eq!(press(KeyCode::Char('q'), KeyModifiers::ALT), None);
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut ev = KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT);
        ev.kind = KeyEventKind::Release;
        assert_eq!(action_for(&ev), None);
    }

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(
                    seen.insert((k.code, k.ctrl)),
                    "{} bound twice",
                    key_label(k)
                );
            }
        }
    }

    #[test]
    fn help_lists_every_binding_once() {
        let rows: usize = help().iter().map(|(_, r)| r.len()).sum();
        assert_eq!(rows, BINDINGS.len());
        let text = format!("{:?}", help());
        assert!(text.contains("Ctrl-C"), "{text}");
        assert!(text.contains("Shift-Tab"), "{text}");
    }
}
