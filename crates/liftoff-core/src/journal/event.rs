//! What the journal records: who did what, when. A stored line is
//! `{"id","at","actor","kind","payload","prev","hash"}`; `Event` is the typed
//! view of (kind, payload) that liftoff writes and folds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who wrote an event: a person (or bot) on a host, from one process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub host: String,
    pub pid: u32,
}

/// The name journaled when nobody could be named (the cockpit asks instead).
pub const UNKNOWN: &str = "unknown";

/// Who is acting: `--as NAME`, then `LIFTOFF_USER`, then the login name of
/// this process's user (getpwuid), then `$USER`, then `$LOGNAME`. None when
/// none of them names anyone (the cockpit then asks once).
pub fn who(name: Option<&str>) -> Option<String> {
    let env = |k: &str| std::env::var(k).ok();
    let login = || {
        nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map(|u| u.name)
    };
    who_from(
        name,
        env("LIFTOFF_USER"),
        login,
        env("USER"),
        env("LOGNAME"),
    )
}

/// `who` with its sources passed in, first non-blank wins.
pub fn who_from(
    name: Option<&str>,
    liftoff_user: Option<String>,
    login: impl FnOnce() -> Option<String>,
    user: Option<String>,
    logname: Option<String>,
) -> Option<String> {
    let named = |n: Option<String>| n.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    named(name.map(str::to_string))
        .or_else(|| named(liftoff_user))
        .or_else(|| named(login()))
        .or_else(|| named(user))
        .or_else(|| named(logname))
}

impl Actor {
    /// This process, acting for `name` (default: `$USER`, then `$LOGNAME`).
    pub fn here(name: Option<&str>) -> Actor {
        let name = who(name).unwrap_or_else(|| UNKNOWN.into());
        Actor {
            name,
            role: None,
            host: crate::io::host::name(),
            pid: std::process::id(),
        }
    }

    pub fn with_role(mut self, role: Option<&str>) -> Actor {
        self.role = role.map(str::to_string);
        self
    }
}

/// An event as a line of the journal. `hash` is the SHA-256 of the line's own
/// bytes without the `hash` field; `prev` is the hash of the line before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// Monotonic: the previous valid line's id plus one (1 for the first).
    pub id: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: String,
    pub payload: serde_json::Value,
    pub prev: String,
    pub hash: String,
}

impl Stored {
    /// The typed event, or None for a kind this version does not know.
    pub fn event(&self) -> Option<Event> {
        Event::from_parts(&self.kind, &self.payload)
    }
}

/// What a writer hands to the journal; id, time and hashes are added under the lock.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub actor: Actor,
    pub kind: String,
    pub payload: serde_json::Value,
}

impl NewEvent {
    pub fn new(actor: &Actor, event: &Event) -> NewEvent {
        let (kind, payload) = event.to_parts();
        NewEvent {
            actor: actor.clone(),
            kind: kind.to_string(),
            payload,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The ramp stage current when the ACK was given (None: before the ramp).
    #[serde(default)]
    pub stage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// "GO" or "NO-GO".
    pub decision: String,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub next_review: Option<String>,
    /// What held the gate (check or role ids with reasons).
    #[serde(default)]
    pub holds: Vec<String>,
    /// The `_go_nogo.json` record written with it.
    #[serde(default)]
    pub record: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageEntered {
    pub index: usize,
    pub name: String,
    pub percent: f64,
    /// Whether a readback proved the share was set (false: no readback configured).
    pub verified: bool,
    pub took_ms: u64,
    /// Stepped back (`[`) rather than forward.
    #[serde(default)]
    pub back: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageFailed {
    pub index: usize,
    pub name: String,
    pub percent: f64,
    pub why: String,
}

/// One check as it stood at a decision point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSnapshot {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub value: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionPoint {
    pub stage: String,
    /// Offset from the stage's `entered_at`, in milliseconds.
    pub offset_ms: u64,
    pub decision: String,
    pub checks: Vec<CheckSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardTripped {
    pub guard: String,
    /// "kill" or "alarm".
    pub on_trip: String,
    #[serde(default)]
    pub value: Option<String>,
    pub reason: String,
    /// When the trip condition started to hold.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmAnswered {
    #[serde(default)]
    pub guard: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A kill switch (target None) or rollback target was fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    pub actions: usize,
    /// From the press to every action dispatched, in microseconds.
    pub dispatched_us: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// From the press to the readback passing.
    pub took_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manual {
    /// The id of the `manual` source.
    pub item: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub name: String,
    pub value: f64,
    /// Where the value was read: the source id, its query, the check that names
    /// the baseline, the stage entered when it was recorded, when it was observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// A webhook could not be told about an event (after its retries).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotifyFailed {
    /// Which `[[notify]]` entry: its kind and position, e.g. "slack#1".
    pub target: String,
    /// The journal event that was not delivered (id and kind).
    #[serde(default)]
    pub event_id: Option<u64>,
    #[serde(default)]
    pub event_kind: Option<String>,
    pub attempts: u32,
    /// Why (secrets redacted: the webhook URL never appears).
    pub why: String,
}

/// A decision with an outcome (`g`, `liftoff decide`): what was decided, what
/// the gate said, and whether the outcome overrules it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionOutcome {
    /// `go`, `no-go`, `expand`, `mitigate` or `rollback`.
    pub outcome: String,
    /// The gate when it was decided: "GO" or "NO-GO".
    pub gate: String,
    /// The outcome is one the gate does not support (e.g. `go` while NO-GO).
    #[serde(default)]
    pub overridden: bool,
    pub justification: String,
    #[serde(default)]
    pub next_review: Option<String>,
    /// What held the gate (check or role ids with reasons).
    #[serde(default)]
    pub holds: Vec<String>,
    /// The `_go_nogo.json` record written with it.
    #[serde(default)]
    pub record: Option<String>,
    /// The ramp stage current when it was decided.
    #[serde(default)]
    pub stage: Option<String>,
}

/// A stage entered before its rules allowed (hold not over, decision points
/// not recorded), on someone's word: written just before the stage's set runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldOverridden {
    /// The stage whose hold was cut short (None: before the ramp).
    #[serde(default)]
    pub from: Option<String>,
    /// The stage entered.
    pub to: String,
    /// Time that was left in the hold, in milliseconds.
    #[serde(default)]
    pub left_ms: u64,
    /// What the rules said, word for word.
    pub overridden: Vec<String>,
    pub justification: String,
}

/// One check waived for a time by a role holder (`liftoff waive`, `w`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiver {
    pub check: String,
    pub role: String,
    pub justification: String,
    /// The waiver ends by itself then.
    pub until: DateTime<Utc>,
    /// The check's status when it was waived (PASS, WARN, FAIL, UNKNOWN).
    #[serde(default)]
    pub status: Option<String>,
}

macro_rules! events {
    ($($variant:ident($ty:ty) = $kind:literal,)*) => {
        /// Every kind liftoff writes. Unknown kinds in a journal are kept as
        /// lines but ignored by the fold (a newer liftoff may write more).
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $($variant($ty),)*
        }

        /// The kind names, as written in the `kind` field.
        pub const KINDS: &[&str] = &[$($kind,)*];

        impl Event {
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$variant(_) => $kind,)*
                }
            }

