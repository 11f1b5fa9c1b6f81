//! Recording a Go/No-Go decision (`g`): the `<timestamp>_go_nogo.json` record
//! under the audit folder (decision maker, every criterion with evidence,
//! justification, next review for NO-GO, the outcome and whether it overrides
//! the gate) and a `decision_outcome` journal event naming it. Journals
//! written before outcomes still hold `decision` events; they are read as ever.

use super::ActContext;
use crate::journal::{self, Event};
use crate::report::{record, Report};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub record: PathBuf,
    pub event_id: u64,
}

/// The `_go_nogo.json` of a decision with an outcome: the record as above plus
/// the outcome, the gate it was decided against, and whether it overrides it.
#[derive(Debug, serde::Serialize)]
struct OutcomeRecord<'a> {
    #[serde(flatten)]
    record: record::DecisionRecord<'a>,
    outcome: &'a str,
    gate: &'a str,
    overridden: bool,
    stage: Option<&'a str>,
}

/// Records a decision with an outcome (`g`, `liftoff decide`) as the rule
/// book planned it (`act::rules::may_decide`): its `_go_nogo.json` and a
/// `decision_outcome` journal event, an override marked as such in both.
pub async fn record_outcome(
    ctx: ActContext,
    report: Report,
    plan: super::rules::DecidePlan,
    next_review: Option<String>,
    stage: Option<String>,
) -> Result<Recorded, String> {
    let dir = ctx.pb.audit_dir();
    let by = ctx.actor.name.clone();
    let rec_report = report.clone();
    let (p, nr, st) = (plan.clone(), next_review.clone(), stage.clone());
    let journal = ctx.journal.clone();
    let path = tokio::task::spawn_blocking(move || {
        // The journal's head, anchored outside the file (docs/journal.md).
        let journal_head = journal.read_all().ok().and_then(|r| r.head());
        let rec = OutcomeRecord {
            record: record::DecisionRecord {
                report: &rec_report,
                kind: "decision",
                decision_maker: Some(&by),
                justification: Some(&p.justification),
                next_review: nr.as_deref(),
                journal_head,
            },
            outcome: p.outcome.word(),
            gate: p.gate.word(),
            overridden: p.overridden,
            stage: st.as_deref(),
        };
        record::write_any(&dir, rec_report.generated_at, &rec)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot write the decision record: {e}"))?;
    let event = Event::DecisionOutcome(crate::journal::event::DecisionOutcome {
        outcome: plan.outcome.word().to_string(),
        gate: plan.gate.word().to_string(),
        overridden: plan.overridden,
        justification: plan.justification,
        next_review,
        holds: report
            .holds
            .iter()
            .map(|h| format!("{}: {}", h.id, h.reason))
            .collect(),
        record: Some(path.display().to_string()),
        stage,
    });
    let stored = journal::record(&ctx.journal, &ctx.actor, &event)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Recorded {
        record: path,
        event_id: stored.id,
    })
}
