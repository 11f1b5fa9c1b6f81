//! App behaviour without a terminal: keys, selection, redraw decisions, acts.

use super::*;
use crate::poller::PollEvent;
use crate::release::StageState;
use crate::source::{Payload, Sample};
use crate::supervisor::event::SupervisorEvent;
use crate::supervisor::request::Request;
use crate::tui::overlays::dialog::Dialog;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::sync::Mutex;

pub(super) fn now() -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse().unwrap()
}

#[derive(Clone, Default)]
pub(super) struct Recorder(pub(super) Arc<Mutex<Vec<Request>>>);

impl Actuator for Recorder {
    fn carry_out(&mut self, request: Request) -> Result<String, String> {
        self.0.lock().unwrap().push(request);
        Ok("started".into())
    }
}

pub(super) fn app() -> App {
    let pb = crate::playbook::load(std::path::Path::new("tests/fixtures/cockpit.toml")).unwrap();
    let theme = Theme::load("dark").unwrap();
    let layout = Layout::load("commander").unwrap();
    let mut app = App::new(pb, theme, layout, now());
    app.size = (200, 60);
    app.fix_selection();
    app
}

pub(super) fn recording() -> (App, Recorder) {
    let rec = Recorder::default();
    (app().with_actuator(Box::new(rec.clone())), rec)
}

pub(super) fn key(app: &mut App, code: KeyCode, at: DateTime<Utc>) {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.on_key(KeyEvent::new(code, mods), at);
}

pub(super) fn press(app: &mut App, c: char) {
    key(app, KeyCode::Char(c), now());
}

pub(super) fn entropy(value: f64, at: DateTime<Utc>) -> SupervisorEvent {
    let sample = |name: &str, v: f64| Sample {
        labels: [("__name__".to_string(), name.to_string())].into(),
        value: v,
    };
    SupervisorEvent::Poll(PollEvent::Finished(Box::new(Observation {
        source: "policy".into(),
        at,
        took: std::time::Duration::from_millis(2),
        origin: "http://127.0.0.1:9108/metrics".into(),
        outcome: Ok(Payload::Scrape {
            samples: vec![
                sample("policy_entropy", value),
                sample("policy_collapse_risk", 0.0),
            ],
        }),
    })))
}

/// `event` through a supervisor core (as the cockpit's supervisor folds it),
/// then its snapshot into the cockpit: what the cockpit draws after it.
pub(super) fn supervised(
    app: &mut App,
    core: &mut crate::supervisor::Core,
    event: SupervisorEvent,
    at: DateTime<Utc>,
) {
    core.apply(event, at);
    app.apply(SupervisorEvent::Snapshot(Arc::new(core.snapshot(at))), at);
}

pub(super) fn core(app: &App) -> crate::supervisor::Core {
    crate::supervisor::Core::new(app.pb.clone(), now())
}

pub(super) fn ramp_at_10(app: &mut App) {
    let state = ReleaseState {
        stage: Some(StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: now() - chrono::Duration::minutes(20),
            decision_points_done: vec![],
        }),
        ..Default::default()
    };
    app.apply(SupervisorEvent::ReleaseChanged(Box::new(state)), now());
}

#[test]
fn redraws_only_when_something_changed() {
    let mut app = app();
    assert!(app.take_redraw(), "the first frame is due");
    assert!(!app.take_redraw(), "nothing changed since");
    // A key nobody bound, and mouse motion, change nothing.
    press(&mut app, 'x');
    let moved = MouseEvent {
        kind: MouseEventKind::Moved,
        column: 3,
        row: 3,
        modifiers: KeyModifiers::NONE,
    };
    app.on_terminal(Event::Mouse(moved), now());
    app.on_terminal(Event::FocusLost, now());
    assert!(!app.take_redraw());
    let mut sup = core(&app);
    supervised(&mut app, &mut sup, entropy(0.93, now()), now());
    assert!(app.take_redraw(), "new data is drawn");
    app.on_tick(now());
    assert!(
        app.take_redraw(),
        "the clock tick redraws countdowns and ages"
    );
    app.on_terminal(Event::Resize(120, 40), now());
    assert!(app.take_redraw());
    assert_eq!(app.size, (120, 40));
    press(&mut app, 'j');
    assert!(app.take_redraw());
}

