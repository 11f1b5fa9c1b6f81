//! The real etcd (Debian's `etcd-server`), one member or a cluster of three on
//! loopback ports, each member's data in the test's temp folder so it can be
//! stopped and started again as the same member. Ready means `etcdctl
//! endpoint health` says so (awaited, never slept for).

use super::net::{free_port, wait_for};
use super::process::{binary, Daemon};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const INSTALL: &str = "apt-get install -y etcd-server etcd-client";

pub struct Member {
    pub name: String,
    pub client_port: u16,
    peer_port: u16,
    data: PathBuf,
    /// The whole cluster's `--initial-cluster`.
    cluster: String,
    token: String,
    /// Serve clients over TLS with this certificate and key (PEM).
    tls: Option<(PathBuf, PathBuf)>,
    daemon: Option<Daemon>,
}

pub struct Etcd {
    pub members: Vec<Member>,
    /// What etcdctl needs besides the endpoints (e.g. `--cacert`, `--user`).
    pub ctl: Vec<String>,
    /// Holds every member's data folder.
    _dir: tempfile::TempDir,
}

/// A CA and a server certificate for 127.0.0.1, made with the openssl CLI.
pub struct Certs {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Certs {
    pub fn generate(dir: &Path) -> Certs {
        let openssl = binary(&["openssl"]);
        let run = |args: &[&str]| {
            let out = Command::new(&openssl)
                .args(args)
                .current_dir(dir)
                .output()
                .expect("run openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=liftoff test CA",
        ]);
        run(&ca);
        let mut csr = vec!["req"];
        csr.extend(ec);
        csr.extend([
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        run(&csr);
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write extensions");
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ]);
        Certs {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
        }
    }
}

impl Member {
    fn start(&mut self) {
        let bin = binary(&["etcd"]);
        let url = |port: u16| format!("http://127.0.0.1:{port}");
        let client = match &self.tls {
            Some(_) => format!("https://127.0.0.1:{}", self.client_port),
            None => url(self.client_port),
        };
        let mut args = vec![
            format!("--name={}", self.name),
            format!("--data-dir={}", self.data.display()),
            format!("--listen-client-urls={client}"),
            format!("--advertise-client-urls={client}"),
            format!("--listen-peer-urls={}", url(self.peer_port)),
            format!("--initial-advertise-peer-urls={}", url(self.peer_port)),
            format!("--initial-cluster={}", self.cluster),
            format!("--initial-cluster-token={}", self.token),
            "--initial-cluster-state=new".into(),
            // Quick elections: a killed leader is replaced within a second.
            "--heartbeat-interval=50".into(),
            "--election-timeout=500".into(),
        ];
        if let Some((cert, key)) = &self.tls {
            args.push(format!("--cert-file={}", cert.display()));
            args.push(format!("--key-file={}", key.display()));
        }
        let logs = tempfile::tempdir().expect("temp dir");
        self.daemon = Some(Daemon::spawn(&self.name, bin, args, logs, self.client_port));
    }

    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.client_port)
    }

    /// SIGKILL: the member dies as a crashed host would.
    pub fn kill(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            d.stop();
        }
    }

    pub fn running(&mut self) -> bool {
        self.daemon.as_mut().is_some_and(|d| !d.exited())
    }

    fn log_tail(&self) -> String {
        self.daemon
            .as_ref()
            .map(|d| d.log_tail())
            .unwrap_or_default()
    }
}

impl Etcd {
    /// One member, ready.
    pub async fn single() -> Etcd {
        Etcd::cluster(1).await
    }

    /// `n` members on loopback, every one ready (retried on other ports if a
    /// port was taken meanwhile).
    pub async fn cluster(n: usize) -> Etcd {
        Etcd::launch(n, None).await
    }

    /// One member serving clients over TLS.
    pub async fn single_tls(certs: &Certs) -> Etcd {
        Etcd::launch(1, Some(certs)).await
    }

    async fn launch(n: usize, certs: Option<&Certs>) -> Etcd {
        let _ = binary(&["etcdctl"]);
        let mut last = String::new();
        for attempt in 0..3 {
            let mut etcd = Etcd::layout(n, attempt);
            if let Some(c) = certs {
                etcd.ctl.push(format!("--cacert={}", c.ca.display()));
                for m in &mut etcd.members {
                    m.tls = Some((c.cert.clone(), c.key.clone()));
                }
            }
            for m in &mut etcd.members {
                m.start();
            }
            match etcd.wait_ready(Duration::from_secs(30)).await {
                Ok(()) => return etcd,
                Err(e) => last = e,
            }
        }
        panic!("could not start etcd ({INSTALL}): {last}")
    }

