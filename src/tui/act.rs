//! Acts: what the commander asks the world to do from the cockpit. The cockpit
//! never does them itself; it hands each one to an `Actuator`, the single place
//! where the kill switch, ACKs, decisions and ramp steps are carried out and
//! journaled. Results come back as `AppEvent`s (ReleaseChanged, Notice).

use crate::engine::Decision;

#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// The second `K` within the arming window: fire the full kill switch now.
    FireKill,
    /// Record an ACK for `role` (the person comes from the actuator: --as / $USER).
    Ack { role: String },
    /// Record the Go/No-Go decision as the gate shows it, with what holds it.
    Decide {
        decision: Decision,
        holds: Vec<String>,
    },
    /// Enter ramp stage `index` (confirmed by the commander).
    EnterStage { index: usize },
    /// Step back to ramp stage `index`.
    StepBack { index: usize },
}

impl Act {
    /// How the status line names the act.
    pub fn describe(&self) -> String {
        match self {
            Act::FireKill => "kill switch".into(),
            Act::Ack { role } => format!("ACK for {role}"),
            Act::Decide { decision, .. } => format!("{} decision", decision.word()),
            Act::EnterStage { index } => format!("enter stage #{index}"),
            Act::StepBack { index } => format!("step back to stage #{index}"),
        }
    }
}

/// Carries out acts. Called on the UI loop: it must not block (spawn the work
/// and report back through the event channel). `Ok` is the status-line text
/// for "started"; `Err` says why the act was refused.
pub trait Actuator: Send {
    fn act(&mut self, act: Act) -> Result<String, String>;
}

/// The actuator until the journal, kill switch and ramp are wired in.
#[derive(Debug, Default)]
pub struct NotWired;

impl Actuator for NotWired {
    fn act(&mut self, act: Act) -> Result<String, String> {
        Err(format!("{}: not wired yet", act.describe()))
    }
}
