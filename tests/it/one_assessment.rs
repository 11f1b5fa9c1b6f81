//! `liftoff check`, `liftoff status` and the cockpit agree mid-ramp on a
//! playbook whose checks read `stage` and `percent`: the journal is at 10%
//! (entered through the real stage act), `check` and `status` are the real
//! binary, the cockpit is `App` drawing the supervisor's snapshot on a
//! TestBackend (what the running cockpit draws), fed by real polls.

use crate::support;

use liftoff::act::{stage, ActContext};
use liftoff::engine::Status;
use liftoff::journal::{self, Actor};
use liftoff::release::ReleaseState;
use liftoff::source::poll::{poll_all, PollContext};
use liftoff::supervisor::event::SupervisorEvent;
use liftoff::supervisor::Core;
use liftoff::tui::app::App;
use std::collections::BTreeMap;
use std::sync::Arc;

const PLAYBOOK: &str = r#"
[release]
name = "stage-aware checks"

[source.pct]
kind = "command"
run = ["cat", "pct.txt"]
timeout = "2s"

[[check]]
id = "at-ten"
title = "The ramp is at 10%"
source = "pct"
pass = 'stage == "10%" && percent == 10.0'

[[check]]
id = "share-matches"
title = "The traffic share read back is the stage's"
source = "pct"
pass = "json == percent"

[[check]]
id = "not-full"
title = "Not yet at 100%"
source = "pct"
pass = "percent < 100.0"

[ramp]
set = { kind = "command", run = ["sh", "-c", "echo {percent} > pct.txt"] }
readback = { source = "pct", pass = "json == percent", timeout = "10s" }

[[ramp.stage]]
name = "shadow"
percent = 0

[[ramp.stage]]
name = "10%"
percent = 10

[[ramp.stage]]
name = "100%"
percent = 100
"#;

fn liftoff(args: &[&str]) -> (i32, serde_json::Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run liftoff");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_status_and_the_cockpit_agree_mid_ramp() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::playbook::write(dir.path(), PLAYBOOK);
    let pb = Arc::new(support::playbook::load(dir.path(), PLAYBOOK));
    let j = journal::open(&pb.journal_config()).unwrap();
    let ctx = ActContext::new(pb.clone(), j.clone(), Actor::here(Some("captain")));
    for index in [0, 1] {
        let entered = stage::enter(ctx.clone(), index, false).await.unwrap();
        assert!(entered.entered, "{entered:#?}");
    }
    let path = path.to_str().unwrap();

    // `liftoff check`: every check sees the journal's stage.
    let (_, check) = liftoff(&["check", path, "--format", "json"]);
    let from_check: BTreeMap<String, String> = check["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap().to_string();
            (id, c["status"].as_str().unwrap().to_string())
        })
        .collect();
    let want: BTreeMap<String, String> = ["at-ten", "share-matches", "not-full"]
        .into_iter()
        .map(|id| (id.to_string(), "PASS".to_string()))
        .collect();
    assert_eq!(from_check, want, "{check:#}");

    // `liftoff status`: what conditions see, the same stage and percent.
    let (code, status) = liftoff(&["status", path, "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(status["sees"]["stage"], "10%", "{status:#}");
    assert_eq!(status["sees"]["percent"], 10.0, "{status:#}");
    assert_eq!(status["state"]["stage"]["name"], "10%");

    // The cockpit: the supervisor's core folds the journal and real polls,
    // the App draws its snapshot.
    let state = ReleaseState::from_read(&j.read_all().unwrap());
    let observations = poll_all(&PollContext::new(pb.base_dir()), &pb).await;
    let now = chrono::Utc::now();
    let mut core = Core::new(pb.clone(), now);
    core.apply(SupervisorEvent::ReleaseChanged(Box::new(state)), now);
    for (_, obs) in observations {
        core.apply(
            SupervisorEvent::Poll(liftoff::poller::PollEvent::Finished(Box::new(obs))),
            now,
        );
    }
    let theme = liftoff::tui::theme::Theme::load("dark").unwrap();
    let layout = liftoff::tui::layout::Layout::load("commander").unwrap();
    let mut app = App::new((*pb).clone(), theme, layout, now);
    app.size = (160, 48);
    app.apply(SupervisorEvent::Snapshot(Arc::new(core.snapshot(now))), now);
    let from_cockpit: BTreeMap<String, String> = app
        .verdicts
        .iter()
        .map(|v| (v.check.clone(), v.status.word().to_string()))
        .collect();
    assert_eq!(from_cockpit, from_check);
    assert!(app.verdicts.iter().all(|v| v.status == Status::Pass));
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.size.0, app.size.1)).unwrap();
    term.draw(|f| liftoff::tui::view::render(f, &app, now))
        .unwrap();
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("The ramp is at 10%"), "{screen}");
    assert!(!screen.contains("only known while a ramp runs"), "{screen}");
}
