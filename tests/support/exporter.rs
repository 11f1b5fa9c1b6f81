//! A tiny exporter the test controls: serves `/metrics` in the text format
//! with whatever values the test sets. It plays the remote side; it runs on
//! its own thread so it answers even while the test blocks on a child process.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct Exporter {
    pub port: u16,
    series: Arc<Mutex<BTreeMap<String, f64>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Exporter {
    /// Starts serving `series` (e.g. `("policy_entropy", 0.93)`, or with labels
    /// `("rl_influence_percent{env=\"prod\"}", 10.0)`).
    pub fn start(series: &[(&str, f64)]) -> Exporter {
        let series: Arc<Mutex<BTreeMap<String, f64>>> = Arc::new(Mutex::new(
            series.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        ));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind exporter");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let shared = series.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("exporter runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    _ = serve(listener, shared) => {}
                    _ = stopped => {}
                }
            });
        });
        Exporter {
            port,
            series,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn set(&self, series: &str, value: f64) {
        self.series
            .lock()
            .expect("series lock")
            .insert(series.to_string(), value);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/metrics", self.port)
    }

    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(listener: TcpListener, series: Arc<Mutex<BTreeMap<String, f64>>>) {
    loop {
        let Ok((mut conn, _)) = listener.accept().await else {
            continue;
        };
        let page = render(&series);
        tokio::spawn(async move {
            // Read the request head; its content does not matter: every path is /metrics.
            let mut buf = vec![0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = conn.write_all(reply.as_bytes()).await;
            let _ = conn.shutdown().await;
        });
    }
}

fn render(series: &Mutex<BTreeMap<String, f64>>) -> String {
    let series = series.lock().expect("series lock");
    let mut out = String::from("# HELP liftoff_test_exporter a metrics page the test controls\n");
    for (name, value) in series.iter() {
        out.push_str(&format!("{name} {value}\n"));
    }
    out
}
