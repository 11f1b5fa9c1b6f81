//! The rule book: whether a person may ACK, tick, waive or decide, decided by
//! one pure function per act. `liftoff ack|tick|waive|decide` and the cockpit
//! both ask here, so they refuse the same things with the same words, and a
//! refusal writes nothing. (Stage entries: `ramp::can_enter_at`, the same way.)
//!
//! Pure: (playbook, release state folded from the journal, who, now) -> a plan
//! that says exactly what the act will count for, or a refusal that says why not.

use crate::engine::{Decision, GateDecision};
use crate::playbook::{Dur, LoadedPlaybook, Playbook, SourceConfig, SourceKind};
use crate::release::{self, AckRecord, ReleaseState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

/// Why an act is refused, in the words both the CLI and the cockpit show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// "ACK", "tick", "waiver", "decision".
    pub act: &'static str,
    pub why: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} refused: {}", self.act, self.why)
    }
}

impl std::error::Error for Refused {}

fn refuse<T>(act: &'static str, why: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        act,
        why: why.into(),
    })
}

/// What an ACK will count for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AckPlan {
    pub role: String,
    pub by: String,
    /// The ramp stage current now (the ACK is given for it).
    pub stage: Option<String>,
    /// One sentence: what the ACK authorizes, whom it replaces.
    pub counts: String,
}

/// The ACK a person holds for `role` at `now` (unexpired), if any.
pub fn holds_role(
    pb: &Playbook,
    state: &ReleaseState,
    role: &str,
    who: &str,
    now: DateTime<Utc>,
) -> bool {
    let valid_for = pb.release.ack_valid_for.map(|d| d.as_chrono());
    state
        .acks
        .iter()
        .any(|a| a.role == role && a.by == who && valid_for.is_none_or(|v| now - a.at <= v))
}

/// May `who` ACK `role` now? Refused for an unknown role, an empty name, and,
/// under `distinct_roles`, a person who already holds another role's ACK that
/// still counts (the ACK would not count: it is not written at all).
pub fn may_ack(
    pb: &Playbook,
    state: &ReleaseState,
    role: &str,
    who: &str,
    now: DateTime<Utc>,
) -> Result<AckPlan, Refused> {
    let who = who.trim();
    if who.is_empty() {
        return refuse("ACK", "write who ACKs (a name)");
    }
    let roles: Vec<String> = pb.roles.iter().map(|r| r.id.clone()).collect();
    if !roles.iter().any(|r| r == role) {
        return refuse(
            "ACK",
            format!("unknown role `{role}` (roles: {})", roles.join(", ")),
        );
    }
    let stage = state.stage.as_ref().map(|s| s.name.clone());
    // Judge the ACK as the journal will: add it, then ask who holds what.
    let mut after = state.clone();
    after.acks.insert(
        0,
        AckRecord {
            role: role.to_string(),
            by: who.to_string(),
            at: now,
            comment: None,
            stage: stage.clone(),
        },
    );
    let before = release::entry_ack_status(pb, state, &roles, now);
    let statuses = release::entry_ack_status(pb, &after, &roles, now);
    let mine = statuses.iter().find(|s| s.role == role);
    if mine.and_then(|s| s.by.as_deref()) != Some(who) {
        let why = mine
            .and_then(|s| s.missing.clone())
            .unwrap_or_else(|| format!("{who}'s ACK would not count for {role}"));
        return refuse("ACK", why);
    }
    let mut counts = vec![format!("counts for {role}")];
    // The ACKs given now are used up by the next stage that names any (stages
    // without `acks` carry them through).
    let next = crate::ramp::next_stage(pb, state).and_then(|i| {
        let stages = &pb.ramp.as_ref()?.stages;
        stages.iter().skip(i).find(|s| !s.acks.is_empty())
    });
    let for_gate = pb.release.go_acks.iter().any(|r| r == role);
    match next.filter(|s| s.acks.iter().any(|r| r == role)) {
        Some(s) => counts.push(format!("it authorizes entering stage {}", s.name)),
        None if for_gate => counts.push("the gate counts it".into()),
        None => counts.push(match next {
            Some(s) => format!(
                "neither the gate nor stage {} needs {role}: it is recorded, it authorizes nothing now",
                s.name
            ),
            None => format!("the gate does not need {role}: it is recorded, it authorizes nothing now"),
        }),
    }
    if let Some(old) = before
        .iter()
        .find(|s| s.role == role)
        .and_then(|s| s.by.clone())
        .filter(|b| b != who)
    {
        counts.push(format!("it replaces {old}'s ACK"));
    }
    if let Some(v) = pb.release.ack_valid_for {
        counts.push(format!("valid for {v}"));
    }
    Ok(AckPlan {
        role: role.to_string(),
        by: who.to_string(),
        stage,
        counts: counts.join("; "),
    })
}

