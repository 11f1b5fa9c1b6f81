//! The cockpit's one owner of state. Pollers, the journal and the keyboard
//! feed it events (`update.rs`, `dispatch.rs`); panels render from `&App`
//! with an injected `now` (`crate::tui::view`), so a frame is a pure function
//! of state and time.

pub mod acks;
mod confirm;
mod dialogs;
mod dispatch;
/// The guards' history moved to the supervisor, which records it.
pub use crate::supervisor::history;
pub mod kill;
pub mod nav;
pub mod prompt;
mod update;

use super::layout::{Layout, PanelKind};
use super::overlays::dialog::Dialog;
use super::theme::Theme;
use crate::engine::{self, AckStatus, GateDecision, Verdict};
use crate::playbook::LoadedPlaybook;
use crate::poller::PollTriggers;
use crate::release::{KillState, ReleaseState};
use crate::source::{Alert, Observation, Payload};
use crate::supervisor::request::{Actuator, NotWired};
use chrono::{DateTime, Utc};
use history::GuardHistory;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// How long a status-line notice stays.
pub const NOTICE_FOR: chrono::Duration = chrono::Duration::seconds(8);
/// The window in which a second `K` fires the kill switch.
pub const KILL_ARM_WINDOW: chrono::Duration = crate::tui::kill_keys::WINDOW;

pub use crate::supervisor::SourceHealth;

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub at: DateTime<Utc>,
    pub bad: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// The evidence of check number `.0` (index into the playbook's checks).
    Evidence(usize),
    Confirm(Confirm),
    /// Enter on an alert or a journal event: all of it, wrapped, never cut.
    Detail(PanelKind, usize),
}

/// Questions the cockpit asks before doing something that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// `q` while the ramp carries traffic.
    Quit,
    /// `]`: enter stage `.0` (or why it cannot be entered).
    EnterStage(usize),
    /// `[`: step back to stage `.0`.
    StepBack(usize),
    /// Fire rollback target `.0` (index into the playbook's rollbacks).
    Rollback(usize),
}

pub struct App {
    pub pb: Arc<LoadedPlaybook>,
    pub theme: Theme,
    pub layout: Layout,
    /// Terminal size (columns, rows): mouse hits and focus order use it.
    pub size: (u16, u16),
    /// The supervisor's latest observation of each polled source (shared
    /// with its snapshot, as are the sources, verdicts and guards' history).
    pub observations: Arc<HashMap<String, Arc<Observation>>>,
    pub sources: Arc<BTreeMap<String, SourceHealth>>,
    /// One per playbook check, in playbook order.
    pub verdicts: Arc<Vec<Verdict>>,
    /// The roles the gate names, with their ACK state.
    pub acks: Vec<AckStatus>,
    pub gate: GateDecision,
    pub release: ReleaseState,
    /// The snapshot's release state `release` was last copied from.
    release_from: Option<Arc<ReleaseState>>,
    /// One per playbook guard, in playbook order.
    pub history: Arc<Vec<GuardHistory>>,
    pub focus: PanelKind,
    /// The open `/` filter or `:` command line.
    pub prompt: Option<prompt::Prompt>,
    /// Each list's filter (`/`), by panel.
    pub filters: HashMap<PanelKind, String>,
    /// The last left click (when, where), for double clicks.
    pub last_click: Option<(DateTime<Utc>, (u16, u16))>,
    /// `z`: the panel drawn alone over the whole screen.
    pub zoomed: Option<PanelKind>,
    pub selected: HashMap<PanelKind, usize>,
    pub overlay: Option<Overlay>,
    /// The kill key's arming window and burst rule (cockpit-local).
    pub kill_keys: crate::tui::kill_keys::KillKeys,
    /// The arming, shared with the input task (which fires on a deliberate second `K`).
    pub kill_arm: crate::tui::kill_key::KillArm,
    /// What this cockpit knows of its own firing before the journal says it:
    /// FIRING from the press, then what the readback proved (see `kill.rs`).
    pub kill_local: Option<KillState>,
    /// This cockpit's firing could not be journaled: its records wait in the
    /// local spool (shown while `kill_local` is, see `kill.rs`).
    pub kill_kept: bool,
    /// What was typed into a confirmation that asks for a stage's name.
    pub confirm_typed: crate::tui::overlays::form::TextField,
    /// The open dialog (ACK, decision, alarm, rollback targets, search).
    pub dialog: Option<Dialog>,
    /// Who sits at this terminal ($USER): dialogs prefill it.
    pub user: String,
    pub notice: Option<Notice>,
    /// Lasting conditions shown on the status line until cleared (journal
    /// unreachable, webhooks failing), by topic.
    pub conditions: std::collections::BTreeMap<&'static str, String>,
    pub quit: bool,
    /// The title and bell said so far (`herald.rs`).
    pub herald: crate::tui::herald::Herald,
    /// No layout was named: the biggest that fits, chosen on every resize.
    pub layout_auto: bool,
    /// Ctrl-Z asked; the loop suspends and clears this.
    pub suspend: bool,
    pub triggers: PollTriggers,
    actuator: Box<dyn Actuator>,
    /// The kill switch as the supervisor knows it (its guard's own firing,
    /// or the journal's state): shown unless this cockpit fired it itself.
    pub supervisor_kill: KillState,
    /// The last supervisor notice shown (by `Said::seq`).
    said_seq: u64,
    dirty: bool,
    /// An act was just handed over: the loop lets it start before drawing.
    urgent: bool,
}

