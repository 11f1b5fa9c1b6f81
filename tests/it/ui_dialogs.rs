//! The cockpit's dialogs as the commander sees them (TestBackend + insta):
//! ACK, the decision, the alarm, rollback targets, runbook search, the ramp's
//! refusal, and the kill switch FIRING from the press. Time is injected.

use crate::common;

use common::{app, now, render, text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use liftoff::release::KillState;
use liftoff::supervisor::event::SupervisorEvent;
use liftoff::tui::app::App;

fn key(app: &mut App, c: KeyCode) {
    key_at(app, c, now());
}

fn key_at(app: &mut App, c: KeyCode, at: chrono::DateTime<chrono::Utc>) {
    let mods = match c {
        KeyCode::Char(ch) if ch.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.on_key(KeyEvent::new(c, mods), at);
}

/// K, then a deliberate K a second later (not a burst).
fn kill_keys(app: &mut App) {
    key(app, KeyCode::Char('K'));
    key_at(
        app,
        KeyCode::Char('K'),
        now() + chrono::Duration::seconds(1),
    );
}

fn typed(app: &mut App, s: &str) {
    s.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

fn commander() -> App {
    let mut a = app("commander", "dark", (120, 40));
    a.user = "dave".into();
    a
}

fn screen(a: &App) -> String {
    text(&render(a, now()))
}

#[test]
fn ack_dialog_picks_the_first_missing_role_and_prefills_the_user() {
    let mut a = commander();
    key(&mut a, KeyCode::Char('a'));
    let s = screen(&a);
    for want in [
        "On-call Engineer (oncall)",
        "ACKed by alice",
        "name     dave",
        "Enter records",
    ] {
        assert!(s.contains(want), "lacks {want}:\n{s}");
    }
    insta::assert_snapshot!("dialog_ack", s);
    // alice holds captain: with distinct_roles her oncall ACK is refused, in
    // the rule book's words (those `liftoff ack` prints).
    key(&mut a, KeyCode::Tab);
    for _ in 0..4 {
        key(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "alice");
    let s = screen(&a);
    assert!(
        s.contains("! ACK refused: alice already ACKed as captain"),
        "{s}"
    );
}

#[test]
fn decision_dialog_shows_the_gate_and_what_holds_it() {
    let mut a = commander();
    key(&mut a, KeyCode::Char('g'));
    typed(&mut a, "page alert open");
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    for want in [
        "Record the decision: NO-GO",
        "✖ no-pages",
        "decided by     dave",
        "next review",
        "a NO-GO needs the next review",
    ] {
        assert!(s.contains(want), "lacks {want}:\n{s}");
    }
    insta::assert_snapshot!("dialog_decide_no_go", s);
}

#[test]
fn alarm_banner_and_its_answer_dialog() {
    let mut a = commander();
    let mut state = common::release();
    state.alarm = Some("guard burn-ceiling tripped: `value > 0.5` held for 1m (value 0.62)".into());
    state.alarm_guard = Some("burn-ceiling".into());
    a.apply(SupervisorEvent::ReleaseChanged(Box::new(state)), now());
    let s = screen(&a);
    assert!(
        s.contains("ALARM (a answers · K K kills) guard burn-ceiling tripped"),
        "{s}"
    );
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "known batch job");
    let s = screen(&a);
    assert!(
        s.contains("ALARM: answer it") && s.contains("known batch job"),
        "{s}"
    );
    insta::assert_snapshot!("dialog_alarm", s);
}

#[test]
fn rollback_menu_and_its_confirmation() {
    let mut a = commander();
    key(&mut a, KeyCode::Char('R'));
    let s = screen(&a);
    assert!(
        s.contains("Back to shadow traffic (shadow-only)  1 action"),
        "{s}"
    );
    insta::assert_snapshot!("dialog_rollback", s);
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(s.contains("Fire rollback Back to shadow traffic?"), "{s}");
}

#[test]
fn runbook_search() {
    let mut a = commander();
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "search");
    key(&mut a, KeyCode::Enter);
    typed(&mut a, "entropy");
    let s = screen(&a);
    assert!(s.contains("Entropy below 0.85 → Hold the ramp"), "{s}");
    assert!(s.contains("2 found"), "{s}");
    insta::assert_snapshot!("dialog_search", s);
}

#[test]
fn the_ramp_refusal_names_the_checks_and_roles() {
    let mut a = commander();
    key(&mut a, KeyCode::Char(']'));
    let s = screen(&a);
    for want in [
        "Cannot enter stage 25%",
        "Checks holding it: no-pages",
        "Refused",
        "Esc closes",
    ] {
        assert!(s.contains(want), "lacks {want}:\n{s}");
    }
    insta::assert_snapshot!("confirm_enter_refused", s);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('['));
    assert!(screen(&a).contains("Step back to stage shadow 0%?"));
}

/// This cockpit's kill switch proven HALTED in 38 ms (`kept`: its journal
/// records kept locally), while the journal has no firing.
fn halted_here(a: &mut App, kept: bool) {
    a.apply(
        SupervisorEvent::KillDone {
            state: KillState::Halted {
                at: now(),
                took_ms: 38,
            },
            text: "KILL SWITCH HALTED: verified in 38 ms".into(),
            timings: Default::default(),
            kept,
        },
        now(),
    );
    // The journal as it was: it has not got the firing (yet).
    a.apply(
        SupervisorEvent::ReleaseChanged(Box::new(common::release())),
        now(),
    );
}

#[test]
fn kill_switch_firing_from_the_press_then_halted() {
    let mut a = commander();
    kill_keys(&mut a);
    // The default actuator refuses (not wired): the panel must not claim FIRING.
    assert_eq!(a.kill_state(), &KillState::Ready);
    a.kill_local = Some(KillState::Firing { since: now() });
    let s = screen(&a);
    assert!(
        s.contains("actions sent 0s ago") && s.contains("waiting for the readback"),
        "{s}"
    );
    halted_here(&mut a, false);
    let s = screen(&a);
    assert!(
        s.contains("verified at 12:00:00Z in") && s.contains("38 ms"),
        "{s}"
    );
    insta::assert_snapshot!("kill_halted_local", s);
}

#[test]
fn kill_switch_records_kept_locally_are_said_until_the_journal_has_them() {
    let mut a = commander();
    kill_keys(&mut a);
    a.kill_local = Some(KillState::Firing { since: now() });
    // The panel says it, whatever the notice (gone in a few seconds) said;
    // the journal (etcd, away) does not have the firing yet.
    halted_here(&mut a, true);
    let s = screen(&a);
    assert!(s.contains("verified at 12:00:00Z in"), "{s}");
    assert!(
        s.contains("kept locally") && s.contains("until the journal"),
        "{s}"
    );
    insta::assert_snapshot!("kill_halted_kept_locally", s);
    // The records arrive (counted from when they were kept): the note goes.
    let written = liftoff::release::ReleaseState {
        kill: KillState::Halted {
            at: now(),
            took_ms: 38,
        },
        ..Default::default()
    };
    a.apply(SupervisorEvent::ReleaseChanged(Box::new(written)), now());
    let s = screen(&a);
    assert!(s.contains("verified at 12:00:00Z in"), "{s}");
    assert!(!s.contains("kept locally"), "{s}");
}
