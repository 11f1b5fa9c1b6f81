//! `sql` source: one read-only query against SQLite (embedded, no server) or
//! PostgreSQL, through one driver family (sqlx).
//!
//! - The connection string is a secret: it comes from `url_env` / `url_file`,
//!   is never printed, and is scrubbed from every error.
//! - Nothing can be written: SQLite is opened read-only (`mode=ro`, and
//!   `query_only`); PostgreSQL runs the query in `BEGIN READ ONLY`, rolled back.
//! - The query is bounded by the source's `timeout`: PostgreSQL by a
//!   `SET LOCAL statement_timeout`, SQLite by a progress handler that
//!   interrupts the statement at the deadline.
//! - Rows are capped (`MAX_ROWS`, `max_bytes`): past a cap the poll is an error
//!   (UNKNOWN), never a silently shortened list that would make `count` lie.

use super::poll::PollContext;
use super::sql_decode::{pg_row, sqlite_row, Row};
use super::{Payload, SourceError};
use crate::io::secret::{self, Secret};
use crate::playbook::{Polling, SqlSource};
use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Column, ConnectOptions, Connection};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// More rows than this is an error: aggregate in SQL (count, group by) instead.
pub const MAX_ROWS: usize = 10_000;

/// Which database a connection string names. The string itself stays secret.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A SQLite file (resolved against the playbook's folder when relative).
    Sqlite(PathBuf),
    /// `sqlite::memory:` (an empty database; of little use but harmless).
    SqliteMemory,
    Postgres,
}

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    spec: &SqlSource,
) -> Result<Payload, SourceError> {
    // On its own task with owned arguments: sqlx's executor lifetimes keep a
    // borrowing future from being provably `Send` (rust-lang/rust#96865),
    // and every caller (the cockpit, the kill switch's readback) spawns polls.
    let (ctx, polling, spec) = (ctx.clone(), polling.clone(), spec.clone());
    tokio::spawn(poll_owned(ctx, polling, spec))
        .await
        .unwrap_or_else(|e| Err(SourceError::Io(format!("the query's task died: {e}"))))
}

async fn poll_owned(
    ctx: PollContext,
    polling: Polling,
    spec: SqlSource,
) -> Result<Payload, SourceError> {
    let deadline = Instant::now() + polling.timeout.as_std();
    let url = connection_string(&ctx, &spec)?;
    let known = known_secrets(&url);
    let redact = |e: SourceError| redact_error(e, &known);
    let query = Some(spec.query)
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| SourceError::Config("`query` is empty".into()))?;
    let caps = Caps {
        rows: MAX_ROWS,
        bytes: polling.max_bytes,
    };
    let (columns, rows) = match target(&ctx, url.expose()).map_err(redact)? {
        Target::Postgres => postgres(url.expose().to_string(), query, deadline, caps).await,
        Target::Sqlite(path) => sqlite(Some(path), query, deadline, caps).await,
        Target::SqliteMemory => sqlite(None, query, deadline, caps).await,
    }
    .map_err(redact)?;
    Ok(Payload::Rows { columns, rows })
}

/// The connection string named by `url_env` or `url_file` (relative to the playbook).
pub fn connection_string(ctx: &PollContext, spec: &SqlSource) -> Result<Secret, SourceError> {
    let file = spec.url_file.as_deref().map(|f| ctx.resolve(f));
    match secret::resolve(spec.url_env.as_deref(), file.as_deref()) {
        Ok(Some(s)) if !s.expose().is_empty() => Ok(s),
        Ok(_) => Err(SourceError::Config(
            "no connection string: set url_env = \"DATABASE_URL\" or url_file".into(),
        )),
        Err(e) => Err(SourceError::Config(e.to_string())),
    }
}

/// The URL and its password on their own: either may turn up in a driver's message.
fn known_secrets(url: &Secret) -> Vec<Secret> {
    let mut known = vec![url.clone()];
    if let Some(pw) = password_of(url.expose()) {
        known.push(pw);
    }
    known
}

fn password_of(url: &str) -> Option<Secret> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    let pw = userinfo.split_once(':')?.1;
    Some(Secret::new(pw))
}

/// `sqlite:///abs/path.db`, `sqlite://rel.db`, `sqlite:rel.db`, `sqlite::memory:`,
/// `postgres://...` or `postgresql://...`. Errors name the scheme, never the URL.
pub fn target(ctx: &PollContext, url: &str) -> Result<Target, SourceError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Target::Postgres);
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.split('?').next().unwrap_or_default();
        if rest == ":memory:" || rest == "//:memory:" {
            return Ok(Target::SqliteMemory);
        }
        // `sqlite:///abs` keeps its leading slash; `sqlite://rel` drops the two.
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() {
            return Err(SourceError::Config(
                "the sqlite URL names no file: write sqlite:///absolute/path.db or sqlite://relative.db".into(),
            ));
        }
        return Ok(Target::Sqlite(ctx.resolve(path.as_ref())));
    }
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("(none)");
    let scheme: String = scheme.chars().take(20).collect();
    Err(SourceError::Config(format!(
        "the connection string's scheme `{scheme}` is not one liftoff reads: use sqlite://... or postgres://..."
    )))
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    pub rows: usize,
    pub bytes: u64,
}

/// What a query gave: its column names (in order) and its rows.
type Table = (Vec<String>, Vec<Row>);