/// What a tick will do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TickPlan {
    pub item: String,
    /// The role the item is ticked by (the source's `role`), if it names one.
    pub role: Option<String>,
    /// The item's title (or its id).
    pub title: String,
}

/// May `who` tick (or untick) the manual item `item`? It must be a `manual`
/// source; an item that names a `role` is ticked only by someone holding a
/// valid ACK as that role.
pub fn may_tick(
    pb: &LoadedPlaybook,
    state: &ReleaseState,
    item: &str,
    who: &str,
    now: DateTime<Utc>,
) -> Result<TickPlan, Refused> {
    let Some(spec) = pb.sources.get(item) else {
        let manual: Vec<&str> = pb
            .sources
            .iter()
            .filter(|(_, s)| s.kind() == SourceKind::Manual)
            .map(|(id, _)| id.as_str())
            .collect();
        let hint = crate::playbook::suggest(item, manual.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return refuse(
            "tick",
            format!(
                "unknown manual item `{item}`{hint} (manual items: {})",
                manual.join(", ")
            ),
        );
    };
    let SourceConfig::Manual(manual) = &spec.config else {
        return refuse(
            "tick",
            format!(
                "`{item}` is not a manual item: it is a {} source; only `kind = \"manual\"` sources are ticked",
                spec.kind().name()
            ),
        );
    };
    let title = manual.title.clone().unwrap_or_else(|| item.to_string());
    if let Some(role) = &manual.role {
        if !holds_role(&pb.playbook, state, role, who, now) {
            return refuse(
                "tick",
                format!("{title} is ticked by the {role} role: {who} holds no valid ACK as {role}"),
            );
        }
    }
    Ok(TickPlan {
        item: item.to_string(),
        role: manual.role.clone(),
        title,
    })
}

/// How long a waiver lasts when `--for` is not given.
pub const DEFAULT_WAIVER: std::time::Duration = std::time::Duration::from_secs(3600);

/// What a waiver will do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaivePlan {
    pub check: String,
    pub role: String,
    pub by: String,
    pub until: DateTime<Utc>,
    pub justification: String,
}

/// A waiver as asked for (`liftoff waive`, the cockpit's waiver dialog).
#[derive(Debug, Clone, Copy)]
pub struct WaiveAsk<'a> {
    pub check: &'a str,
    pub role: &'a str,
    pub who: &'a str,
    pub justification: &'a str,
    /// Default: `DEFAULT_WAIVER`.
    pub for_: Option<Dur>,
}

