//! Re-polls an `artifacts` source as soon as a file in its folder changes, so a
//! new validation result shows within moments rather than at the next interval
//! (which stays as the fallback when the folder cannot be watched). What to
//! watch comes from `source::artifacts::watch_target`.

use crate::io::change::is_change;
use globset::{Glob, GlobMatcher};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Notify;

/// Starts watching; each relevant change wakes the source's loop. The watcher
/// stops when the returned value is dropped. Errors (no such folder, no
/// inotify slots) leave the interval poll alone in charge.
pub fn watch(
    dir: &Path,
    mode: RecursiveMode,
    glob: Option<&str>,
    wake: Arc<Notify>,
) -> notify::Result<RecommendedWatcher> {
    let matcher = glob
        .and_then(|g| Glob::new(g).ok())
        .map(|g| g.compile_matcher());
    let root = dir.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        // A watcher error may mean missed events: poll to be sure.
        let relevant = match res {
            Ok(event) => is_change(&event.kind) && matches_any(&event.paths, &root, &matcher),
            Err(_) => true,
        };
        if relevant {
            wake.notify_one();
        }
    })?;
    watcher.watch(dir, mode)?;
    Ok(watcher)
}

fn matches_any(paths: &[PathBuf], root: &Path, matcher: &Option<GlobMatcher>) -> bool {
    let Some(matcher) = matcher else {
        return true;
    };
    if paths.is_empty() {
        return true;
    }
    paths.iter().any(|p| {
        let rel = p.strip_prefix(root).unwrap_or(p);
        // A removed or renamed folder changes what the glob finds too.
        rel.as_os_str().is_empty() || matcher.is_match(rel) || p.is_dir()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_new_matching_file_wakes_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let wake = Arc::new(Notify::new());
        let _watcher = watch(
            dir.path(),
            RecursiveMode::NonRecursive,
            Some("*.json"),
            wake.clone(),
        )
        .unwrap();
        std::fs::write(dir.path().join("run1.json"), r#"{"status":"PASS"}"#).unwrap();
        tokio::time::timeout(Duration::from_secs(10), wake.notified())
            .await
            .expect("no wake-up within 10 s of writing a matching file");
    }
}