/// Counts rows and bytes as they arrive; the first one past a cap is an error.
pub(crate) struct Collect {
    caps: Caps,
    bytes: u64,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Collect {
    pub(crate) fn new(caps: Caps) -> Self {
        Collect {
            caps,
            bytes: 0,
            columns: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The column names, from the first row (a query with no rows needs none).
    pub(crate) fn columns<R: sqlx::Row>(&mut self, row: &R) {
        if self.columns.is_empty() {
            self.columns = row.columns().iter().map(|c| c.name().to_string()).collect();
        }
    }

    pub(crate) fn push(&mut self, row: Row) -> Result<(), SourceError> {
        if self.rows.len() >= self.caps.rows {
            return Err(SourceError::Query(format!(
                "the query returned more than {} rows: aggregate in SQL (count, group by) or add a LIMIT",
                self.caps.rows
            )));
        }
        self.bytes += row
            .iter()
            .map(|(k, v)| k.len() as u64 + v.to_string().len() as u64)
            .sum::<u64>();
        if self.bytes > self.caps.bytes {
            return Err(SourceError::TooLarge {
                limit: self.caps.bytes,
            });
        }
        self.rows.push(row);
        Ok(())
    }
}

fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Runs `work` until the deadline; past it, the poll timed out.
async fn bounded<T>(
    deadline: Instant,
    total: Duration,
    work: impl std::future::Future<Output = Result<T, SourceError>>,
) -> Result<T, SourceError> {
    match tokio::time::timeout(left(deadline), work).await {
        Ok(r) => r,
        Err(_) => Err(SourceError::Timeout(total)),
    }
}

async fn postgres(
    url: String,
    query: String,
    deadline: Instant,
    caps: Caps,
) -> Result<Table, SourceError> {
    let total = left(deadline);
    let options = PgConnectOptions::from_str(&url)
        .map_err(|e| SourceError::Config(format!("unreadable postgres connection string: {e}")))?
        .application_name("liftoff")
        .disable_statement_logging();
    let mut conn: PgConnection = bounded(deadline, total, async {
        options
            .connect()
            .await
            .map_err(|e| SourceError::Connect(format!("PostgreSQL: {e}")))
    })
    .await?;
    let result = bounded(deadline, total, async {
        sqlx::query("BEGIN READ ONLY")
            .execute(&mut conn)
            .await
            .map_err(|e| SourceError::Query(e.to_string()))?;
        // The server stops the statement itself at our deadline.
        let ms = left(deadline).as_millis().max(1);
        sqlx::query(&format!("SET LOCAL statement_timeout = {ms}"))
            .execute(&mut conn)
            .await
            .map_err(|e| SourceError::Query(e.to_string()))?;
        let mut collect = Collect::new(caps);
        {
            let mut stream = sqlx::query(&query).fetch(&mut conn);
            while let Some(row) = stream.try_next().await.map_err(pg_error(total))? {
                collect.columns(&row);
                collect.push(pg_row(&row)?)?;
            }
        }
        // Nothing was written, and nothing could be: end the transaction cleanly.
        let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
        Ok((collect.columns, collect.rows))
    })
    .await;
    if result.is_ok() {
        let _ = conn.close().await;
    }
    result
}

/// A statement cancelled by `statement_timeout` is the source's timeout.
fn pg_error(total: Duration) -> impl Fn(sqlx::Error) -> SourceError {
    move |e| {
        let canceled = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "57014");
        if canceled {
            SourceError::Timeout(total)
        } else {
            SourceError::Query(e.to_string())
        }
    }
}

async fn sqlite(
    path: Option<PathBuf>,
    query: String,
    deadline: Instant,
    caps: Caps,
) -> Result<Table, SourceError> {
    let total = left(deadline);
    let shown = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| ":memory:".into());
    let options = match &path {
        Some(p) => SqliteConnectOptions::new().filename(p),
        None => SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|e| SourceError::Config(e.to_string()))?,
    }
    .read_only(true)
    .create_if_missing(false)
    .pragma("query_only", "ON")
    .busy_timeout(total)
    .disable_statement_logging();
    if let Some(p) = &path {
        if !p.is_file() {
            return Err(SourceError::Connect(format!(
                "SQLite database {shown} does not exist"
            )));
        }
    }
    let mut conn: SqliteConnection = bounded(deadline, total, async {
        options
            .connect()
            .await
            .map_err(|e| SourceError::Connect(format!("cannot open SQLite database {shown}: {e}")))
    })
    .await?;
    // Interrupts the statement at the deadline (SQLite has no statement timeout).
    conn.lock_handle()
        .await
        .map_err(|e| SourceError::Connect(e.to_string()))?
        .set_progress_handler(1000, move || Instant::now() < deadline);
    let result = bounded(deadline, total, async {
        let mut collect = Collect::new(caps);
        {
            let mut stream = sqlx::query(&query).fetch(&mut conn);
            while let Some(row) = stream.try_next().await.map_err(|e| {
                if Instant::now() >= deadline {
                    SourceError::Timeout(total)
                } else {
                    SourceError::Query(e.to_string())
                }
            })? {
                collect.columns(&row);
                collect.push(sqlite_row(&row)?)?;
            }
        }
        Ok((collect.columns, collect.rows))
    })
    .await;
    let _ = conn.close().await;
    result
}

fn redact_error(e: SourceError, known: &[Secret]) -> SourceError {
    let r = |s: String| secret::redact(&s, known);
    match e {
        SourceError::Connect(s) => SourceError::Connect(r(s)),
        SourceError::Query(s) => SourceError::Query(r(s)),
        SourceError::Config(s) => SourceError::Config(r(s)),
        SourceError::Parse(s) => SourceError::Parse(r(s)),
        SourceError::Io(s) => SourceError::Io(r(s)),
        other => other,
    }
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;
