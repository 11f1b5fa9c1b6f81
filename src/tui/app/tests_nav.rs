//! Moving like k9s and lazygit: pages, ends, zoom, the mouse wheel and
//! double clicks.

use super::tests::{app, entropy, key, now, press};
use super::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn mouse(app: &mut App, kind: MouseEventKind, x: u16, y: u16, at: DateTime<Utc>) {
    let m = MouseEvent {
        kind,
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    app.on_terminal(crossterm::event::Event::Mouse(m), at);
}

#[test]
fn pages_and_ends_move_the_focused_list() {
    let mut app = app();
    app.size = (100, 30);
    app.fix_selection();
    let n = app.row_count(PanelKind::Checklist);
    press(&mut app, 'G');
    assert_eq!(app.row(PanelKind::Checklist), n - 1);
    key(&mut app, KeyCode::Home, now());
    assert_eq!(app.row(PanelKind::Checklist), 0);
    key(&mut app, KeyCode::PageDown, now());
    let page = app.row(PanelKind::Checklist);
    assert!(page > 1, "a page is more than a row: {page}");
    key(&mut app, KeyCode::PageUp, now());
    assert_eq!(app.row(PanelKind::Checklist), 0);
    key(&mut app, KeyCode::End, now());
    assert_eq!(app.row(PanelKind::Checklist), n - 1);
}

#[test]
fn z_zooms_the_focused_panel_and_back() {
    let mut app = app();
    press(&mut app, 'z');
    assert_eq!(app.zoomed, Some(PanelKind::Checklist));
    let rects = app.focusable();
    assert_eq!(rects.len(), 1);
    assert_eq!(rects[0].1, app.area());
    press(&mut app, 'z');
    assert_eq!(app.zoomed, None);
    assert!(app.focusable().len() > 1);
}

#[test]
fn the_wheel_moves_rows_and_a_double_click_opens() {
    let mut app = app();
    let rects = app.focusable();
    let list = rects
        .iter()
        .find(|(k, _)| *k == PanelKind::Checklist)
        .unwrap()
        .1;
    mouse(
        &mut app,
        MouseEventKind::ScrollDown,
        list.x + 3,
        list.y + 3,
        now(),
    );
    mouse(
        &mut app,
        MouseEventKind::ScrollDown,
        list.x + 3,
        list.y + 3,
        now(),
    );
    assert_eq!(app.row(PanelKind::Checklist), 2);
    mouse(
        &mut app,
        MouseEventKind::ScrollUp,
        list.x + 3,
        list.y + 3,
        now(),
    );
    assert_eq!(app.row(PanelKind::Checklist), 1);
    let (x, y) = (list.x + 5, list.y + 2);
    let down = MouseEventKind::Down(MouseButton::Left);
    mouse(&mut app, down, x, y, now());
    assert_eq!(app.overlay, None, "one click selects");
    mouse(
        &mut app,
        down,
        x,
        y,
        now() + chrono::Duration::milliseconds(200),
    );
    assert_eq!(
        app.overlay,
        Some(Overlay::Evidence(0)),
        "a double click opens"
    );
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c), now());
    }
}

#[test]
fn slash_filters_the_checklist_live_and_failing_keeps_what_does_not_pass() {
    let mut app = app();
    app.apply(entropy(0.5, now()), now());
    press(&mut app, '/');
    typed(&mut app, "entropy");
    assert!(app.prompt.is_some());
    let ids = |app: &App| {
        app.visible(PanelKind::Checklist)
            .iter()
            .map(|i| app.pb.checks[*i].spec.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&app), ["entropy"]);
    key(&mut app, KeyCode::Enter, now());
    assert!(app.prompt.is_none());
    assert_eq!(ids(&app), ["entropy"], "Enter keeps the filter");
    press(&mut app, '/');
    for _ in 0.."entropy".len() {
        key(&mut app, KeyCode::Backspace, now());
    }
    typed(&mut app, ":failing");
    let failing = ids(&app);
    assert!(failing.contains(&"entropy".to_string()), "{failing:?}");
    for i in app.visible(PanelKind::Checklist) {
        assert_ne!(app.verdicts[i].status, crate::engine::Status::Pass);
    }
    // K is still the kill key while typing.
    press(&mut app, 'K');
    assert!(app.kill_armed(now()).is_some());
    key(&mut app, KeyCode::Esc, now());
    key(&mut app, KeyCode::Esc, now());
    assert!(app.filters.is_empty(), "Esc clears the filter");
    assert_eq!(ids(&app).len(), app.pb.checks.len());
}

#[test]
fn the_palette_completes_and_runs_commands() {
    let mut app = app();
    press(&mut app, ':');
    typed(&mut app, "lay");
    key(&mut app, KeyCode::Tab, now());
    typed(&mut app, "w");
    key(&mut app, KeyCode::Tab, now());
    assert_eq!(
        app.prompt
            .as_ref()
            .map(|p| p.field.value().to_string())
            .as_deref(),
        Some("layout war-room ")
    );
    key(&mut app, KeyCode::Enter, now());
    assert_eq!(app.layout.name, "war-room");
    press(&mut app, ':');
    typed(&mut app, "zoom");
    key(&mut app, KeyCode::Enter, now());
    assert!(app.zoomed.is_some());
    press(&mut app, ':');
    typed(&mut app, "nope");
    key(&mut app, KeyCode::Enter, now());
    assert!(app
        .notice_at(now())
        .unwrap()
        .text
        .contains("no command `nope`"));
}