    fn layout(n: usize, attempt: usize) -> Etcd {
        let dir = tempfile::tempdir().expect("temp dir");
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let cluster = ports
            .iter()
            .enumerate()
            .map(|(i, (_, peer))| format!("m{i}=http://127.0.0.1:{peer}"))
            .collect::<Vec<_>>()
            .join(",");
        let members = ports
            .iter()
            .enumerate()
            .map(|(i, (client, peer))| Member {
                name: format!("m{i}"),
                client_port: *client,
                peer_port: *peer,
                data: dir.path().join(format!("m{i}")),
                cluster: cluster.clone(),
                token: format!("liftoff-test-{}-{attempt}", std::process::id()),
                tls: None,
                daemon: None,
            })
            .collect();
        Etcd {
            members,
            ctl: Vec::new(),
            _dir: dir,
        }
    }

    /// `host:port,host:port,...` of every member.
    pub fn endpoints(&self) -> String {
        self.members
            .iter()
            .map(Member::endpoint)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Kills member `i` (the others keep the quorum in a cluster of three).
    pub fn kill(&mut self, i: usize) {
        self.members[i].kill();
    }

    /// Starts member `i` again on its ports and data, and awaits it.
    pub async fn restart(&mut self, i: usize) {
        self.members[i].start();
        let ep = self.members[i].endpoint();
        let name = self.members[i].name.clone();
        if let Err(e) = wait_healthy(&ep, &self.ctl, Duration::from_secs(30)).await {
            panic!(
                "{name} did not come back: {e}\n{}",
                self.members[i].log_tail()
            );
        }
    }

    /// Whether every running member says it is healthy (has a leader, commits).
    async fn wait_ready(&mut self, within: Duration) -> Result<(), String> {
        for m in &mut self.members {
            if !m.running() {
                return Err(format!("{} exited:\n{}", m.name, m.log_tail()));
            }
        }
        let deadline = std::time::Instant::now() + within;
        for m in &self.members {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            wait_healthy(&m.endpoint(), &self.ctl, left)
                .await
                .map_err(|e| format!("{e}\n{}", m.log_tail()))?;
        }
        Ok(())
    }

    /// etcdctl against every member, with `ctl`'s options.
    pub fn etcdctl(&self, args: &[&str]) -> std::process::Output {
        etcdctl(&self.endpoints(), &self.ctl, args)
    }

    /// `etcdctl get --prefix KEY --print-value-only` (one line a value), as bytes.
    pub fn get_prefix_values(&self, prefix: &str) -> Vec<u8> {
        let out = self.etcdctl(&["get", "--prefix", prefix, "--print-value-only"]);
        assert!(
            out.status.success(),
            "etcdctl get failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Compacts the store's history up to `revision` (older revisions can no longer be watched from).
    pub fn compact(&self, revision: i64) {
        let out = self.etcdctl(&["compact", &revision.to_string()]);
        assert!(
            out.status.success(),
            "etcdctl compact failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The id of the member that leads, as `etcdctl endpoint status` sees it.
    pub fn leader_index(&self) -> Option<usize> {
        let out = self.etcdctl(&["endpoint", "status", "-w", "json"]);
        let statuses: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        statuses.as_array()?.iter().find_map(|s| {
            let me = s["Status"]["header"]["member_id"].as_u64()?;
            let leader = s["Status"]["leader"].as_u64()?;
            let ep = s["Endpoint"].as_str()?;
            (me == leader)
                .then(|| self.members.iter().position(|m| m.endpoint() == ep))
                .flatten()
        })
    }
}

fn etcdctl(endpoints: &str, ctl: &[String], args: &[&str]) -> std::process::Output {
    Command::new(binary(&["etcdctl"]))
        .env("ETCDCTL_API", "3")
        .arg(format!("--endpoints={endpoints}"))
        .arg("--command-timeout=2s")
        .args(ctl)
        .args(args)
        .output()
        .expect("run etcdctl")
}

/// Awaits `etcdctl endpoint health` on one endpoint.
async fn wait_healthy(endpoint: &str, ctl: &[String], within: Duration) -> Result<(), String> {
    let ep = endpoint.to_string();
    let ctl = ctl.to_vec();
    let probe = move || {
        let (ep, ctl) = (ep.clone(), ctl.clone());
        async move {
            let out =
                tokio::task::spawn_blocking(move || etcdctl(&ep, &ctl, &["endpoint", "health"]))
                    .await
                    .map_err(|e| e.to_string())?;
            if out.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&out.stderr).into_owned())
            }
        }
    };
    // wait_for panics at its deadline; keep the error for the caller's message.
    let what = format!("etcd at {endpoint} healthy");
    let task = tokio::spawn(async move { wait_for(within, &what, probe).await });
    task.await.map_err(|e| e.to_string())
}
