//! Following a journal file: every process sees the others' events within a
//! second. `notify` wakes the reader when the file changes; a slow re-read
//! covers file systems where change events do not arrive (NFS, some overlays).
//! New events go, in file order, to a bounded tokio channel.

use super::chain::Chain;
use super::error::{JournalError, JournalWarning};
use super::key::JournalKey;
use super::read::{parse_complete, Cursor};
use crate::io::change::is_change;
use notify::{RecursiveMode, Watcher};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::mpsc;

pub use liftoff_core::journal::Followed;

/// Re-read this often even without a change event.
const FALLBACK_WITH_NOTIFY: Duration = Duration::from_secs(2);
/// Re-read this often when change events are unavailable (still "within a second").
const FALLBACK_WITHOUT_NOTIFY: Duration = Duration::from_millis(500);
const CHANNEL: usize = 1024;

/// Starts following `path` from `from` (e.g. the cursor `read_all` returned).
/// Must be called inside a tokio runtime. Following stops when the receiver is dropped.
/// `key`: a keyed journal's key, to check MACs as `read_all` does.
pub fn follow_file(
    path: PathBuf,
    from: Cursor,
    key: Option<JournalKey>,
) -> Result<mpsc::Receiver<Followed>, JournalError> {
    let (out, rx) = mpsc::channel(CHANNEL);
    let (wake_tx, wake_rx) = mpsc::channel::<()>(1);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).map_err(JournalError::io("create the folder of", &path))?;
    let name = path.file_name().map(|n| n.to_os_string());
    // Watch the folder, not the file: the file may not exist yet.
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if wakes(&res, name.as_deref()) {
            // A full channel already holds a wake-up: nothing is lost.
            let _ = wake_tx.try_send(());
        }
    })
    .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|_| w));
    let fallback = if watcher.is_ok() {
        FALLBACK_WITH_NOTIFY
    } else {
        FALLBACK_WITHOUT_NOTIFY
    };
    tokio::spawn(async move {
        // Owned by the task: dropping it (when following stops) stops watching.
        let _watcher = watcher.ok();
        run(path, from, key, out, wake_rx, fallback).await;
    });
    Ok(rx)
}

/// Whether a watcher event should wake the reader: a change to the journal
/// file (or an error, or an event naming no file). Opening and reading the
/// file are not changes — the reader does both itself, so waking on them
/// would make it re-read in a loop, at full CPU, forever.
fn wakes(res: &notify::Result<notify::Event>, name: Option<&std::ffi::OsStr>) -> bool {
    match res {
        Ok(ev) => {
            is_change(&ev.kind)
                && (ev.paths.is_empty() || ev.paths.iter().any(|p| p.file_name() == name))
        }
        Err(_) => true,
    }
}

async fn run(
    path: PathBuf,
    mut cursor: Cursor,
    key: Option<JournalKey>,
    out: mpsc::Sender<Followed>,
    mut wake: mpsc::Receiver<()>,
    fallback: Duration,
) {
    loop {
        for item in read_new(&path, &mut cursor, key.as_ref()).await {
            if out.send(item).await.is_err() {
                return;
            }
        }
        tokio::select! {
            _ = wake.recv() => {}
            _ = tokio::time::sleep(fallback) => {}
            _ = out.closed() => return,
        }
    }
}

/// Complete lines after `cursor`; a trailing piece waits for its newline.
async fn read_new(
    path: &std::path::Path,
    cursor: &mut Cursor,
    key: Option<&JournalKey>,
) -> Vec<Followed> {
    let mut items = Vec::new();
    let Ok(mut file) = tokio::fs::File::open(path).await else {
        return items; // not created yet
    };
    let Ok(len) = file.metadata().await.map(|m| m.len()) else {
        return items;
    };
    if len < cursor.offset {
        items.push(Followed::Warning(JournalWarning {
            line: 0,
            why: format!(
                "the journal shrank from {} to {len} bytes (replaced or truncated); reading it again from the start",
                cursor.offset
            ),
        }));
        *cursor = Cursor::default();
    }
    if len == cursor.offset
        || file
            .seek(std::io::SeekFrom::Start(cursor.offset))
            .await
            .is_err()
    {
        return items;
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).await.is_err() {
        return items;
    }
    let mut chain = Chain::new(cursor.chain, key, chrono::Utc::now());
    let (found, consumed, lines) = parse_complete(&bytes, cursor.lines + 1, &mut chain);
    cursor.offset += consumed as u64;
    cursor.lines += lines;
    cursor.chain = chain.state;
    items.extend(found);
    items
}

#[cfg(test)]
mod tests {
    use super::wakes;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};
    use notify::{Event, EventKind};
    use std::ffi::OsStr;

    fn on(kind: EventKind, file: &str) -> notify::Result<Event> {
        Ok(Event::new(kind).add_path(format!("/audit/{file}").into()))
    }

    #[test]
    fn appends_to_the_journal_wake_the_reader() {
        let name = Some(OsStr::new("journal.jsonl"));
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert!(wakes(&on(data, "journal.jsonl"), name));
        let created = EventKind::Create(CreateKind::File);
        assert!(wakes(&on(created, "journal.jsonl"), name));
        let written = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert!(wakes(&on(written, "journal.jsonl"), name));
        assert!(!wakes(&on(data, "other.json"), name));
    }

    #[test]
    fn the_readers_own_opens_and_reads_do_not() {
        let name = Some(OsStr::new("journal.jsonl"));
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
        ] {
            assert!(!wakes(&on(kind, "journal.jsonl"), name), "{kind:?}");
        }
    }
}
