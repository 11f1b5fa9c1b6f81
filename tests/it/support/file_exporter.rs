//! An exporter whose page is the `*.prom` files of a folder, read afresh at
//! every scrape. Whoever writes a file there changes what Prometheus and
//! liftoff see: a Makefile target run as a real child process
//! (`make kill-switch` writing `influence.prom`), or the test itself.
//! Writers replace a file by rename, so a scrape never reads half of it.

use super::metrics_server::MetricsServer;
use std::path::{Path, PathBuf};

pub struct FileExporter {
    pub dir: PathBuf,
    server: MetricsServer,
}

impl FileExporter {
    /// Serves the `*.prom` files of `dir` (concatenated, by file name).
    pub fn start(dir: &Path) -> FileExporter {
        let served = dir.to_path_buf();
        FileExporter {
            dir: dir.to_path_buf(),
            server: MetricsServer::start(move || render(&served)),
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// `host:port`, as a Prometheus scrape config wants it.
    pub fn target(&self) -> String {
        self.server.target()
    }

    /// Sets the sample of `series` (a line `series <value>`) in `file`,
    /// replacing the file by rename. Panics if the file has no such line:
    /// a test that toggles a series the world does not serve proves nothing.
    pub fn set(&self, file: &str, series: &str, value: f64) {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let prefix = format!("{series} ");
        let mut found = false;
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with(&prefix) {
                    found = true;
                    format!("{series} {value}")
                } else {
                    l.to_string()
                }
            })
            .collect();
        assert!(found, "{} serves no series `{series}`", path.display());
        replace(&path, &(lines.join("\n") + "\n"));
    }

    /// The page as a scrape would see it now.
    pub fn page(&self) -> String {
        render(&self.dir)
    }
}

/// Writes `text` to `path` by rename (a reader sees the old or the new file).
pub fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    std::fs::rename(&tmp, path).unwrap_or_else(|e| panic!("rename {}: {e}", path.display()));
}

fn render(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "prom"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut page = String::new();
    for f in files {
        // A file renamed away between listing and reading is simply gone.
        if let Ok(text) = std::fs::read_to_string(&f) {
            page.push_str(&text);
            if !text.ends_with('\n') {
                page.push('\n');
            }
        }
    }
    page
}
