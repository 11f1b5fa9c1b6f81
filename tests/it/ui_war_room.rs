//! The war room's alarm mode and root causes (TestBackend + insta): the
//! ALARM band at 80x24, 200x60 and 320x90; every source down, rolled up by
//! source; the kill switch UNVERIFIABLE with its readback source down; an
//! optional item unticked, neutral. Time is injected.

use crate::common;

use chrono::Duration;
use common::{app, now, render, text};
use liftoff::poller::PollEvent;
use liftoff::source::{Observation, SourceError};
use liftoff::supervisor::event::SupervisorEvent;
use liftoff::tui::app::App;

fn screen(a: &App) -> String {
    text(&render(a, now()))
}

fn alarmed(layout: &str, size: (u16, u16)) -> App {
    let mut a = app(layout, "dark", size);
    let mut state = common::release();
    state.alarm = Some("guard entropy-floor tripped: 0.78 < 0.8 for 30s".into());
    state.alarm_guard = Some("entropy-floor".into());
    a.apply(SupervisorEvent::ReleaseChanged(Box::new(state)), now());
    a
}

/// `source` failed its last poll (connection refused), two seconds ago.
fn down(source: &str, origin: &str) -> SupervisorEvent {
    let obs = Observation {
        source: source.into(),
        at: now() - Duration::seconds(2),
        took: std::time::Duration::from_millis(1),
        origin: origin.into(),
        outcome: Err(SourceError::Connect(
            "error sending request: tcp connect error: Connection refused (os error 111)".into(),
        )),
    };
    SupervisorEvent::Poll(PollEvent::Finished(Box::new(obs)))
}

#[test]
fn alarm_mode_takes_a_full_width_band_at_every_size() {
    for (layout, size) in [
        ("compact", (80, 24)),
        ("war-room", (200, 60)),
        ("war-room", (320, 90)),
    ] {
        let a = alarmed(layout, size);
        let s = screen(&a);
        // The band's first row of letters is the full width's own: reverse
        // video, so it reads as a band; its line names the guard and the keys.
        assert!(
            s.contains("a answers · K K kills"),
            "{layout} {size:?}:\n{s}"
        );
        insta::assert_snapshot!(format!("alarm_{layout}_{}x{}", size.0, size.1), s);
    }
}

#[test]
fn the_alarm_letters_grow_with_the_screen() {
    let rows = |size: (u16, u16)| {
        let a = alarmed("war-room", size);
        let buf = render(&a, now());
        // Rows of the band's letters: reverse-video cells in column 0..w.
        (0..size.1)
            .filter(|y| (0..size.0).any(|x| buf[(x, *y)].symbol() == "█"))
            .take_while(|_| true)
            .count()
    };
    assert!(
        rows((320, 90)) > rows((200, 60)),
        "{} {}",
        rows((320, 90)),
        rows((200, 60))
    );
}

#[test]
fn every_source_down_reads_as_causes_not_check_names() {
    let down = vec![
        down("prom", "http://127.0.0.1:9090/api/v1/query"),
        down("pages", "http://127.0.0.1:9093/api/v2/alerts"),
        down("policy", "http://127.0.0.1:9108/metrics"),
    ];
    let a = common::app_after("commander", "dark", (220, 50), down);
    let s = screen(&a);
    assert!(
        s.contains("3 of 5 sources down: pages 127.0.0.1:9093 refused, policy 127.0.0.1:9108 refused, prom 127.0.0.1:9090 refused"),
        "{s}"
    );
    assert!(s.contains("✖ prom down: refused, last good "), "{s}");
    assert!(s.contains("up: preflight 45s"), "{s}");
    assert!(!s.contains("preflight ✔"), "{s}");
    // An UNKNOWN row says when its source last answered, never a fresh age.
    assert!(s.contains("last good "), "{s}");
    insta::assert_snapshot!("fail_closed_rollup", s);
}

#[test]
fn the_kill_switch_is_unverifiable_while_its_readback_source_is_down() {
    let down = vec![down("policy", "http://127.0.0.1:9108/metrics")];
    let a = common::app_after("commander", "dark", (120, 40), down);
    let s = screen(&a);
    assert!(
        s.contains("UNVERIFIABLE") && s.contains("readback source policy"),
        "{s}"
    );
    assert!(!s.contains("READY"), "{s}");
    insta::assert_snapshot!("kill_unverifiable", s);
}

#[test]
fn the_kill_switch_idle_never_reads_as_readiness() {
    let s = screen(&app("war-room", "dark", (200, 60)));
    assert!(s.contains("press K twice to halt"), "{s}");
    assert!(!s.contains("READY"), "{s}");
}

#[test]
fn an_unticked_optional_item_is_neutral() {
    let text = std::fs::read_to_string("tests/fixtures/cockpit.toml").unwrap();
    let text = text.replace(
        "source = \"rollback_plan\"\npass = \"checked\"",
        "source = \"rollback_plan\"\npass = \"checked\"\nrequired = false",
    );
    let pb =
        liftoff::playbook::load_str(std::path::Path::new("tests/fixtures/cockpit.toml"), &text)
            .unwrap();
    let mut a = App::new(
        pb,
        liftoff::tui::theme::Theme::load("dark").unwrap(),
        liftoff::tui::layout::Layout::load("commander").unwrap(),
        now(),
    );
    // Through the supervisor's core, as the cockpit gets it.
    let mut core = liftoff::supervisor::Core::new(a.pb.clone(), now());
    core.apply(
        SupervisorEvent::ReleaseChanged(Box::new(common::release())),
        now(),
    );
    for e in common::events() {
        core.apply(e, now());
    }
    a.apply(
        SupervisorEvent::Snapshot(std::sync::Arc::new(core.snapshot(now()))),
        now(),
    );
    a.size = (120, 40);
    a.fix_selection();
    let s = screen(&a);
    assert!(s.contains("○ Rollback plan reviewed (optional)"), "{s}");
    assert!(
        !s.contains("✖ 5. Operational Readiness"),
        "the section is not coloured:\n{s}"
    );
    insta::assert_snapshot!("optional_item_neutral", s);
}

#[test]
fn enter_shows_an_alert_and_a_journal_event_in_full() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use liftoff::tui::layout::PanelKind;
    let mut a = app("commander", "dark", (120, 40));
    a.focus = PanelKind::Alerts;
    a.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), now());
    let s = screen(&a);
    assert!(s.contains("Alert PolicyHeartbeatStale · Esc closes"), "{s}");
    assert!(s.contains("summary: no heartbeat for 5m"), "{s}");
    insta::assert_snapshot!("detail_alert", s);
    a.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), now());
    a.focus = PanelKind::Journal;
    a.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), now());
    let s = screen(&a);
    assert!(s.contains("Journal event"), "{s}");
}

#[test]
fn a_tall_summary_reads_in_big_letters() {
    use liftoff::tui::layout::PanelKind;
    let mut a = app("war-room", "dark", (200, 60));
    a.focus = PanelKind::Summary;
    a.zoomed = Some(PanelKind::Summary);
    let s = screen(&a);
    assert!(
        !s.contains("1. Validation History"),
        "still one-cell text:\n{s}"
    );
    insta::assert_snapshot!("summary_big", s);
}
