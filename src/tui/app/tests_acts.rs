//! Acts from the cockpit without a terminal: dialogs, the ramp's refusals,
//! guards, decision points, ticks, rollbacks, search. The actuator is a recorder.

use super::tests::{app, key, now, press, ramp_at_10, recording, Recorder};
use super::*;
use crate::engine::Decision;
use crate::release::{AckRecord, StageState};
use crate::supervisor::event::SupervisorEvent;
use crate::supervisor::request::Request;
use crate::tui::overlays::dialog::Dialog;
use crossterm::event::KeyCode;

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c), now());
    }
}

fn acts(rec: &Recorder) -> Vec<Request> {
    rec.0.lock().unwrap().clone()
}

fn ack(role: &str, by: &str) -> AckRecord {
    AckRecord {
        role: role.into(),
        by: by.into(),
        at: now() - chrono::Duration::minutes(1),
        comment: None,
        stage: None,
    }
}

fn check_index(app: &App, id: &str) -> usize {
    app.pb.checks.iter().position(|c| c.spec.id == id).unwrap()
}

#[test]
fn the_ramp_refuses_on_no_go_and_says_which_checks_and_roles_hold_it() {
    let (mut app, rec) = recording();
    press(&mut app, ']');
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::EnterStage(0))));
    let refusal = app.enter_refusal(0, now()).expect("NO-GO refuses");
    assert!(refusal.checks().contains(&"no-pages"), "{refusal}");
    assert!(
        refusal.checks().contains(&"captain"),
        "go_acks roles hold the gate: {refusal}"
    );
    press(&mut app, 'y');
    assert!(acts(&rec).is_empty(), "nothing runs on a refusal");
    let notice = app.notice_at(now()).unwrap();
    assert!(notice.bad);
    assert!(notice.text.contains("NO-GO, held by"), "{}", notice.text);
    assert!(notice.text.contains("no-pages"), "{}", notice.text);
}

#[test]
fn on_go_the_confirmed_stage_goes_to_the_actuator_with_what_was_seen() {
    let (mut app, rec) = recording();
    app.gate = crate::engine::GateDecision {
        decision: Decision::Go,
        holds: Vec::new(),
    };
    press(&mut app, ']');
    assert!(app.enter_refusal(0, now()).is_none());
    press(&mut app, 'y');
    match &acts(&rec)[..] {
        [Request::EnterStage { index: 0, seen }] => assert_eq!(seen.gate.decision, Decision::Go),
        other => panic!("{other:?}"),
    }
}

#[test]
fn k_arms_from_a_list_but_is_typed_in_a_text_field() {
    let (mut app, rec) = recording();
    app.user = "ana".into();
    press(&mut app, 'a');
    press(&mut app, 'K');
    assert!(app.kill_armed(now()).is_some(), "K from the role list arms");
    assert!(app.dialog.is_some(), "the dialog stays under the modal");
    key(&mut app, KeyCode::Esc, now());
    assert!(app.kill_armed(now()).is_none() && app.dialog.is_some());
    key(&mut app, KeyCode::Tab, now());
    typed(&mut app, "Kq");
    assert!(app.kill_armed(now()).is_none() && !app.quit);
    match &app.dialog {
        Some(Dialog::Ack(d)) => assert_eq!(d.name.value(), "anaKq"),
        other => panic!("{other:?}"),
    }
    key(&mut app, KeyCode::Esc, now());
    assert!(app.dialog.is_none());
    assert!(acts(&rec).is_empty(), "Esc records nothing");
}