#[test]
fn new_values_wait_for_the_clock_and_a_new_status_is_drawn_at_once() {
    let mut app = app();
    let mut sup = core(&app);
    supervised(&mut app, &mut sup, entropy(0.93, now()), now());
    assert!(app.take_redraw(), "the first data is drawn at once");
    let later = now() + chrono::Duration::seconds(1);
    supervised(&mut app, &mut sup, entropy(0.94, later), later);
    assert!(
        !app.take_redraw(),
        "a new value, same verdicts: the next tick's frame"
    );
    let i = app.pb.checks.iter().position(|c| c.spec.id == "entropy");
    let v = i.map(|i| app.verdicts[i].evidence.value.clone());
    assert_eq!(
        v,
        Some(Some("0.94".into())),
        "the value is there for that frame"
    );
    app.on_tick(later);
    assert!(app.take_redraw());
    supervised(&mut app, &mut sup, entropy(0.87, later), later);
    assert!(app.take_redraw(), "PASS -> WARN is drawn at once");
}

#[test]
fn observations_change_verdicts_and_the_source_line() {
    let mut app = app();
    let i = app
        .pb
        .checks
        .iter()
        .position(|c| c.spec.id == "entropy")
        .unwrap();
    assert_eq!(app.verdicts[i].status, crate::engine::Status::Unknown);
    let mut sup = core(&app);
    let started = SupervisorEvent::Poll(PollEvent::Started {
        source: "policy".into(),
    });
    supervised(&mut app, &mut sup, started, now());
    assert!(app.sources["policy"].polling);
    supervised(&mut app, &mut sup, entropy(0.93, now()), now());
    assert_eq!(app.verdicts[i].status, crate::engine::Status::Pass);
    assert!(!app.sources["policy"].polling);
    assert_eq!(app.sources["policy"].last_ok, Some(true));
    assert_eq!(app.history[0].latest(), Some(0.93));
    // Staleness comes with the supervisor's clock: max_age is 30s.
    let later = now() + chrono::Duration::seconds(31);
    sup.tick(later);
    app.apply(
        SupervisorEvent::Snapshot(Arc::new(sup.snapshot(later))),
        later,
    );
    assert_eq!(app.verdicts[i].status, crate::engine::Status::Unknown);
}

#[test]
fn rows_move_within_a_panel_then_to_the_next_panel() {
    let mut app = app();
    assert_eq!(app.focus, PanelKind::Checklist);
    press(&mut app, 'j');
    press(&mut app, 'j');
    assert_eq!(app.row(PanelKind::Checklist), 2);
    press(&mut app, 'k');
    assert_eq!(app.row(PanelKind::Checklist), 1);
    let last = app.pb.checks.len() - 1;
    for _ in 0..20 {
        key(&mut app, KeyCode::Down, now());
        if app.focus != PanelKind::Checklist {
            break;
        }
    }
    assert_eq!(app.row(PanelKind::Checklist), last);
    let rects = app.focusable();
    let rect = |k: PanelKind| rects.iter().find(|(p, _)| *p == k).unwrap().1;
    assert!(
        rect(app.focus).y >= rect(PanelKind::Checklist).bottom(),
        "down at the last row goes to the panel below, got {:?}",
        app.focus
    );
}

#[test]
fn left_right_and_tab_move_between_panels() {
    let mut app = app();
    let rects = app.focusable();
    let rect = |k: PanelKind| rects.iter().find(|(p, _)| *p == k).unwrap().1;
    press(&mut app, 'l');
    assert!(rect(app.focus).x >= rect(PanelKind::Checklist).right());
    press(&mut app, 'h');
    assert_eq!(app.focus, PanelKind::Checklist);
    let order: Vec<PanelKind> = rects.iter().map(|(k, _)| *k).collect();
    let at = order
        .iter()
        .position(|k| *k == PanelKind::Checklist)
        .unwrap();
    key(&mut app, KeyCode::Tab, now());
    assert_eq!(app.focus, order[(at + 1) % order.len()]);
    key(&mut app, KeyCode::BackTab, now());
    assert_eq!(app.focus, PanelKind::Checklist);
    assert!(
        !order.contains(&PanelKind::Status),
        "the status line takes no focus"
    );
}

