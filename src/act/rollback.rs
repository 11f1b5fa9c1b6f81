//! Rollback targets (`[[rollback]]`): partial rollbacks offered from a menu,
//! each a set of actions with its own readback; the same machinery as the kill switch.

use super::kill::{fire_target, not_configured, KillOutcome};
use super::ActContext;
use crate::playbook::CompiledReadback;
use std::time::Instant;

pub async fn fire(ctx: ActContext, target: &str, reason: Option<String>) -> KillOutcome {
    let pressed = Instant::now();
    let pb = ctx.pb.clone();
    let Some(rollback) = pb.playbook.rollbacks.iter().find(|r| r.id == target) else {
        let known: Vec<&str> = pb
            .playbook
            .rollbacks
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        return not_configured(
            Some(target.to_string()),
            format!(
                "no rollback target `{target}` (targets: {})",
                known.join(", ")
            ),
        );
    };
    let readback = match CompiledReadback::compile(&rollback.verify) {
        Ok(rb) => rb,
        Err(e) => {
            return not_configured(
                Some(target.to_string()),
                format!("its verify does not compile: {e}"),
            )
        }
    };
    fire_target(
        &ctx,
        Some(target.to_string()),
        &rollback
            .actions
            .iter()
            .map(|e| &e.action)
            .collect::<Vec<_>>(),
        Some(&readback),
        reason,
        None,
        pressed,
    )
    .await
}
