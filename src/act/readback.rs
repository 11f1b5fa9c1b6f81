//! The proof: read a source fresh, every `every`, until the readback's `pass`
//! condition holds or its `timeout` passes. Only what a readback proved is
//! ever shown as HALTED (or a stage as entered).

use crate::engine::verdict::judge;
use crate::expr::bind::{bind, Surroundings};
use crate::expr::display;
use crate::playbook::{CompiledReadback, LoadedPlaybook};
use crate::source::{poll, PollContext};
use chrono::Utc;
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "readback", rename_all = "snake_case")]
pub enum ReadbackResult {
    /// `pass` held on a fresh read.
    Passed {
        #[serde(serialize_with = "ms")]
        after: Duration,
        reads: u32,
        value: Option<String>,
    },
    Failed {
        why: String,
        reads: u32,
    },
    /// The playbook names no readback (only ramp stages may omit one).
    NotConfigured,
}

fn ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Reads until `pass` holds or the readback's timeout passes.
pub async fn await_pass(
    ctx: &PollContext,
    pb: &LoadedPlaybook,
    rb: &CompiledReadback,
    around: &Surroundings,
) -> ReadbackResult {
    read(ctx, pb, rb, around, Reads::UntilPass).await
}

/// One fresh read, bounded by the readback's timeout. After an action has
/// already failed the verdict is FAILED whatever the world says: the room
/// needs that verdict now, not after the readback's whole timeout; this
/// single read only tells them where the world stands.
pub async fn read_once(
    ctx: &PollContext,
    pb: &LoadedPlaybook,
    rb: &CompiledReadback,
    around: &Surroundings,
) -> ReadbackResult {
    read(ctx, pb, rb, around, Reads::Once).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    UntilPass,
    Once,
}

async fn read(
    ctx: &PollContext,
    pb: &LoadedPlaybook,
    rb: &CompiledReadback,
    around: &Surroundings,
    reads_wanted: Reads,
) -> ReadbackResult {
    let started = Instant::now();
    let timeout = rb.spec.timeout().as_std();
    let deadline = started + timeout;
    let id = rb.spec.source.as_str();
    let Some(spec) = pb.sources.get(id) else {
        return ReadbackResult::Failed {
            why: format!("the readback's source `{id}` is not in the playbook"),
            reads: 0,
        };
    };
    let queries: Vec<String> = rb.spec.query.iter().cloned().collect();
    let mut reads = 0;
    let mut last = String::from("no read finished");
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let Ok(obs) = tokio::time::timeout(left, poll(ctx, id, spec, &queries)).await else {
            // The finished read's evidence says more than the cut-off one.
            last = if reads == 0 {
                "the only read was still running at the timeout".into()
            } else {
                format!("{last}; the next read was still running at the timeout")
            };
            break;
        };
        reads += 1;
        let verdict = obs
            .outcome
            .as_ref()
            .map_err(|e| format!("source failed: {e}"))
            .and_then(|p| {
                let vars = bind(p, rb.spec.query.as_deref(), Utc::now(), around)?;
                let value = vars.get("value").map(display);
                judge(&rb.pass, &vars).map(|ok| (ok, value))
            });
        match verdict {
            Ok((true, value)) => {
                return ReadbackResult::Passed {
                    after: started.elapsed(),
                    reads,
                    value,
                }
            }
            Ok((false, value)) => {
                last = format!(
                    "`{}` is false{}",
                    rb.pass.source(),
                    value.map(|v| format!(" (value {v})")).unwrap_or_default()
                )
            }
            Err(why) => last = why,
        }
        if reads_wanted == Reads::Once {
            return ReadbackResult::Failed {
                why: format!("readback on `{id}`, read once: {last}"),
                reads,
            };
        }
        let pause = rb
            .spec
            .every()
            .as_std()
            .min(deadline.saturating_duration_since(Instant::now()));
        tokio::time::sleep(pause).await;
    }
    ReadbackResult::Failed {
        why: format!(
            "readback on `{id}` did not pass within {} ({reads} reads); last: {last}",
            humantime::format_duration(timeout)
        ),
        reads,
    }
}
