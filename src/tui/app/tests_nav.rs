//! Moving like k9s and lazygit: pages, ends, zoom, the mouse wheel and
//! double clicks.

use super::tests::{app, key, now, press};
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