            pub fn to_parts(&self) -> (&'static str, serde_json::Value) {
                let payload = match self {
                    $(Event::$variant(p) => serde_json::to_value(p),)*
                };
                // Plain structs of strings and numbers always serialize.
                (self.kind(), payload.unwrap_or(serde_json::Value::Null))
            }

            pub fn from_parts(kind: &str, payload: &serde_json::Value) -> Option<Event> {
                match kind {
                    $($kind => <$ty>::deserialize(payload).ok().map(Event::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

events! {
    Ack(Ack) = "ack",
    Decision(Decision) = "decision",
    StageEntered(StageEntered) = "stage_entered",
    StageFailed(StageFailed) = "stage_failed",
    DecisionPoint(DecisionPoint) = "decision_point",
    GuardTripped(GuardTripped) = "guard_tripped",
    AlarmAnswered(AlarmAnswered) = "alarm_answered",
    KillFired(Fired) = "kill_fired",
    KillVerified(Verified) = "kill_verified",
    KillFailed(Failed) = "kill_failed",
    RollbackFired(Fired) = "rollback_fired",
    RollbackVerified(Verified) = "rollback_verified",
    RollbackFailed(Failed) = "rollback_failed",
    ManualTicked(Manual) = "manual_ticked",
    ManualUnticked(Manual) = "manual_unticked",
    BaselineRecorded(Baseline) = "baseline_recorded",
    NotifyFailed(NotifyFailed) = "notify_failed",
    DecisionOutcome(DecisionOutcome) = "decision_outcome",
    HoldOverridden(HoldOverridden) = "hold_overridden",
    CheckWaived(Waiver) = "check_waived",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_is_as_then_liftoff_user_then_login_then_user() {
        let s = |v: &str| Some(v.to_string());
        let none = || None;
        assert_eq!(
            who_from(Some("ana"), s("bob"), || s("root"), s("u"), None),
            s("ana")
        );
        assert_eq!(
            who_from(Some(" "), s("bob"), || s("root"), s("u"), None),
            s("bob")
        );
        assert_eq!(who_from(None, None, || s("root"), s("u"), None), s("root"));
        assert_eq!(who_from(None, s(""), none, s("u"), s("l")), s("u"));
        assert_eq!(who_from(None, None, none, None, s("l")), s("l"));
        assert_eq!(
            who_from(None, None, none, s(" "), None),
            None,
            "nobody: ask"
        );
    }

    #[test]
    fn parts_round_trip() {
        let e = Event::Ack(Ack {
            role: "captain".into(),
            comment: Some("ok".into()),
            stage: None,
        });
        let (kind, payload) = e.to_parts();
        assert_eq!(kind, "ack");
        assert_eq!(Event::from_parts(kind, &payload), Some(e));
    }

    #[test]
    fn unknown_kind_or_bad_payload_is_none() {
        assert_eq!(Event::from_parts("teleport", &serde_json::json!({})), None);
        assert_eq!(Event::from_parts("ack", &serde_json::json!({"x": 1})), None);
    }

    #[test]
    fn actor_defaults_to_a_name() {
        let a = Actor::here(Some("ana")).with_role(Some("captain"));
        assert_eq!(a.name, "ana");
        assert_eq!(a.role.as_deref(), Some("captain"));
        assert_eq!(a.pid, std::process::id());
        assert!(!Actor::here(None).name.is_empty());
    }
}
