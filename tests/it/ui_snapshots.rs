//! Screen snapshots: every layout at several sizes (tiny ones too), every
//! theme's colours, NO_COLOR, the help, the evidence view and the armed kill
//! switch. Time is injected: no wall clock reaches a frame.

use crate::common;

use common::{app, now, render, text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use liftoff::release::KillState;
use liftoff::tui::layout::{Layout, PanelKind};
use liftoff::tui::theme::Theme;
use ratatui::style::Color;

const SIZES: [(u16, u16); 4] = [(200, 60), (100, 30), (40, 10), (10, 3)];

fn key(app: &mut liftoff::tui::app::App, c: KeyCode) {
    let mods = match c {
        KeyCode::Char(ch) if ch.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.on_key(KeyEvent::new(c, mods), now());
}

#[test]
fn every_layout_at_every_size() {
    for layout in Layout::builtin_names() {
        for (w, h) in SIZES {
            let app = app(layout, "dark", (w, h));
            let screen = text(&render(&app, now()));
            insta::assert_snapshot!(format!("layout_{layout}_{w}x{h}"), screen);
        }
    }
}

#[test]
fn below_the_minimum_size_says_what_is_needed() {
    for layout in Layout::builtin_names() {
        let (min_w, min_h) = Layout::load(layout).unwrap().min_size();
        let (w, h) = (min_w.saturating_sub(1).max(1), min_h);
        let screen = text(&render(&app(layout, "dark", (w, h)), now()));
        let want = format!("terminal too small: need {min_w}x{min_h}, have {w}x{h}");
        assert!(screen.contains(&want), "{layout}: {screen}");
    }
}

#[test]
fn nothing_panics_down_to_one_cell() {
    for layout in Layout::builtin_names() {
        for (w, h) in [(1, 1), (2, 1), (1, 5), (10, 3), (30, 2)] {
            let mut a = app(layout, "dark", (w, h));
            render(&a, now());
            // Overlays in tiny terminals too.
            key(&mut a, KeyCode::Char('?'));
            render(&a, now());
            key(&mut a, KeyCode::Esc);
            key(&mut a, KeyCode::Char('K'));
            render(&a, now());
            key(&mut a, KeyCode::Esc);
            a.overlay = Some(liftoff::tui::app::Overlay::Evidence(0));
            render(&a, now());
        }
    }
}

#[test]
fn every_theme_colours_the_commander() {
    for theme in Theme::builtin_names() {
        let app = app("commander", theme, (100, 30));
        let buf = render(&app, now());
        insta::assert_debug_snapshot!(format!("theme_{theme}"), buf);
    }
}

#[test]
fn no_color_uses_no_colour_and_still_marks_the_selection() {
    let mut a = app("commander", "dark", (120, 36));
    a.theme.no_color = true;
    let buf = render(&a, now());
    for cell in buf.content() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "a coloured cell under NO_COLOR"
        );
    }
    let screen = text(&buf);
    let selected = screen.lines().any(|l| l.contains("▶ ✔ Two consecutive"));
    assert!(selected, "the selected row carries the ▶ marker:\n{screen}");
    assert!(
        screen.contains("▶ Go/No-Go checklist"),
        "the focused panel is marked"
    );
    insta::assert_snapshot!("no_color", screen);
}

#[test]
fn help_overlay_lists_the_keys() {
    let mut a = app("commander", "dark", (120, 40));
    key(&mut a, KeyCode::Char('?'));
    let screen = text(&render(&a, now()));
    for k in ["K ", "Esc", "Tab", "Enter", "Ctrl-C", "next layout"] {
        assert!(screen.contains(k), "help lacks {k}");
    }
    insta::assert_snapshot!("help", screen);
    // A short terminal gets two columns, every binding still listed.
    let mut small = app("commander", "dark", (100, 30));
    key(&mut small, KeyCode::Char('?'));
    let screen = text(&render(&small, now()));
    for k in ["Kill switch", "Session", "Ctrl-Z", "Shift-Tab"] {
        assert!(screen.contains(k), "short help lacks {k}:\n{screen}");
    }
    insta::assert_snapshot!("help_short", screen);
}

#[test]
fn evidence_view_of_a_warning_check() {
    let mut a = app("commander", "dark", (120, 40));
    for _ in 0..3 {
        key(&mut a, KeyCode::Char('j'));
    }
    key(&mut a, KeyCode::Enter);
    let screen = text(&render(&a, now()));
    for want in [
        "! WARN",
        "0.31",
        "slo:error_budget_burn:ratio",
        "value < 0.25",
        "http://127.0.0.1:9090",
    ] {
        assert!(screen.contains(want), "evidence lacks {want}:\n{screen}");
    }
    insta::assert_snapshot!("evidence", screen);
}

#[test]
fn armed_kill_switch_modal_counts_down() {
    let mut a = app("commander", "dark", (120, 40));
    key(&mut a, KeyCode::Char('K'));
    let screen = text(&render(&a, now() + chrono::Duration::seconds(1)));
    assert!(screen.contains("press K again to HALT"));
    assert!(screen.contains("4s left"), "{screen}");
    insta::assert_snapshot!("kill_armed", screen);
}

