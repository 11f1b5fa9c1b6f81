//! Whole-process benchmark: `liftoff check` on a playbook of 30 sources that
//! each answer after 200 ms (a loopback exporter this benchmark starts).
//! Sources are polled concurrently, so the wall time should sit near the
//! slowest source (~200 ms plus process start), far from the sum (6 s).
//!
//! Run: `cargo bench --bench check_concurrency`

use criterion::{criterion_group, criterion_main, Criterion};
use std::io::Write;
use std::process::Command;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SOURCES: usize = 30;
const DELAY: Duration = Duration::from_millis(200);

/// An exporter that answers every request after DELAY.
fn start_slow_exporter() -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr").port()).expect("send port");
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { continue };
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = sock.read(&mut buf).await;
                    tokio::time::sleep(DELAY).await;
                    let body = "# TYPE ready gauge\nready 1\n";
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(reply.as_bytes()).await;
                });
            }
        });
    });
    rx.recv().expect("exporter port")
}

fn playbook(port: u16) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp playbook");
    writeln!(f, "[release]\nname = \"bench\"\n").unwrap();
    for i in 0..SOURCES {
        writeln!(
            f,
            "[source.s{i}]\nkind = \"scrape\"\nurl = \"http://127.0.0.1:{port}/metrics?i={i}\"\ntimeout = \"5s\"\n\n[[check]]\nid = \"c{i}\"\nsource = \"s{i}\"\nquery = \"ready\"\npass = \"value == 1.0\"\n"
        )
        .unwrap();
    }
    f
}

fn bench(c: &mut Criterion) {
    let port = start_slow_exporter();
    let pb = playbook(port);
    let exe = env!("CARGO_BIN_EXE_liftoff");
    // Sanity: the run must be a real GO, or the timing means nothing.
    let status = Command::new(exe)
        .arg("check")
        .arg(pb.path())
        .output()
        .expect("run liftoff");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    let mut group = c.benchmark_group("check");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("30 sources x 200ms", |b| {
        b.iter(|| {
            let out = Command::new(exe)
                .arg("check")
                .arg(pb.path())
                .output()
                .expect("run liftoff");
            assert_eq!(out.status.code(), Some(0));
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
