//! A kubernetes source in the cockpit: a `KubeWatch` (one LIST, then a WATCH
//! carrying only changes) instead of a relist every interval. Its snapshot is
//! the observation, sent when the store changes (the loop is woken) and on the
//! interval. A source that cannot be watched at all (no kubeconfig, unknown
//! resource) is polled like any other, so its error shows as evidence.

use super::task::SourceLoop;
use super::PollEvent;
use crate::playbook::{LoadedPlaybook, SourceConfig};
use crate::source::kubernetes::KubeWatch;
use crate::source::{self, PollContext};
use std::sync::Arc;

pub async fn run<E>(lp: SourceLoop<E>, ctx: PollContext, pb: Arc<LoadedPlaybook>, id: String)
where
    E: From<PollEvent> + Send + 'static,
{
    let Some(spec) = pb.sources.get(&id) else {
        return;
    };
    let SourceConfig::Kubernetes(kube) = &spec.config else {
        return lp.run(|| source::poll(&ctx, &id, spec, &[])).await;
    };
    match KubeWatch::start(&ctx, &id, &spec.polling, kube).await {
        Ok(watch) => {
            let mut changes = watch.changes();
            let wake = lp.wake.clone();
            let forward = tokio::spawn(async move {
                while changes.changed().await.is_ok() {
                    wake.notify_one();
                }
            });
            lp.run(|| std::future::ready(watch.snapshot())).await;
            forward.abort();
        }
        Err(_) => lp.run(|| source::poll(&ctx, &id, spec, &[])).await,
    }
}