#[test]
fn halted_and_failed_kill_states_show_what_the_readback_proved() {
    let mut a = app("commander", "dark", (200, 60));
    let mut state = common::release();
    state.kill = KillState::Halted {
        at: now() - chrono::Duration::seconds(20),
        took_ms: 850,
    };
    a.apply(state.clone().into(), now());
    let screen = text(&render(&a, now()));
    let (word, detail, _) = liftoff::tui::panels::kill::state(&a, now());
    assert_eq!(
        (word, detail.as_str()),
        ("HALTED", "verified at 11:59:40Z in 850 ms")
    );
    assert!(screen.contains("850 ms"), "{screen}");
    insta::assert_snapshot!("halted", screen);
    state.kill = KillState::Failed {
        at: now(),
        why: "readback: value is 10, not 0".into(),
    };
    a.apply(state.into(), now());
    let screen = text(&render(&a, now()));
    let (word, detail, _) = liftoff::tui::panels::kill::state(&a, now());
    assert_eq!(word, "FAILED");
    assert!(detail.contains("NOT proven halted") && detail.contains("value is 10"));
    assert!(screen.contains("NOT proven"), "{screen}");
}

/// Rows of the banner's rectangle that hold big-letter blocks.
fn banner_letter_rows(layout: &str, w: u16, h: u16) -> Option<usize> {
    let a = app(layout, "dark", (w, h));
    let buf = render(&a, now());
    let (_, rect) = a
        .layout
        .split(a.area())
        .into_iter()
        .find(|(k, _)| *k == PanelKind::Banner)?;
    let rows = (rect.top()..rect.bottom())
        .filter(|y| {
            (rect.left()..rect.right()).any(|x| {
                let s = buf[(x, *y)].symbol();
                s.chars().any(|c| ('\u{2580}'..='\u{259F}').contains(&c))
            })
        })
        .count();
    Some(rows)
}

#[test]
fn the_banner_is_big_enough_to_read_across_a_room() {
    if Layout::builtin_names().contains(&"war-room") {
        let rows = banner_letter_rows("war-room", 200, 50).expect("war-room has a banner");
        assert!(
            rows >= 5,
            "war-room banner letters are {rows} rows tall at 200x50"
        );
    }
    let rows = banner_letter_rows("commander", 200, 60).expect("commander has a banner");
    assert!(rows >= 4, "commander banner letters are {rows} rows tall");
}

#[test]
fn banner_letters_grow_with_the_room_they_get() {
    let a = app("commander", "dark", (200, 60));
    let letter_rows = |h: u16| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, h)).unwrap();
        terminal
            .draw(|f| {
                let area = f.area();
                liftoff::tui::panels::render(PanelKind::Banner, f, area, &a, now())
            })
            .unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..h)
            .filter(|y| {
                (0..200).any(|x| {
                    let s = buf[(x, *y)].symbol();
                    s.chars().any(|c| ('\u{2580}'..='\u{259F}').contains(&c))
                })
            })
            .count()
    };
    // Eight rows of letters (the font's last row is blank) and the holds
    // line: full-size letters, readable across a room; the font blown up
    // 2x when the panel has the room.
    assert_eq!(letter_rows(9), 7);
    assert_eq!(letter_rows(20), 14);
    assert_eq!(
        letter_rows(60),
        28,
        "4x: NO-GO at 32 columns a letter in 200"
    );
    // Less room: half-height letters, still with the holds line.
    assert!((3..=4).contains(&letter_rows(6)), "{}", letter_rows(6));
}

#[test]
fn a_lasting_condition_stays_on_the_status_line_until_cleared() {
    use liftoff::supervisor::event::SupervisorEvent;
    let mut app = app("commander", "dark", (200, 60));
    let unreachable = "JOURNAL UNREACHABLE since 12:00:00: connection refused";
    app.apply(
        SupervisorEvent::Condition {
            topic: "journal",
            text: Some(unreachable.into()),
        },
        now(),
    );
    // Long after any notice would have faded, it is still there.
    let later = now() + chrono::Duration::minutes(10);
    assert!(text(&render(&app, later)).contains(unreachable));
    app.apply(
        SupervisorEvent::Condition {
            topic: "journal",
            text: None,
        },
        later,
    );
    assert!(!text(&render(&app, later)).contains("UNREACHABLE"));
}

/// The countdown panel's rows, as text (the panel's own rectangle only).
fn countdown_rows(layout: &str, w: u16, h: u16) -> Option<(u16, Vec<String>)> {
    let a = app(layout, "dark", (w, h));
    let buf = render(&a, now());
    let (_, rect) = a
        .layout
        .split(a.area())
        .into_iter()
        .find(|(k, _)| *k == PanelKind::Countdown)?;
    let rows = (rect.top()..rect.bottom())
        .map(|y| {
            (rect.left()..rect.right())
                .map(|x| buf[(x, y)].symbol())
                .collect()
        })
        .collect();
    Some((rect.width, rows))
}

#[test]
fn the_countdown_keeps_the_time_to_the_next_decision_point_in_a_narrow_panel() {
    // The commander's countdown is narrow at every size: the words give way,
    // the time left to the decision point (T+1h, 20:00 away) stays.
    for (w, h) in [(100, 30), (200, 60)] {
        let (width, rows) = countdown_rows("commander", w, h).expect("a countdown panel");
        let all = rows.join("\n");
        assert!(width < 36, "the commander's countdown is narrow: {width}");
        assert!(
            all.contains("next decision T+1h in 20:00"),
            "{w}x{h}:\n{all}"
        );
    }
    // Where there is room, it says it in full.
    let (_, rows) = countdown_rows("war-room", 200, 60).expect("a countdown panel");
    let all = rows.join("\n");
    assert!(all.contains("next decision point T+1h in 20:00"), "{all}");
}
