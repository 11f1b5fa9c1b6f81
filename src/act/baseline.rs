//! Recording a baseline: measured now (`baseline::measure`) and journaled
//! (`baseline_recorded`), by `liftoff baseline` or as a stage that names
//! `record_baselines` is entered going forward.

use super::ActContext;
use crate::baseline::{measure, origin_for, BaselineError, Measured, Origin};
use crate::journal::event::Baseline;
use crate::journal::{self, Event};
use crate::playbook::Stage;

/// Measures and journals baseline `name`; `stage`: the stage being entered, if any.
pub async fn record(
    ctx: &ActContext,
    name: &str,
    origin: &Origin,
    stage: Option<String>,
) -> Result<(Measured, u64), BaselineError> {
    let m = measure(&ctx.poll, &ctx.pb, origin).await?;
    let event = Event::BaselineRecorded(Baseline {
        name: name.to_string(),
        value: m.value,
        source: Some(m.source.clone()),
        query: m.query.clone(),
        check: m.check.clone(),
        stage,
        at: Some(m.observed_at),
    });
    let stored = journal::record(&ctx.journal, &ctx.actor, &event)
        .await
        .map_err(|e| BaselineError::Journal(e.to_string()))?;
    Ok((m, stored.id))
}

/// What entering `stage` recorded, baseline by baseline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageBaseline {
    pub name: String,
    /// The value recorded and its journal event, or why not.
    pub recorded: Result<(f64, u64), String>,
}

/// Records the stage's `record_baselines` (entering it going forward).
pub async fn record_for_stage(ctx: &ActContext, stage: &Stage) -> Vec<StageBaseline> {
    let mut out = Vec::with_capacity(stage.record_baselines.len());
    for name in &stage.record_baselines {
        let recorded = match origin_for(&ctx.pb, name) {
            None => Err(BaselineError::Unnamed(name.clone()).to_string()),
            Some(origin) => record(ctx, name, &origin, Some(stage.name.clone()))
                .await
                .map(|(m, id)| (m.value, id))
                .map_err(|e| e.to_string()),
        };
        out.push(StageBaseline {
            name: name.clone(),
            recorded,
        });
    }
    out
}
