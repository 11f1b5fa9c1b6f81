//! How fast an ACK written by one process is seen by another (a follower, as
//! every cockpit runs one), file journal vs etcd journal. A writer process
//! (this binary, started again in writer mode) appends ACKs stamped with the
//! wall-clock time just before `append`; the follower in this process notes
//! when each arrives. Same host, so the two clocks are one.
//!
//! Run: `cargo bench --bench journal_latency` (etcd from PATH, started on free
//! loopback ports in a temp folder; skipped with a note when not installed).
//! Under `cargo test` it runs a few events per backend as a smoke test.

use liftoff::journal::event::{Ack, Actor, Event};
use liftoff::journal::{self, Followed, NewEvent};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const WRITER: &str = "LIFTOFF_LATENCY_WRITER";
const COUNT: &str = "LIFTOFF_LATENCY_COUNT";
/// Between two ACKs: far apart enough that each is measured alone.
const GAP: Duration = Duration::from_millis(10);

fn now_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros()
}

fn main() {
    if let Ok(playbook) = std::env::var(WRITER) {
        let count = std::env::var(COUNT)
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(10);
        writer(Path::new(&playbook), count);
        return;
    }
    let bench = std::env::args().any(|a| a == "--bench");
    let n = if bench { 1000 } else { 10 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    println!("journal latency: ACK appended in one process -> seen by a follower in another; {n} ACKs, {GAP:?} apart");
    println!(
        "{:<6} {:>10} {:>10} {:>10} | {:>12} {:>12}",
        "", "seen p50", "seen p99", "seen max", "append p50", "append p99"
    );
    let file = playbook(dir.path(), "file", "");
    report("file", measure(&rt, &file, n));
    match Etcd::start(dir.path()) {
        Some(etcd) => {
            let spec = format!("journal = \"etcd://{}/liftoff/bench\"", etcd.endpoint);
            let pb = playbook(dir.path(), "etcd", &spec);
            report("etcd", measure(&rt, &pb, n));
            drop(etcd);
        }
        None => println!("etcd   skipped: `etcd` is not installed (apt-get install etcd-server)"),
    }
}

fn playbook(dir: &Path, name: &str, journal: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).expect("folder");
    let path = folder.join("liftoff.toml");
    let text = format!("[release]\nname = \"latency\"\n{journal}\n\n[[role]]\nid = \"captain\"\n");
    std::fs::write(&path, text).expect("write playbook");
    path
}

/// Writer mode: `count` ACKs, each stamped with the time just before its append;
/// prints the append times (microseconds) on one line.
fn writer(playbook: &Path, count: usize) {
    let pb = liftoff::playbook::load(playbook).expect("playbook");
    let journal = journal::open(&pb.journal_config()).expect("journal");
    // Connected before the first ACK, as a running cockpit or laptop is.
    journal.read_all().expect("warm-up read");
    let actor = Actor::here(Some("bench")).with_role(Some("captain"));
    let mut appends = Vec::with_capacity(count);
    for _ in 0..count {
        let sent = now_us();
        let event = Event::Ack(Ack {
            role: "captain".into(),
            comment: Some(sent.to_string()),
            stage: None,
        });
        let t = Instant::now();
        journal
            .append(NewEvent::new(&actor, &event))
            .expect("append");
        appends.push(t.elapsed().as_micros().to_string());
        std::thread::sleep(GAP);
    }
    println!("{}", appends.join(" "));
}

struct Measured {
    seen: Vec<Duration>,
    appends: Vec<Duration>,
}

fn measure(rt: &tokio::runtime::Runtime, playbook: &Path, n: usize) -> Measured {
    let pb = liftoff::playbook::load(playbook).expect("playbook");
    let journal = journal::open(&pb.journal_config()).expect("journal");
    let from = journal.read_all().expect("read").cursor;
    rt.block_on(async {
        let mut rx = journal.follow(from).expect("follow");
        let child = Command::new(std::env::current_exe().expect("this binary"))
            .env(WRITER, playbook)
            .env(COUNT, n.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the writer");
        let mut seen = Vec::with_capacity(n);
        while seen.len() < n {
            let got = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await;
            let arrived = now_us();
            match got {
                Ok(Some(Followed::Event(e))) => {
                    let sent: u128 = e.payload["comment"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .expect("stamped ACK");
                    seen.push(Duration::from_micros(arrived.saturating_sub(sent) as u64));
                }
                Ok(Some(Followed::Warning(w))) => panic!("follower warned: {w}"),
                Ok(None) => panic!("the follower stopped"),
                Err(_) => panic!("no event within 30s after {} of {n}", seen.len()),
            }
        }
        let out = child.wait_with_output().expect("writer output");
        assert!(out.status.success(), "the writer failed");
        let appends = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|us| us.parse().ok())
            .map(Duration::from_micros)
            .collect();
        Measured { seen, appends }
    })
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut m: Measured) {
    m.seen.sort();
    m.appends.sort();
    let ms = |d: Duration| format!("{:.2}ms", d.as_secs_f64() * 1000.0);
    println!(
        "{name:<6} {:>10} {:>10} {:>10} | {:>12} {:>12}",
        ms(pct(&m.seen, 0.5)),
        ms(pct(&m.seen, 0.99)),
        ms(pct(&m.seen, 1.0)),
        ms(pct(&m.appends, 0.5)),
        ms(pct(&m.appends, 0.99)),
    );
}

/// A one-member etcd on free loopback ports, killed on drop.
struct Etcd {
    child: Child,
    endpoint: String,
}

impl Etcd {
    fn start(dir: &Path) -> Option<Etcd> {
        let etcdctl = Command::new("etcdctl")
            .arg("version")
            .stdout(Stdio::null())
            .status();
        if !etcdctl.is_ok_and(|s| s.success()) {
            return None;
        }
        let port = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port")
        };
        let (client, peer) = (port(), port());
        let url = |p: u16| format!("http://127.0.0.1:{p}");
        let log = std::fs::File::create(dir.join("etcd.log")).ok()?;
        let child = Command::new("etcd")
            .arg("--name=bench")
            .arg(format!("--data-dir={}", dir.join("etcd-data").display()))
            .arg(format!("--listen-client-urls={}", url(client)))
            .arg(format!("--advertise-client-urls={}", url(client)))
            .arg(format!("--listen-peer-urls={}", url(peer)))
            .arg(format!("--initial-advertise-peer-urls={}", url(peer)))
            .arg(format!("--initial-cluster=bench={}", url(peer)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .ok()?;
        let etcd = Etcd {
            child,
            endpoint: format!("127.0.0.1:{client}"),
        };
        // Ready when a real client call answers (awaited, not slept for).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let healthy = Command::new("etcdctl")
                .env("ETCDCTL_API", "3")
                .arg(format!("--endpoints={}", etcd.endpoint))
                .args(["endpoint", "health"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if healthy {
                return Some(etcd);
            }
            assert!(Instant::now() < deadline, "etcd did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
