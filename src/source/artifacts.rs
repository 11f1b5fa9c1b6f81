//! `artifacts` source: the files in a folder that match a glob, each with its
//! name, size, modification time and, for `.json` files, the parsed content
//! (or why it is not JSON). The cockpit watches the folder (`watch_target`)
//! and polls again when it changes.

use super::poll::PollContext;
use super::{FileInfo, Payload, SourceError};
use crate::io::file::{self, ReadError};
use crate::playbook::{ArtifactsSource, Polling};
use chrono::{DateTime, Utc};
use globset::{GlobBuilder, GlobMatcher};
use notify::RecursiveMode;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Files looked at in one poll unless the playbook says `max_files`.
pub const DEFAULT_MAX_FILES: usize = 1000;
pub const DEFAULT_GLOB: &str = "*";

pub async fn poll(
    ctx: &PollContext,
    polling: &Polling,
    spec: &ArtifactsSource,
) -> Result<Payload, SourceError> {
    let scan = Scan::new(ctx, polling, spec)?;
    // Folder walks and file reads block; keep them off the async workers.
    let files = tokio::task::spawn_blocking(move || scan.run())
        .await
        .map_err(|e| SourceError::Io(format!("the folder scan stopped unexpectedly: {e}")))??;
    Ok(Payload::Files { files })
}