impl App {
    pub fn new(pb: LoadedPlaybook, theme: Theme, layout: Layout, now: DateTime<Utc>) -> App {
        let pb = Arc::new(pb);
        let sources = crate::supervisor::snapshot::fresh_sources(&pb);
        let history = crate::supervisor::snapshot::fresh_guards(&pb);
        let mut app = App {
            pb,
            theme,
            layout,
            size: (0, 0),
            observations: Default::default(),
            sources: Arc::new(sources),
            verdicts: Default::default(),
            acks: Vec::new(),
            gate: GateDecision {
                decision: engine::Decision::NoGo,
                holds: Vec::new(),
            },
            release: ReleaseState::default(),
            release_from: None,
            history: Arc::new(history),
            focus: PanelKind::Checklist,
            zoomed: None,
            last_click: None,
            prompt: None,
            filters: HashMap::new(),
            selected: HashMap::new(),
            overlay: None,
            kill_keys: Default::default(),
            kill_arm: Default::default(),
            kill_local: None,
            kill_kept: false,
            confirm_typed: Default::default(),
            dialog: None,
            user: crate::journal::Actor::here(None).name,
            notice: None,
            conditions: Default::default(),
            quit: false,
            herald: crate::tui::herald::Herald::new(true),
            layout_auto: false,
            suspend: false,
            triggers: PollTriggers::default(),
            actuator: Box::new(NotWired),
            supervisor_kill: KillState::Ready,
            said_seq: 0,
            dirty: true,
            urgent: false,
        };
        app.evaluate(now);
        app
    }

    /// Where acts go (the journal / kill switch / ramp work plugs in here).
    pub fn with_actuator(mut self, actuator: Box<dyn Actuator>) -> App {
        self.actuator = actuator;
        self
    }

    /// Verdicts, ACK states and the gate before the supervisor's first
    /// snapshot: `engine::assess` over nothing observed yet (every check
    /// UNKNOWN, fail closed). From then on they are the supervisor's.
    fn evaluate(&mut self, now: DateTime<Utc>) {
        let a = engine::assess(&self.pb, &self.observations, &self.release, now);
        self.verdicts = Arc::new(a.verdicts);
        self.acks = a.acks;
        self.gate = a.gate;
    }

    /// A redraw is due (something changed since the last frame); clears the flag.
    pub fn take_redraw(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub(crate) fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// An act was handed to the actuator since the last call; clears the flag.
    pub fn take_urgent(&mut self) -> bool {
        std::mem::take(&mut self.urgent)
    }

    /// True while the ramp carries traffic (quitting then asks first).
    pub fn ramp_running(&self) -> bool {
        self.release.stage.as_ref().is_some_and(|s| s.percent > 0.0)
    }

    pub fn kill_armed(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.kill_keys.armed(now)
    }

    /// Sections in playbook order, each with its checks' indices.
    pub fn sections(&self) -> Vec<(&str, Vec<usize>)> {
        let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, c) in self.pb.checks.iter().enumerate() {
            let name = c.spec.section();
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some((_, v)) => v.push(i),
                None => out.push((name, vec![i])),
            }
        }
        out
    }

    /// Active alerts from every alertmanager source, page-level first, newest first.
    pub fn alerts(&self) -> Vec<&Alert> {
        let mut alerts: Vec<&Alert> = self
            .observations
            .values()
            .filter_map(|o| match o.payload() {
                Some(Payload::Alerts { alerts }) => Some(alerts.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        alerts.sort_by(|a, b| {
            let page = |x: &Alert| x.labels.get("severity").map(String::as_str) != Some("page");
            page(a)
                .cmp(&page(b))
                .then(b.starts_at.cmp(&a.starts_at))
                .then(a.labels.cmp(&b.labels))
        });
        alerts
    }

    /// The selected row of `panel` (0 when never moved; the journal's
    /// newest event).
    pub fn row(&self, panel: PanelKind) -> usize {
        let default = match panel {
            PanelKind::Journal => self.release.recent.len().saturating_sub(1),
            _ => 0,
        };
        self.selected.get(&panel).copied().unwrap_or(default)
    }

    /// The notice to show at `now`, if it is still fresh.
    pub fn notice_at(&self, now: DateTime<Utc>) -> Option<&Notice> {
        self.notice.as_ref().filter(|n| now - n.at < NOTICE_FOR)
    }

    pub(crate) fn say(&mut self, text: impl Into<String>, bad: bool, now: DateTime<Utc>) {
        self.notice = Some(Notice {
            text: text.into(),
            at: now,
            bad,
        });
        self.dirty = true;
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_acts;
#[cfg(test)]
mod tests_nav;
