//! An exporter whose page is the `*.prom` files of a folder, read afresh at
//! every scrape. Whoever writes a file there changes what Prometheus and
//! liftoff see: a Makefile target run as a real child process
//! (`make kill-switch` writing `influence.prom`), or the test itself.
//! Writers replace a file by rename, so a scrape never reads half of it.
//! It plays the remote side and runs on its own thread, so it answers while
//! the test waits on a child process.

use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct FileExporter {
    pub port: u16,
    pub dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FileExporter {
    /// Serves the `*.prom` files of `dir` (concatenated, by file name).
    pub fn start(dir: &Path) -> FileExporter {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind exporter");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let served = dir.to_path_buf();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("exporter runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    _ = serve(listener, served) => {}
                    _ = stopped => {}
                }
            });
        });
        FileExporter {
            port,
            dir: dir.to_path_buf(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/metrics", self.port)
    }

    /// `host:port`, as a Prometheus scrape config wants it.
    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
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

impl Drop for FileExporter {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(listener: TcpListener, dir: PathBuf) {
    loop {
        let Ok((mut conn, _)) = listener.accept().await else {
            continue;
        };
        let dir = dir.clone();
        tokio::spawn(async move {
            // Read the request head; every path is /metrics.
            let mut buf = vec![0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let page = render(&dir);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = conn.write_all(reply.as_bytes()).await;
            let _ = conn.shutdown().await;
        });
    }
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
