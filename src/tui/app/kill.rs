//! The kill switch as this cockpit shows it. The journal is the shared truth,
//! but a press here must show FIRING at once, and the readback's verdict as
//! soon as this process has it (even if the journal write failed). So the
//! cockpit keeps its own view until the journal has caught up with it.

use super::App;
use crate::release::KillState;
use crate::supervisor::kill_view;
use chrono::{DateTime, Utc};

impl App {
    /// What the kill panel and the banner show: this cockpit's own firing
    /// while the journal has not caught up with it, else the journal's state.
    pub fn kill_state(&self) -> &KillState {
        self.kill_local.as_ref().unwrap_or(&self.supervisor_kill)
    }

    /// True while this cockpit's kill switch is firing or proven halted.
    pub fn kill_stops_the_ramp(&self) -> bool {
        matches!(
            self.kill_state(),
            KillState::Firing { .. } | KillState::Halted { .. }
        )
    }

    /// True while this cockpit's firing is shown from its own view and its
    /// journal records wait in the local spool (the journal was away): the
    /// other cockpits do not know of it yet. Once the records are written the
    /// journal catches up and this cockpit shows the journal's state again.
    pub fn kill_kept_locally(&self) -> bool {
        self.kill_kept && self.kill_local.is_some()
    }

    /// A kill was just handed to the actuator (a press, or a guard).
    pub(crate) fn kill_dispatched(&mut self, now: DateTime<Utc>) {
        self.kill_local = Some(KillState::Firing { since: now });
        self.kill_kept = false;
    }

    /// The readback's verdict on this cockpit's firing; `kept`: its journal
    /// records wait in the local spool.
    pub(crate) fn kill_done(&mut self, state: KillState, kept: bool) {
        self.kill_local = Some(state);
        self.kill_kept = kept;
        self.reconcile_kill();
    }

    /// Drops the local view once the journal says as much or more: it shows
    /// the verdict of this firing (or a later one), or a stage entered after it.
    pub(crate) fn reconcile_kill(&mut self) {
        let Some(local) = &self.kill_local else {
            return;
        };
        if kill_view::caught_up(local, &self.release) {
            self.kill_local = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{ReleaseState, StageState};

    fn t(s: i64) -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::seconds(s)
    }

    fn app() -> App {
        let pb =
            crate::playbook::load(std::path::Path::new("tests/fixtures/cockpit.toml")).unwrap();
        let theme = crate::tui::theme::Theme::load("dark").unwrap();
        let layout = crate::tui::layout::Layout::load("commander").unwrap();
        App::new(pb, theme, layout, t(0))
    }

    fn journal(app: &mut App, kill: KillState) {
        app.supervisor_kill = kill.clone();
        app.release = ReleaseState {
            kill,
            ..Default::default()
        };
        app.reconcile_kill();
    }

    #[test]
    fn firing_shows_at_once_and_the_verdict_before_the_journal_has_it() {
        let mut app = app();
        // An old halt in the journal, from an earlier release window.
        journal(
            &mut app,
            KillState::Halted {
                at: t(-3600),
                took_ms: 5,
            },
        );
        app.kill_dispatched(t(0));
        assert!(matches!(app.kill_state(), KillState::Firing { .. }));
        journal(
            &mut app,
            KillState::Halted {
                at: t(-3600),
                took_ms: 5,
            },
        );
        assert!(
            matches!(app.kill_state(), KillState::Firing { .. }),
            "an old halt is not this firing's verdict"
        );
        app.kill_done(
            KillState::Halted {
                at: t(2),
                took_ms: 40,
            },
            false,
        );
        assert_eq!(
            app.kill_state(),
            &KillState::Halted {
                at: t(2),
                took_ms: 40
            }
        );
        // The journal's own Firing (this press) does not hide the verdict.
        journal(&mut app, KillState::Firing { since: t(0) });
        assert!(matches!(app.kill_state(), KillState::Halted { .. }));
        // The journal's verdict arrives: the journal is the truth again.
        journal(
            &mut app,
            KillState::Halted {
                at: t(2),
                took_ms: 41,
            },
        );
        assert!(app.kill_local.is_none());
        assert_eq!(
            app.kill_state(),
            &KillState::Halted {
                at: t(2),
                took_ms: 41
            }
        );
    }

    #[test]
    fn a_failure_the_journal_never_got_stays_until_a_stage_re_arms() {
        let mut app = app();
        app.kill_dispatched(t(0));
        app.kill_done(
            KillState::Failed {
                at: t(10),
                why: "readback".into(),
            },
            false,
        );
        journal(&mut app, KillState::Ready);
        assert!(matches!(app.kill_state(), KillState::Failed { .. }));
        app.release.stage = Some(StageState {
            index: 0,
            name: "shadow".into(),
            percent: 0.0,
            entered_at: t(60),
            decision_points_done: vec![],
        });
        app.reconcile_kill();
        assert_eq!(app.kill_state(), &KillState::Ready);
    }

    #[test]
    fn records_kept_locally_are_said_until_the_journal_has_them() {
        let mut app = app();
        app.kill_dispatched(t(0));
        app.kill_done(
            KillState::Halted {
                at: t(2),
                took_ms: 40,
            },
            true,
        );
        assert!(app.kill_kept_locally());
        journal(&mut app, KillState::Ready);
        assert!(app.kill_kept_locally(), "the journal has not got them yet");
        // Written from the spool: they count from when they were kept (after the verdict).
        journal(
            &mut app,
            KillState::Halted {
                at: t(3),
                took_ms: 40,
            },
        );
        assert!(!app.kill_kept_locally());
        // A new firing starts with nothing kept.
        app.kill_dispatched(t(10));
        app.kill_kept = true;
        app.kill_dispatched(t(11));
        assert!(!app.kill_kept_locally());
    }
}
