//! A cockpit in a known state, for snapshots and benches: the fixture playbook,
//! constructed observations (no network) and a journal fold, at a fixed `now`.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use liftoff::poller::PollEvent;
use liftoff::release::{
    AckRecord, DecisionSummary, JournalLine, KillState, ReleaseState, StageState,
};
use liftoff::source::{Alert, CommandOutput, FileInfo, Observation, Payload, Sample};
use liftoff::supervisor::event::SupervisorEvent;
use liftoff::supervisor::Core;
use liftoff::tui::app::App;
use liftoff::tui::layout::Layout;
use liftoff::tui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::path::Path;

pub fn now() -> DateTime<Utc> {
    "2026-11-21T12:00:00Z".parse().unwrap()
}

fn obs(source: &str, ago_s: i64, origin: &str, payload: Payload) -> SupervisorEvent {
    SupervisorEvent::Poll(PollEvent::Finished(Box::new(Observation {
        source: source.into(),
        at: now() - Duration::seconds(ago_s),
        took: std::time::Duration::from_millis(4),
        origin: origin.into(),
        outcome: Ok(payload),
    })))
}

fn sample(name: &str, value: f64) -> Sample {
    Sample {
        labels: [("__name__".to_string(), name.to_string())].into(),
        value,
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn policy(ago_s: i64, entropy: f64) -> SupervisorEvent {
    obs(
        "policy",
        ago_s,
        "http://127.0.0.1:9108/metrics",
        Payload::Scrape {
            samples: vec![
                sample("policy_entropy", entropy),
                sample("policy_collapse_risk", 0.0),
                sample("rl_influence_percent", 10.0),
            ],
        },
    )
}

fn burn(ago_s: i64, value: f64) -> SupervisorEvent {
    let results = [(
        "slo:error_budget_burn:ratio".to_string(),
        Ok(vec![sample("slo:error_budget_burn:ratio", value)]),
    )]
    .into();
    obs(
        "prom",
        ago_s,
        "http://127.0.0.1:9090",
        Payload::Prometheus { results },
    )
}

fn file(name: &str, hours_ago: i64, status: &str) -> FileInfo {
    FileInfo {
        name: name.into(),
        path: format!("artifacts/validation/{name}"),
        size: 512,
        modified: now() - Duration::hours(hours_ago),
        json: Some(serde_json::json!({ "status": status })),
        json_error: None,
    }
}

/// The release state the journal would give: 10% for 40 minutes, one
/// decision point recorded, two of three roles ACKed.
pub fn release() -> ReleaseState {
    let at = |m: i64| now() - Duration::minutes(m);
    ReleaseState {
        stage: Some(StageState {
            index: 1,
            name: "10%".into(),
            percent: 10.0,
            entered_at: at(40),
            decision_points_done: vec![std::time::Duration::from_secs(1800)],
        }),
        acks: vec![
            AckRecord {
                role: "captain".into(),
                by: "alice".into(),
                at: at(50),
                comment: None,
                stage: Some("10%".into()),
            },
            AckRecord {
                role: "techlead".into(),
                by: "carol".into(),
                at: at(45),
                comment: Some("metrics ok".into()),
                stage: Some("10%".into()),
            },
        ],
        kill: KillState::Ready,
        last_decision: Some(DecisionSummary {
            decision: "GO".into(),
            by: "alice".into(),
            at: at(42),
            justification: Some("all green at shadow".into()),
            next_review: None,
        }),
        recent: vec![
            JournalLine {
                at: at(50),
                actor: "alice".into(),
                kind: "ack".into(),
                summary: "captain ACK".into(),
            },
            JournalLine {
                at: at(42),
                actor: "alice".into(),
                kind: "decision".into(),
                summary: "GO for 10%".into(),
            },
            JournalLine {
                at: at(40),
                actor: "alice".into(),
                kind: "stage_entered".into(),
                summary: "10% (readback 10.0)".into(),
            },
            JournalLine {
                at: at(10),
                actor: "liftoff".into(),
                kind: "decision_point".into(),
                summary: "T+30m: NO-GO (no-pages)".into(),
            },
        ],
        alarm: None,
        ..Default::default()
    }
}

/// Every source answered; history for the guards' sparklines; a page alert.
pub fn events() -> Vec<SupervisorEvent> {
    let mut out = Vec::new();
    for i in 0..120i64 {
        let wave = ((i as f64) / 7.0).sin() * 0.03;
        let dip = if (70..80).contains(&i) { -0.07 } else { 0.0 };
        out.push(policy((120 - i) * 5, 0.92 + wave + dip));
        out.push(burn((120 - i) * 5, 0.2 + (i as f64) / 1000.0));
    }
    out.push(policy(3, 0.93));
    out.push(burn(2, 0.31));
    out.push(obs(
        "pages",
        4,
        "http://127.0.0.1:9093",
        Payload::Alerts {
            alerts: vec![
                Alert {
                    labels: labels(&[("alertname", "DiskFilling"), ("severity", "warning")]),
                    annotations: labels(&[("summary", "disk 91% on exporter-1")]),
                    starts_at: Some(now() - Duration::minutes(30)),
                    state: "active".into(),
                },
                Alert {
                    labels: labels(&[("alertname", "PolicyHeartbeatStale"), ("severity", "page")]),
                    annotations: labels(&[("summary", "no heartbeat for 5m")]),
                    starts_at: Some(now() - Duration::minutes(6)),
                    state: "active".into(),
                },
            ],
        },
    ));
    out.push(obs(
        "validation",
        20,
        "artifacts/validation/*.json",
        Payload::Files {
            files: vec![
                file("run-41.json", 30, "PASS"),
                file("run-42.json", 6, "PASS"),
            ],
        },
    ));
    out.push(obs(
        "preflight",
        45,
        "make preflight",
        Payload::Command(CommandOutput {
            exit_code: Some(0),
            stdout: "preflight OK".into(),
            stderr: String::new(),
            json: None,
            truncated: false,
        }),
    ));
    out
}

pub fn playbook() -> liftoff::playbook::LoadedPlaybook {
    liftoff::playbook::load(Path::new("tests/fixtures/cockpit.toml")).expect("fixture playbook")
}

/// The cockpit mid-ramp, as the commander sees it at `now()`.
pub fn app(layout: &str, theme: &str, size: (u16, u16)) -> App {
    app_after(layout, theme, size, Vec::new())
}

/// As `app`, with `extra` events (e.g. failed polls) after the usual ones,
/// folded by the same supervisor core.
pub fn app_after(layout: &str, theme: &str, size: (u16, u16), extra: Vec<SupervisorEvent>) -> App {
    let theme = Theme::load(theme).expect("theme");
    let layout = Layout::load(layout).expect("layout");
    let mut app = App::new(playbook(), theme, layout, now());
    // What the supervisor publishes after these events is what the cockpit draws.
    let mut core = Core::new(app.pb.clone(), now());
    core.apply(SupervisorEvent::ReleaseChanged(Box::new(release())), now());
    for e in events().into_iter().chain(extra) {
        core.apply(e, now());
    }
    let snapshot = std::sync::Arc::new(core.snapshot(now()));
    app.apply(SupervisorEvent::Snapshot(snapshot), now());
    app.size = size;
    app.fix_selection();
    app
}

pub fn render(app: &App, at: DateTime<Utc>) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal
        .draw(|f| liftoff::tui::view::render(f, app, at))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The screen as text, one line per row (trailing blanks trimmed).
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
