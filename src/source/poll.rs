//! One poll of one source, bounded by its timeout, always returning an
//! `Observation` (an error is an observation too: it becomes UNKNOWN evidence).

use super::{Observation, Payload, SourceError};
use crate::io::fetch::Request;
use crate::io::secret::{self, Secret};
use crate::playbook::{HttpPoll, HttpTarget, Polling, Source, SourceConfig};
use chrono::Utc;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What every poll needs: an HTTP client and where relative paths start.
#[derive(Clone)]
pub struct PollContext {
    pub client: reqwest::Client,
    pub base_dir: PathBuf,
    /// Kubernetes clients per kubeconfig + context (see `kubernetes::Clients`).
    pub kube: super::kubernetes::Clients,
}

impl PollContext {
    pub fn new(base_dir: &Path) -> Self {
        PollContext {
            client: crate::io::fetch::client(),
            base_dir: base_dir.to_path_buf(),
            kube: Default::default(),
        }
    }
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
}

/// The secrets a source uses, resolved once per poll (a rotated token file is picked up).
/// A relative `token_file` is relative to the playbook's folder, like every path.
/// The file is read on a blocking thread, so the poll's timeout bounds it
/// even where a read of a regular file blocks (a hung network mount).
pub async fn secrets_of(
    ctx: &PollContext,
    target: Option<&HttpTarget>,
) -> Result<Option<Secret>, SourceError> {
    // Most sources name no secret: nothing to read, no thread to wake.
    let Some(target) = target.filter(|t| t.token_file.is_some() || t.token_env.is_some()) else {
        return Ok(None);
    };
    let file = target.token_file.as_deref().map(|f| ctx.resolve(f));
    let env = target.token_env.clone();
    tokio::task::spawn_blocking(move || secret::resolve(env.as_deref(), file.as_deref()))
        .await
        .map_err(|e| SourceError::Config(format!("reading the token stopped unexpectedly: {e}")))?
        .map_err(|e| SourceError::Config(e.to_string()))
}

/// Time past a source's timeout for its outer bound and for reading its
/// token again to scrub it from the result.
const GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// A GET to `url` of an HTTP-speaking source, bounded by its polling settings.
pub fn request<'a>(
    http: &HttpPoll,
    polling: &Polling,
    url: &'a str,
    token: Option<&'a Secret>,
) -> Request<'a> {
    let mut req = Request::get(url, polling.timeout.as_std(), polling.max_bytes);
    req.follow_redirects = http.follow_redirects;
    req.token = token;
    req
}

/// Polls `source` once. `queries` are the PromQL queries asked of a prometheus source.
pub async fn poll(ctx: &PollContext, id: &str, source: &Source, queries: &[String]) -> Observation {
    let started = Instant::now();
    let timeout = source.polling.timeout.as_std();
    let work = poll_kind(ctx, source, queries);
    // Each kind bounds its own I/O; this outer bound is the guarantee.
    let mut outcome = match tokio::time::timeout(timeout + GRACE, work).await {
        Ok(r) => r,
        Err(_) => Err(SourceError::Timeout(timeout)),
    };
    let known: Vec<Secret> = match tokio::time::timeout(
        GRACE,
        secrets_of(ctx, source.http().map(|h| &h.target)),
    )
    .await
    {
        Ok(secret) => secret.ok().flatten().into_iter().collect(),
        Err(_) => {
            // Fail closed: what cannot be scrubbed is not shown.
            outcome = Err(SourceError::Config(
                "the token could not be read again in time to scrub the result; not shown".into(),
            ));
            Vec::new()
        }
    };
    Observation {
        source: id.to_string(),
        at: Utc::now(),
        took: started.elapsed(),
        origin: secret::redact(&origin(ctx, source), &known),
        outcome: outcome
            .map(|p| redact_payload(p, &known))
            .map_err(|e| redact_error(e, &known)),
    }
}

