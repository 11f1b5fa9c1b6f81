//! WATCH: the backlog since the client's resourceVersion (or every object for
//! `0`), then live changes, as JSON lines, until the server drops watches.

use super::resources::Target;
use super::selector::{FieldSelector, LabelSelector};
use super::wire::status;
use super::{Change, Shared};
use axum::body::{Body, Bytes};
use axum::response::Response;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::broadcast;

impl Shared {
    pub(super) fn watch(self: &Arc<Self>, t: &Target, q: &HashMap<String, String>) -> Response {
        self.watch_requests.fetch_add(1, Ordering::SeqCst);
        let labels =
            match LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or("")) {
                Ok(l) => l,
                Err(e) => return status(400, "BadRequest", e, None),
            };
        let fields =
            match FieldSelector::parse(q.get("fieldSelector").map(String::as_str).unwrap_or("")) {
                Ok(f) => f,
                Err(e) => return status(400, "BadRequest", e, None),
            };
        let since: u64 = q
            .get("resourceVersion")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let plural = t.res.plural.to_string();
        let namespace = t.namespace.clone();
        let wanted = move |c: &Change| {
            c.plural == plural
                && namespace
                    .as_ref()
                    .is_none_or(|ns| c.object["metadata"]["namespace"] == ns.as_str())
                && labels.matches(&c.object)
                && fields.matches(&c.object)
        };
        // Subscribe under the lock, so nothing falls between the backlog and the live feed.
        let (backlog, rx) = {
            let store = self.store.lock().unwrap();
            let rx = self.changes.subscribe();
            let backlog: VecDeque<Change> = if since == 0 {
                store
                    .objects
                    .iter()
                    .filter(|((p, _, _), _)| p == t.res.plural)
                    .map(|((p, _, _), o)| Change {
                        rv: store.rv,
                        kind: "ADDED",
                        plural: p.clone(),
                        object: o.clone(),
                    })
                    .collect()
            } else {
                store
                    .history
                    .iter()
                    .filter(|c| c.rv > since)
                    .cloned()
                    .collect()
            };
            (
                backlog
                    .into_iter()
                    .filter(|c| wanted(c))
                    .collect::<VecDeque<_>>(),
                rx,
            )
        };
        let dropped = self.drop_watches.subscribe();
        let stream = futures::stream::unfold(
            (backlog, rx, dropped, wanted),
            |(mut backlog, mut rx, mut dropped, wanted)| async move {
                loop {
                    let change = match backlog.pop_front() {
                        Some(c) => c,
                        None => tokio::select! {
                            r = rx.recv() => match r {
                                Ok(c) => c,
                                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                                Err(broadcast::error::RecvError::Closed) => return None,
                            },
                            _ = dropped.changed() => return None,
                        },
                    };
                    if !wanted(&change) {
                        continue;
                    }
                    let line = format!(
                        "{}\n",
                        json!({"type": change.kind, "object": change.object})
                    );
                    return Some((
                        Ok::<Bytes, std::convert::Infallible>(Bytes::from(line)),
                        (backlog, rx, dropped, wanted),
                    ));
                }
            },
        );
        Response::builder()
            .status(200)
            .header("Content-Type", "application/json")
            .header("Transfer-Encoding", "chunked")
            .body(Body::from_stream(stream))
            .unwrap()
    }
}