#[test]
fn clicks_select_panels_and_checklist_rows() {
    let mut app = app();
    let rects = app.focusable();
    let rect = |k: PanelKind| rects.iter().find(|(p, _)| *p == k).unwrap().1;
    let click = |app: &mut App, x: u16, y: u16| {
        let m = MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        };
        app.on_terminal(Event::Mouse(m), now());
    };
    let roles = rect(PanelKind::Roles);
    click(&mut app, roles.x + 3, roles.y + 2);
    assert_eq!(app.focus, PanelKind::Roles);
    assert_eq!(app.row(PanelKind::Roles), 1, "the second role's line");
    // Line 0 inside the checklist is a section header, line 1 the first check,
    // line 2 the next section's header, line 3 its first check.
    let list = rect(PanelKind::Checklist);
    click(&mut app, list.x + 5, list.y + 4);
    assert_eq!(app.focus, PanelKind::Checklist);
    assert_eq!(app.row(PanelKind::Checklist), 1);
    click(&mut app, list.x + 5, list.y + 3);
    assert_eq!(app.row(PanelKind::Checklist), 1, "a header selects nothing");
}

#[test]
fn second_k_within_the_window_fires_the_kill_switch() {
    let (mut app, rec) = recording();
    press(&mut app, 'K');
    assert!(app.kill_armed(now()).is_some());
    assert!(
        rec.0.lock().unwrap().is_empty(),
        "arming alone fires nothing"
    );
    key(
        &mut app,
        KeyCode::Char('K'),
        now() + chrono::Duration::seconds(4),
    );
    let acts = rec.0.lock().unwrap().clone();
    assert!(matches!(acts[..], [Request::FireKill]), "{acts:?}");
    assert!(app
        .kill_armed(now() + chrono::Duration::seconds(4))
        .is_none());
    assert!(
        matches!(app.kill_state(), crate::release::KillState::Firing { .. }),
        "FIRING from the press, before any readback"
    );
}

#[test]
fn a_burst_of_k_does_not_fire_and_a_deliberate_press_then_does() {
    let (mut app, rec) = recording();
    press(&mut app, 'K');
    key(
        &mut app,
        KeyCode::Char('K'),
        now() + chrono::Duration::milliseconds(2),
    );
    assert!(rec.0.lock().unwrap().is_empty(), "K K as one burst fired");
    assert!(app.kill_armed(now()).is_some(), "still armed");
    key(
        &mut app,
        KeyCode::Char('K'),
        now() + chrono::Duration::milliseconds(400),
    );
    let acts = rec.0.lock().unwrap().clone();
    assert!(matches!(acts[..], [Request::FireKill]), "{acts:?}");
}

#[test]
fn the_arming_window_closes_and_esc_disarms() {
    let (mut app, rec) = recording();
    press(&mut app, 'K');
    app.on_tick(now() + chrono::Duration::seconds(6));
    assert!(
        app.kill_armed(now() + chrono::Duration::seconds(6))
            .is_none(),
        "5 s passed"
    );
    key(
        &mut app,
        KeyCode::Char('K'),
        now() + chrono::Duration::seconds(6),
    );
    assert!(
        rec.0.lock().unwrap().is_empty(),
        "a late K arms again, never fires"
    );
    key(&mut app, KeyCode::Esc, now() + chrono::Duration::seconds(7));
    assert!(app
        .kill_armed(now() + chrono::Duration::seconds(7))
        .is_none());
    key(
        &mut app,
        KeyCode::Char('K'),
        now() + chrono::Duration::seconds(8),
    );
    assert!(rec.0.lock().unwrap().is_empty());
    // While armed, other keys do nothing (a stray q must not quit).
    press(&mut app, 'q');
    assert!(!app.quit);
}

#[test]
fn acts_go_to_the_actuator_and_not_wired_says_so() {
    let (mut app, rec) = recording();
    app.user = "ana".into();
    press(&mut app, 'a');
    assert!(matches!(app.dialog, Some(Dialog::Ack(_))));
    key(&mut app, KeyCode::Enter, now());
    assert!(app.dialog.is_none(), "recorded: the dialog closes");
    press(&mut app, 'g');
    assert!(matches!(app.dialog, Some(Dialog::Decide(_))));
    key(&mut app, KeyCode::Esc, now());
    let acts = rec.0.lock().unwrap().clone();
    match &acts[..] {
        [Request::Ack {
            role,
            name,
            comment,
            stage,
        }] => {
            assert_eq!((role.as_str(), name.as_str()), ("captain", "ana"));
            assert_eq!((comment, stage), (&None, &None));
        }
        other => panic!("expected one ACK, got {other:?}"),
    }

    let mut plain = self::app();
    press(&mut plain, 'K');
    let second = now() + chrono::Duration::seconds(1);
    key(&mut plain, KeyCode::Char('K'), second);
    let notice = plain.notice_at(now()).unwrap();
    assert!(notice.text.contains("not wired yet"), "{}", notice.text);
    assert!(notice.bad);
    assert_eq!(
        plain.kill_state(),
        &crate::release::KillState::Ready,
        "a refused kill does not show FIRING"
    );
}