#[test]
fn the_decision_needs_a_justification_and_for_no_go_a_next_review() {
    let (mut app, rec) = recording();
    app.user = "ana".into();
    press(&mut app, 'g');
    key(&mut app, KeyCode::Enter, now());
    assert!(acts(&rec).is_empty());
    assert!(app.notice_at(now()).unwrap().text.contains("justification"));
    typed(&mut app, "pages firing");
    key(&mut app, KeyCode::Enter, now());
    assert!(acts(&rec).is_empty());
    assert!(app.notice_at(now()).unwrap().text.contains("next review"));
    key(&mut app, KeyCode::Tab, now());
    typed(&mut app, "2h");
    key(&mut app, KeyCode::Enter, now());
    assert!(app.dialog.is_none());
    match &acts(&rec)[..] {
        [Request::Decide(d)] => {
            assert_eq!(d.report.decision, Decision::NoGo);
            assert_eq!(d.maker, "ana");
            assert_eq!(d.justification, "pages firing");
            assert_eq!(d.next_review.as_deref(), Some("2026-11-21T14:00:00Z"));
            assert!(!d.report.holds.is_empty() && !d.report.criteria.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_raised_alarm_is_answered_with_a_comment() {
    let (mut app, rec) = recording();
    let state = ReleaseState {
        alarm: Some("guard burn-ceiling tripped: `value > 0.5` held".into()),
        alarm_guard: Some("burn-ceiling".into()),
        ..Default::default()
    };
    app.apply(state.into(), now());
    press(&mut app, 'a');
    assert!(matches!(app.dialog, Some(Dialog::Alarm(_))));
    key(&mut app, KeyCode::Enter, now());
    assert!(acts(&rec).is_empty(), "an answer needs a comment");
    typed(&mut app, "burn is a known batch job");
    key(&mut app, KeyCode::Enter, now());
    match &acts(&rec)[..] {
        [Request::AnswerAlarm { guard, comment }] => {
            assert_eq!(guard.as_deref(), Some("burn-ceiling"));
            assert_eq!(comment.as_deref(), Some("burn is a known batch job"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn space_ticks_and_unticks_a_manual_item_and_nothing_else() {
    let (mut app, rec) = recording();
    press(&mut app, ' ');
    assert!(acts(&rec).is_empty(), "the first row is not a manual item");
    assert!(app
        .notice_at(now())
        .unwrap()
        .text
        .contains("not a manual item"));
    let i = check_index(&app, "rollback-plan");
    app.selected.insert(PanelKind::Checklist, i);
    press(&mut app, ' ');
    let mut state = ReleaseState::default();
    state.manual.insert(
        "rollback_plan".into(),
        crate::source::ManualState {
            checked: true,
            by: Some("ana".into()),
            at: Some(now()),
        },
    );
    app.apply(state.into(), now());
    press(&mut app, ' ');
    let got: Vec<(String, bool)> = acts(&rec)
        .into_iter()
        .map(|a| match a {
            Request::Tick { item, checked, .. } => (item, checked),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            ("rollback_plan".into(), true),
            ("rollback_plan".into(), false)
        ]
    );
}

#[test]
fn an_item_that_names_a_role_is_ticked_by_someone_holding_it() {
    let text = std::fs::read_to_string("tests/fixtures/cockpit.toml").unwrap()
        + "\n[source.comms]\nkind = \"manual\"\ntitle = \"Customer comms ready\"\nrole = \"techlead\"\n\n[[check]]\nid = \"comms\"\nsection = \"5. Operational Readiness\"\nsource = \"comms\"\npass = \"checked\"\n";
    let pb = crate::playbook::load_str(std::path::Path::new("tests/fixtures/cockpit.toml"), &text)
        .unwrap();
    let mut app = App::new(
        pb,
        Theme::load("dark").unwrap(),
        Layout::load("commander").unwrap(),
        now(),
    );
    let rec = Recorder::default();
    app = app.with_actuator(Box::new(rec.clone()));
    app.user = "ana".into();
    let i = check_index(&app, "comms");
    app.selected.insert(PanelKind::Checklist, i);
    press(&mut app, ' ');
    assert!(acts(&rec).is_empty());
    let why = &app.notice_at(now()).unwrap().text;
    assert!(why.contains("ticked by the techlead role"), "{why}");
    let state = ReleaseState {
        acks: vec![ack("techlead", "ana")],
        ..Default::default()
    };
    app.apply(state.into(), now());
    press(&mut app, ' ');
    match &acts(&rec)[..] {
        [Request::Tick {
            item,
            role,
            checked,
        }] => {
            assert_eq!(
                (item.as_str(), role.as_deref(), *checked),
                ("comms", Some("techlead"), true)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_rollback_menu_asks_before_firing() {
    let (mut app, rec) = recording();
    press(&mut app, 'R');
    assert!(matches!(app.dialog, Some(Dialog::Rollback(_))));
    key(&mut app, KeyCode::Enter, now());
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::Rollback(0))));
    assert!(acts(&rec).is_empty());
    press(&mut app, 'y');
    match &acts(&rec)[..] {
        [Request::Rollback { target }] => assert_eq!(target, "shadow-only"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn search_finds_runbook_entries_and_opens_the_check() {
    let mut app = app();
    // `: search` opens the runbook search (`/` filters the focused list).
    press(&mut app, ':');
    typed(&mut app, "search");
    key(&mut app, KeyCode::Enter, now());
    typed(&mut app, "SHADOW pol");
    let hits = crate::tui::overlays::search::hits(&app, "SHADOW pol");
    assert_eq!(hits.len(), 1, "{hits:?}");
    key(&mut app, KeyCode::Enter, now());
    let entropy = check_index(&app, "entropy");
    assert!(app.dialog.is_none());
    assert_eq!(app.overlay, Some(Overlay::Evidence(entropy)));
    assert_eq!(app.row(PanelKind::Checklist), entropy);
    let all = crate::tui::overlays::search::hits(&app, "");
    assert!(all.len() >= 3, "every entry and runbook line: {all:?}");
}

#[test]
fn enter_is_never_yes_in_a_confirmation() {
    let (mut app, rec) = recording();
    press(&mut app, 'R');
    key(&mut app, KeyCode::Enter, now());
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::Rollback(0))));
    key(&mut app, KeyCode::Enter, now());
    assert!(acts(&rec).is_empty(), "R Enter Enter fired a rollback");
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::Rollback(0))));
    press(&mut app, 'n');
    assert_eq!(app.overlay, None);
    ramp_at_10(&mut app);
    press(&mut app, 'q');
    key(&mut app, KeyCode::Enter, now());
    assert!(!app.quit, "Enter quit while the ramp runs");
    press(&mut app, 'y');
    assert!(app.quit);
}

#[test]
fn entering_100_percent_wants_the_stage_name_typed() {
    let (mut app, rec) = recording();
    let state = crate::release::ReleaseState {
        stage: Some(StageState {
            index: 3,
            name: "50%".into(),
            percent: 50.0,
            entered_at: now() - chrono::Duration::hours(5),
            decision_points_done: vec![],
        }),
        ..Default::default()
    };
    app.apply(SupervisorEvent::ReleaseChanged(Box::new(state)), now());
    app.gate = crate::engine::GateDecision {
        decision: Decision::Go,
        holds: Vec::new(),
    };
    press(&mut app, ']');
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::EnterStage(4))));
    assert_eq!(
        app.typed_answer(Confirm::EnterStage(4), now()).as_deref(),
        Some("100%")
    );
    press(&mut app, 'y');
    key(&mut app, KeyCode::Enter, now());
    assert!(acts(&rec).is_empty(), "y is not the name");
    assert!(app.overlay.is_some());
    // Backspace the stray y, then the name.
    key(&mut app, KeyCode::Backspace, now());
    typed(&mut app, "100%");
    key(&mut app, KeyCode::Enter, now());
    match &acts(&rec)[..] {
        [Request::EnterStage { index: 4, .. }] => {}
        other => panic!("{other:?}"),
    }
    // Esc says no, and K is still the kill key while typing.
    press(&mut app, ']');
    press(&mut app, 'K');
    assert!(app.kill_armed(now()).is_some());
}

#[test]
fn acks_used_up_by_the_stage_just_entered_are_not_shown_as_held() {
    let (mut app, _rec) = recording();
    let entered = now() - chrono::Duration::seconds(30);
    let state = ReleaseState {
        acks: vec![ack("oncall", "bob"), ack("captain", "alice")],
        entries: vec![crate::release::StageEntry {
            index: 1,
            name: "10%".into(),
            at: entered,
            back: false,
        }],
        stage: Some(StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: entered,
            decision_points_done: vec![],
        }),
        ..Default::default()
    };
    // As the cockpit gets it: through its supervisor's snapshot.
    let mut sup = super::tests::core(&app);
    super::tests::supervised(&mut app, &mut sup, state.into(), now());
    // The gate at 10% still counts them (no NO-GO right after entering)...
    assert!(app.acks.iter().all(|a| a.is_valid()), "{:?}", app.acks);
    // ...but the Roles panel does not show them as held: the next step needs new ones.
    let st = super::acks::role_status(&app, "captain", now());
    assert!(!st.is_valid());
    let why = st.missing.unwrap();
    assert!(
        why.contains("the last ACK (alice) was used to enter stage 10%"),
        "{why}"
    );
}

#[test]
fn w_waives_the_selected_check_with_the_rule_books_words() {
    let (mut app, rec) = recording();
    // A check without waivable_by: the dialog says why it will be refused, and Enter does nothing.
    app.focus = PanelKind::Checklist;
    press(&mut app, 'w');
    assert!(matches!(app.dialog, Some(Dialog::Waive(_))));
    typed(&mut app, "hotfix");
    key(&mut app, KeyCode::Enter, now());
    assert!(acts(&rec).is_empty());
    let why = match &app.dialog {
        Some(Dialog::Waive(d)) => d.error.clone().unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    assert!(why.starts_with("waiver refused: check"), "{why}");
    assert!(
        why.contains("cannot be waived: it names no waivable_by roles"),
        "{why}"
    );
}

#[test]
fn the_decide_dialog_picks_an_outcome_and_says_when_it_overrides_the_gate() {
    let (mut app, rec) = recording();
    assert_eq!(app.gate.decision, Decision::NoGo);
    press(&mut app, 'g');
    typed(&mut app, "debrief: expand anyway");
    // Tab to the outcome row (after the next review), then → twice: no-go -> expand.
    for _ in 0..2 {
        key(&mut app, KeyCode::Tab, now());
    }
    key(&mut app, KeyCode::Right, now());
    let Some(Dialog::Decide(d)) = &app.dialog else {
        panic!("the decide dialog")
    };
    assert_eq!(d.outcome(), crate::act::rules::Outcome::Expand);
    key(&mut app, KeyCode::Enter, now());
    match &acts(&rec)[..] {
        [Request::Decide(d)] => {
            let plan = &d.plan;
            assert!(plan.overridden);
            assert!(
                plan.says
                    .starts_with("expand OVERRIDES the gate: it is NO-GO"),
                "{}",
                plan.says
            );
        }
        other => panic!("{other:?}"),
    }
}