/// The folder to watch for this source and whether its glob reaches into
/// subfolders.
pub fn watch_target(ctx: &PollContext, spec: &ArtifactsSource) -> (PathBuf, RecursiveMode) {
    let mode = if needs_recursion(glob_of(spec)) {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    (ctx.resolve(&spec.dir), mode)
}

fn glob_of(spec: &ArtifactsSource) -> &str {
    spec.glob.as_deref().unwrap_or(DEFAULT_GLOB)
}

/// `*.json` looks only at the folder itself; `**/*.json` or `daily/*.json`
/// look below it.
fn needs_recursion(glob: &str) -> bool {
    glob.contains('/') || glob.contains("**")
}

/// One scan of the folder, with everything it needs owned (it runs on a
/// blocking thread).
struct Scan {
    dir: PathBuf,
    glob: String,
    matcher: GlobMatcher,
    recursive: bool,
    max_files: usize,
    max_bytes: u64,
}

impl Scan {
    fn new(
        ctx: &PollContext,
        polling: &Polling,
        spec: &ArtifactsSource,
    ) -> Result<Self, SourceError> {
        let glob = glob_of(spec).to_string();
        // `*` stays inside one folder, as in a shell; `**` crosses folders.
        let matcher = GlobBuilder::new(&glob)
            .literal_separator(true)
            .build()
            .map_err(|e| SourceError::Config(format!("bad glob \"{glob}\": {e}")))?
            .compile_matcher();
        Ok(Scan {
            dir: ctx.resolve(&spec.dir),
            recursive: needs_recursion(&glob),
            glob,
            matcher,
            max_files: spec.max_files.unwrap_or(DEFAULT_MAX_FILES),
            max_bytes: polling.max_bytes,
        })
    }

    fn run(&self) -> Result<Vec<FileInfo>, SourceError> {
        self.check_folder()?;
        let depth = if self.recursive { usize::MAX } else { 1 };
        let walk = walkdir::WalkDir::new(&self.dir)
            .min_depth(1)
            .max_depth(depth)
            .follow_links(true);
        let mut files = Vec::new();
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                // Deleted between listing and looking: it is simply gone.
                Err(e) if e.io_error().map(|io| io.kind()) == Some(ErrorKind::NotFound) => continue,
                Err(e) => return Err(SourceError::Io(format!("cannot read {e}"))),
            };
            // Folders are walked, not listed; anything else that matches is
            // looked at, so a FIFO or socket is refused rather than skipped.
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry.path().strip_prefix(&self.dir).unwrap_or(entry.path());
            if !self.matcher.is_match(rel) {
                continue;
            }
            if files.len() == self.max_files {
                // Fail closed: a partial list would make counts and filters lie.
                return Err(SourceError::Io(format!(
                    "more than {} files match \"{}\" in {}; narrow the glob or raise max_files",
                    self.max_files,
                    self.glob,
                    self.dir.display()
                )));
            }
            match self.describe(entry.path()) {
                Ok(info) => files.push(info),
                Err(e) if e.kind() == Some(ErrorKind::NotFound) => continue,
                Err(e) => {
                    return Err(SourceError::Io(format!(
                        "cannot read {}: {e}",
                        entry.path().display()
                    )))
                }
            }
        }
        // Newest first, so `files[0]` is the latest and `files[1]` the one before.
        files.sort_by(|a, b| {
            b.modified
                .cmp(&a.modified)
                .then_with(|| a.path.cmp(&b.path))
        });
        Ok(files)
    }

    fn check_folder(&self) -> Result<(), SourceError> {
        let shown = self.dir.display();
        match std::fs::metadata(&self.dir) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(SourceError::Io(format!("{shown} is not a folder (dir)"))),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                Err(SourceError::Io(format!("folder {shown} does not exist")))
            }
            Err(e) => Err(SourceError::Io(format!("cannot read folder {shown}: {e}"))),
        }
    }

    /// Name, size, time and (for JSON) content. Only regular files: the
    /// name is checked with `stat`, and a JSON file again on the opened
    /// descriptor, so one swapped for a FIFO after the scan is refused too.
    fn describe(&self, path: &Path) -> Result<FileInfo, ReadError> {
        let mut meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            // Refused without opening it: opening a device can have effects.
            return Err(ReadError::NotRegular(file::kind_of(&meta)));
        }
        let (json, json_error) = if is_json(path) {
            let (opened, opened_meta) = file::open_regular(path)?;
            meta = opened_meta;
            match self.parse_json(opened, &meta) {
                Ok(v) => (Some(v), None),
                Err(why) => (None, Some(why)),
            }
        } else {
            (None, None)
        };
        let modified: DateTime<Utc> = meta.modified()?.into();
        Ok(FileInfo {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.display().to_string(),
            size: meta.len(),
            modified,
            json,
            json_error,
        })
    }

    /// The parsed content, or a sentence saying why there is none.
    fn parse_json(
        &self,
        opened: std::fs::File,
        meta: &std::fs::Metadata,
    ) -> Result<serde_json::Value, String> {
        let bytes = match file::read_opened(opened, meta, self.max_bytes) {
            Ok(b) => b,
            Err(ReadError::TooBig { size, cap }) => {
                return Err(format!(
                    "not read: {size} bytes is more than the max_bytes cap ({cap})"
                ))
            }
            Err(e) => return Err(format!("cannot read: {e}")),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err("not JSON: the file is empty (still being written?)".into());
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &str, glob: Option<&str>) -> ArtifactsSource {
        ArtifactsSource {
            dir: dir.into(),
            glob: glob.map(Into::into),
            max_files: None,
        }
    }

    fn files(p: Payload) -> Vec<FileInfo> {
        match p {
            Payload::Files { files } => files,
            other => panic!("expected files, got {other:?}"),
        }
    }

    #[test]
    fn recursion_only_when_the_glob_asks() {
        let ctx = PollContext::new(Path::new("/pb"));
        let flat = watch_target(&ctx, &spec("out", Some("*.json")));
        assert_eq!(
            flat,
            (PathBuf::from("/pb/out"), RecursiveMode::NonRecursive)
        );
        let deep = watch_target(&ctx, &spec("/abs", Some("**/*.json")));
        assert_eq!(deep, (PathBuf::from("/abs"), RecursiveMode::Recursive));
    }

    #[tokio::test]
    async fn star_stays_in_the_folder_and_double_star_descends() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.json"), "{}").unwrap();
        std::fs::write(dir.path().join("sub/b.json"), "{}").unwrap();
        std::fs::write(dir.path().join("c.txt"), "x").unwrap();
        let ctx = PollContext::new(dir.path());
        let flat = files(
            poll(&ctx, &Polling::default(), &spec(".", Some("*.json")))
                .await
                .unwrap(),
        );
        assert_eq!(flat.iter().map(|f| &f.name).collect::<Vec<_>>(), ["a.json"]);
        let deep = files(
            poll(&ctx, &Polling::default(), &spec(".", Some("**/*.json")))
                .await
                .unwrap(),
        );
        assert_eq!(
            deep.iter().map(|f| &f.name).collect::<Vec<_>>(),
            ["a.json", "b.json"]
        );
        let all = files(
            poll(&ctx, &Polling::default(), &spec(".", None))
                .await
                .unwrap(),
        );
        assert_eq!(all.len(), 2, "{all:?}"); // a.json, c.txt (not the folder)
        assert_eq!(all[1].json, None);
        assert_eq!(all[1].json_error, None, "only .json files are parsed");
    }

    #[tokio::test]
    async fn too_many_files_is_an_error_not_a_partial_list() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..3 {
            std::fs::write(dir.path().join(format!("{i}.json")), "{}").unwrap();
        }
        let ctx = PollContext::new(dir.path());
        let mut s = spec(".", None);
        s.max_files = Some(2);
        let err = poll(&ctx, &Polling::default(), &s).await.unwrap_err();
        assert!(err.to_string().contains("more than 2 files"), "{err}");
        s.max_files = Some(3);
        assert_eq!(
            files(poll(&ctx, &Polling::default(), &s).await.unwrap()).len(),
            3
        );
    }

    #[tokio::test]
    async fn big_and_empty_json_files_say_why_they_have_no_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.json"), "[1,2,3,4,5,6,7,8,9]").unwrap();
        std::fs::write(dir.path().join("empty.json"), "").unwrap();
        let ctx = PollContext::new(dir.path());
        let s = spec(".", None);
        let small = Polling {
            max_bytes: 8,
            ..Default::default()
        };
        let got = files(poll(&ctx, &small, &s).await.unwrap());
        assert_eq!(got[0].name, "big.json");
        assert!(got[0].json_error.as_deref().unwrap().contains("max_bytes"));
        assert_eq!(got[0].size, 19);
        assert!(got[1].json_error.as_deref().unwrap().contains("empty"));
    }

    /// A name that was a file at scan time and is a FIFO at read time (the
    /// scan-then-swap race, taken at its second step) is refused at once.
    #[test]
    fn a_fifo_at_read_time_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = PollContext::new(dir.path());
        let scan = Scan::new(&ctx, &Polling::default(), &spec(".", Some("*.json"))).unwrap();
        let path = dir.path().join("swapped.json");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let err = scan.describe(&path).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
    }

    #[tokio::test]
    async fn a_fifo_that_matches_the_glob_fails_the_poll() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), "{}").unwrap();
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        std::os::unix::fs::symlink(&fifo, dir.path().join("b.json")).unwrap();
        let ctx = PollContext::new(dir.path());
        let err = poll(&ctx, &Polling::default(), &spec(".", Some("*.json")))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("b.json"), "{err}");
        assert!(err.to_string().contains("a FIFO"), "{err}");
    }

    #[tokio::test]
    async fn a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), "x").unwrap();
        let ctx = PollContext::new(dir.path());
        let err = poll(&ctx, &Polling::default(), &spec("f", None))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
    }
}