#[test]
fn confirmations_can_be_refused() {
    let (mut app, rec) = recording();
    press(&mut app, ']');
    press(&mut app, 'n');
    assert_eq!(app.overlay, None);
    press(&mut app, ']');
    key(&mut app, KeyCode::Esc, now());
    assert!(rec.0.lock().unwrap().is_empty());
}

#[test]
fn quit_asks_only_while_the_ramp_carries_traffic() {
    let mut idle = app();
    press(&mut idle, 'q');
    assert!(idle.quit);

    let mut running = app();
    ramp_at_10(&mut running);
    press(&mut running, 'q');
    assert!(!running.quit);
    assert_eq!(running.overlay, Some(Overlay::Confirm(Confirm::Quit)));
    press(&mut running, 'n');
    assert!(!running.quit);
    press(&mut running, 'q');
    press(&mut running, 'y');
    assert!(running.quit);
}

#[test]
fn ctrl_c_always_quits_and_ctrl_z_asks_to_suspend() {
    let mut app = app();
    ramp_at_10(&mut app);
    press(&mut app, 'K');
    app.on_key(
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        now(),
    );
    assert!(app.quit);
    let mut app2 = self::app();
    app2.on_key(
        KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL),
        now(),
    );
    assert!(app2.suspend);
}

#[test]
fn step_back_asks_first_and_ack_follows_the_selection() {
    let (mut app, rec) = recording();
    ramp_at_10(&mut app);
    press(&mut app, '[');
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::StepBack(0))));
    assert!(
        rec.0.lock().unwrap().is_empty(),
        "nothing before the answer"
    );
    press(&mut app, 'y');
    app.focus = PanelKind::Roles;
    press(&mut app, 'j');
    press(&mut app, 'j');
    press(&mut app, 'a');
    key(&mut app, KeyCode::Enter, now());
    let acts = rec.0.lock().unwrap().clone();
    assert!(
        matches!(acts[0], Request::StepBack { index: 0, .. }),
        "{acts:?}"
    );
    match &acts[1] {
        Request::Ack { role, stage, .. } => {
            assert_eq!(role, "techlead");
            assert_eq!(stage.as_deref(), Some("10%"), "given for the stage at hand");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn enter_opens_evidence_and_esc_closes() {
    let mut app = app();
    press(&mut app, 'j');
    key(&mut app, KeyCode::Enter, now());
    assert_eq!(app.overlay, Some(Overlay::Evidence(1)));
    key(&mut app, KeyCode::Esc, now());
    assert_eq!(app.overlay, None);
    press(&mut app, '?');
    assert_eq!(app.overlay, Some(Overlay::Help));
    press(&mut app, '?');
    assert_eq!(app.overlay, None);
}

#[test]
fn theme_and_layout_cycle_over_the_builtins() {
    let mut app = app();
    let themes = Theme::builtin_names();
    press(&mut app, 't');
    assert_eq!(app.theme.name, themes[1 % themes.len()]);
    let layouts = Layout::builtin_names();
    press(&mut app, 'L');
    assert_eq!(app.layout.name, layouts[1 % layouts.len()]);
    assert!(app.focusable().iter().any(|(k, _)| *k == app.focus) || app.too_small());
}

#[test]
fn release_changes_feed_the_gate() {
    let mut app = app();
    let before = app.acks.iter().filter(|a| a.is_valid()).count();
    let state = ReleaseState {
        acks: vec![crate::release::AckRecord {
            role: "captain".into(),
            by: "alice".into(),
            at: now() - chrono::Duration::minutes(5),
            comment: None,
            stage: None,
        }],
        ..Default::default()
    };
    let mut sup = core(&app);
    supervised(&mut app, &mut sup, state.into(), now());
    assert_eq!(app.acks.iter().filter(|a| a.is_valid()).count(), before + 1);
    assert!(!app.gate.holds.iter().any(|h| h.id == "captain"));
}

#[test]
fn evidence_follows_the_selection_while_open() {
    let mut app = app();
    key(&mut app, KeyCode::Enter, now());
    assert_eq!(app.overlay, Some(Overlay::Evidence(0)));
    press(&mut app, 'j');
    assert_eq!(app.overlay, Some(Overlay::Evidence(1)));
}