/// May `who`, as `role`, waive check `check` for `for_` (default one hour)?
/// The check must name the role in `waivable_by`, `who` must hold a valid ACK
/// as that role, and the justification must say something.
pub fn may_waive(
    pb: &Playbook,
    state: &ReleaseState,
    ask: &WaiveAsk<'_>,
    now: DateTime<Utc>,
) -> Result<WaivePlan, Refused> {
    let (check, role, who) = (ask.check, ask.role, ask.who.trim());
    let (justification, for_) = (ask.justification, ask.for_);
    let Some(spec) = pb.checks.iter().find(|c| c.id == check) else {
        let ids: Vec<&str> = pb.checks.iter().map(|c| c.id.as_str()).collect();
        return refuse(
            "waiver",
            format!("unknown check `{check}` (checks: {})", ids.join(", ")),
        );
    };
    if spec.waivable_by.is_empty() {
        return refuse(
            "waiver",
            format!("check {check} cannot be waived: it names no waivable_by roles"),
        );
    }
    if !spec.waivable_by.iter().any(|r| r == role) {
        return refuse(
            "waiver",
            format!(
                "the {role} role may not waive {check} (waivable_by: {})",
                spec.waivable_by.join(", ")
            ),
        );
    }
    if !holds_role(pb, state, role, who, now) {
        return refuse(
            "waiver",
            format!(
                "{who} holds no valid ACK as {role}: only the {role} role's holder waives {check}"
            ),
        );
    }
    let justification = justification.trim();
    if justification.is_empty() {
        return refuse("waiver", "a waiver needs a justification");
    }
    let for_ = for_.map_or(DEFAULT_WAIVER, |d| d.as_std());
    if for_.is_zero() {
        return refuse(
            "waiver",
            "a waiver needs a duration above zero (e.g. --for 2h)",
        );
    }
    let until = now + chrono::Duration::from_std(for_).unwrap_or(chrono::Duration::MAX);
    Ok(WaivePlan {
        check: check.to_string(),
        role: role.to_string(),
        by: who.to_string(),
        until,
        justification: justification.to_string(),
    })
}

/// A decision's outcome: `go`, `no-go`, `expand`, `mitigate`, `rollback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Go,
    NoGo,
    Expand,
    Mitigate,
    Rollback,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Go,
        Outcome::NoGo,
        Outcome::Expand,
        Outcome::Mitigate,
        Outcome::Rollback,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Outcome::Go => "go",
            Outcome::NoGo => "no-go",
            Outcome::Expand => "expand",
            Outcome::Mitigate => "mitigate",
            Outcome::Rollback => "rollback",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        let t = text.trim().to_ascii_lowercase().replace('_', "-");
        Outcome::ALL
            .into_iter()
            .find(|o| o.word() == t || (t == "nogo" && *o == Outcome::NoGo))
    }

    /// Whether the gate supports this outcome: going on (`go`, `expand`)
    /// needs GO; holding, mitigating and rolling back are always supported.
    pub fn supported_by(self, gate: Decision) -> bool {
        match self {
            Outcome::Go | Outcome::Expand => gate == Decision::Go,
            Outcome::NoGo | Outcome::Mitigate | Outcome::Rollback => true,
        }
    }
}

/// What a decision will record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecidePlan {
    pub outcome: Outcome,
    pub gate: Decision,
    /// The outcome overrules the gate (recorded and shown as an override).
    pub overridden: bool,
    pub justification: String,
    /// One sentence for the dialog and the CLI.
    pub says: String,
}

/// May a decision with `outcome` be recorded against `gate`? It always needs a
/// justification; an outcome the gate does not support is allowed, as an override.
pub fn may_decide(
    gate: &GateDecision,
    outcome: &str,
    justification: &str,
) -> Result<DecidePlan, Refused> {
    let Some(o) = Outcome::parse(outcome) else {
        let words: Vec<&str> = Outcome::ALL.iter().map(|o| o.word()).collect();
        return refuse(
            "decision",
            format!(
                "unknown outcome `{outcome}` (outcomes: {})",
                words.join(", ")
            ),
        );
    };
    let justification = justification.trim();
    if justification.is_empty() {
        return refuse("decision", "a decision needs a justification");
    }
    let overridden = !o.supported_by(gate.decision);
    let says = if overridden {
        let holds: Vec<&str> = gate.holds.iter().map(|h| h.id.as_str()).collect();
        format!(
            "{} OVERRIDES the gate: it is {} (held by {}); recorded as an override",
            o.word(),
            gate.decision.word(),
            holds.join(", ")
        )
    } else {
        format!("{} (the gate is {})", o.word(), gate.decision.word())
    };
    Ok(DecidePlan {
        outcome: o,
        gate: gate.decision,
        overridden,
        justification: justification.to_string(),
        says,
    })
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