/// What a server sent back may echo the token: a query's error, a label
/// value, an alert's annotation. Scrubbed like every error.
fn redact_payload(payload: Payload, known: &[Secret]) -> Payload {
    let labels = |map: &mut std::collections::BTreeMap<String, String>| {
        for v in map.values_mut() {
            secret::redact_in_place(v, known);
        }
    };
    match payload {
        Payload::Prometheus { mut results } => {
            for result in results.values_mut() {
                match result {
                    Ok(samples) => samples.iter_mut().for_each(|s| labels(&mut s.labels)),
                    Err(why) => secret::redact_in_place(why, known),
                }
            }
            Payload::Prometheus { results }
        }
        Payload::Scrape { mut samples } => {
            samples.iter_mut().for_each(|s| labels(&mut s.labels));
            Payload::Scrape { samples }
        }
        Payload::Alerts { mut alerts } => {
            for a in &mut alerts {
                labels(&mut a.labels);
                labels(&mut a.annotations);
            }
            Payload::Alerts { alerts }
        }
        other => other,
    }
}

async fn poll_kind(
    ctx: &PollContext,
    source: &Source,
    queries: &[String],
) -> Result<Payload, SourceError> {
    let polling = &source.polling;
    match &source.config {
        SourceConfig::Prometheus(http) => {
            super::prometheus::poll(ctx, polling, http, queries).await
        }
        SourceConfig::Scrape(http) => super::scrape::poll(ctx, polling, http).await,
        SourceConfig::Alertmanager(a) => super::alertmanager::poll(ctx, polling, a).await,
        SourceConfig::Http(h) => super::http::poll(ctx, polling, h).await,
        SourceConfig::Command(c) => super::command::poll(ctx, polling, c).await,
        SourceConfig::Artifacts(a) => super::artifacts::poll(ctx, polling, a).await,
        SourceConfig::Kubernetes(k) => super::kubernetes::poll(ctx, polling, k).await,
        SourceConfig::Sql(s) => super::sql::poll(ctx, polling, s).await,
        // Manual items are ticked by people: their state comes from the journal.
        SourceConfig::Manual(_) => Ok(Payload::Manual(Default::default())),
    }
}

/// Where a source reads from, for evidence.
pub fn origin(ctx: &PollContext, source: &Source) -> String {
    match &source.config {
        SourceConfig::Command(c) => {
            let argv = c.run.join(" ");
            if c.shell {
                format!("sh -c {argv:?}")
            } else {
                argv
            }
        }
        SourceConfig::Artifacts(a) => {
            let dir = ctx.resolve(&a.dir);
            format!("{}/{}", dir.display(), a.glob.as_deref().unwrap_or("*"))
        }
        SourceConfig::Kubernetes(k) => super::kubernetes::origin(k),
        // Where the connection string comes from, never the string itself.
        SourceConfig::Sql(s) => match (&s.url_env, &s.url_file) {
            (Some(var), _) => format!("sql (${var})"),
            (None, Some(f)) => format!("sql ({})", ctx.resolve(f).display()),
            (None, None) => "sql".into(),
        },
        SourceConfig::Manual(m) => format!("manual: {}", m.title.as_deref().unwrap_or("")),
        SourceConfig::Prometheus(h) | SourceConfig::Scrape(h) => h.target.url.clone(),
        SourceConfig::Alertmanager(a) => a.http.target.url.clone(),
        SourceConfig::Http(h) => h.http.target.url.clone(),
    }
}

fn redact_error(e: SourceError, known: &[Secret]) -> SourceError {
    let r = |s: String| secret::redact(&s, known);
    match e {
        SourceError::Connect(s) => SourceError::Connect(r(s)),
        SourceError::Status { status, detail } => SourceError::Status {
            status,
            detail: r(detail),
        },
        SourceError::Parse(s) => SourceError::Parse(r(s)),
        SourceError::Query(s) => SourceError::Query(r(s)),
        SourceError::Io(s) => SourceError::Io(r(s)),
        SourceError::Exec(s) => SourceError::Exec(r(s)),
        SourceError::Config(s) => SourceError::Config(r(s)),
        other => other,
    }
}

/// Polls every source of the playbook once, all at the same time: the wall
/// time is that of the slowest source, not the sum.
pub async fn poll_all(
    ctx: &PollContext,
    pb: &crate::playbook::LoadedPlaybook,
) -> std::collections::HashMap<String, Observation> {
    let polls = pb.sources.iter().map(|(id, source)| {
        let queries = pb.queries_for(id);
        async move { (id.clone(), poll(ctx, id, source, &queries).await) }
    });
    futures::future::join_all(polls).await.into_iter().collect()
}
