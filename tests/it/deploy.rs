//! `deploy/` holds real files a team applies: each is checked by the tool
//! that would read it, offline.
//!
//! - Kubernetes: each variant is built by kubectl's own kustomize, decoded by
//!   kubectl, then read into the API's typed objects (k8s-openapi): a field
//!   the API does not know, or a value of the wrong type, does not survive
//!   the round trip and fails the test. The pieces must fit each other (the
//!   volume names the ConfigMap and claim that exist, the Service selects
//!   the pod, the probes name the container's port, the RBAC binds the pod's
//!   service account) and the playbook in the ConfigMap must pass
//!   `liftoff validate`.
//! - systemd: `systemd-analyze verify` on the unit (with ExecStart pointing
//!   at the built binary) reports nothing.
//! - The Containerfile's runtime stage runs `liftoff watch`.
//! - The command lines the unit, the image and the pods run are accepted by
//!   the real binary: each starts `liftoff watch`, serves, and stops cleanly
//!   on SIGTERM (the playbook path and port swapped for the test's).

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{
    ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn run(cmd: &mut Command, input: Option<&str>) -> String {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (tests/run-all.sh installs it)"));
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(input.unwrap_or_default().as_bytes())
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The objects `kubectl apply -k DIR` would send, as kubectl decodes them.
fn kustomize(dir: &Path) -> Vec<Value> {
    let yaml = run(Command::new("kubectl").arg("kustomize").arg(dir), None);
    // `label --local` decodes every document offline and prints it as JSON.
    let json = run(
        Command::new("kubectl").args(["label", "--local", "-f", "-", "-o", "json", "x-decoded=1"]),
        Some(&yaml),
    );
    serde_json::Deserializer::from_str(&json)
        .into_iter::<Value>()
        .map(|v| {
            let mut v = v.unwrap();
            let labels = v["metadata"]["labels"].as_object_mut().unwrap();
            labels.remove("x-decoded");
            if labels.is_empty() {
                v["metadata"].as_object_mut().unwrap().remove("labels");
            }
            v
        })
        .collect()
}

/// `v` read as `T` and written back must be `v`: nothing unknown, nothing mistyped.
fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> T {
    let t: T = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{} does not decode: {e}\n{v:#}", v["kind"]));
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(
        &back, v,
        "{} lost or changed fields in the API's types",
        v["kind"]
    );
    t
}

#[derive(Default)]
struct Objects {
    config_maps: Vec<ConfigMap>,
    deployments: Vec<Deployment>,
    services: Vec<Service>,
    claims: Vec<PersistentVolumeClaim>,
    accounts: Vec<ServiceAccount>,
    roles: Vec<Role>,
    bindings: Vec<RoleBinding>,
    namespaces: Vec<Namespace>,
}

fn objects(dir: &Path) -> Objects {
    let mut o = Objects::default();
    for v in kustomize(dir) {
        match v["kind"].as_str().unwrap() {
            "ConfigMap" => o.config_maps.push(typed(&v)),
            "Deployment" => o.deployments.push(typed(&v)),
            "Service" => o.services.push(typed(&v)),
            "PersistentVolumeClaim" => o.claims.push(typed(&v)),
            "ServiceAccount" => o.accounts.push(typed(&v)),
            "Role" => o.roles.push(typed(&v)),
            "RoleBinding" => o.bindings.push(typed(&v)),
            "Namespace" => o.namespaces.push(typed(&v)),
            other => panic!("unexpected kind {other} in {}", dir.display()),
        }
    }
    o
}

fn name<
    T: k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
>(
    t: &T,
) -> &str {
    t.metadata().name.as_deref().unwrap_or_default()
}

/// Checks one variant; returns the pod's args and its playbook text.
fn variant(dir: &str, journal_volume: &str) -> (Vec<String>, String) {
    let o = objects(&deploy().join("kubernetes").join(dir));
    assert_eq!(o.deployments.len(), 1);
    let d = &o.deployments[0];
    let ns = d.metadata.namespace.as_deref().unwrap();
    assert_eq!(name(&o.namespaces[0]), ns);
    let spec = d.spec.as_ref().unwrap();
    assert_eq!(spec.replicas, Some(1));
    let pod = spec.template.spec.as_ref().unwrap();
    let labels = spec
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .as_ref()
        .unwrap();
    assert_eq!(
        spec.selector.match_labels.as_ref().unwrap(),
        labels,
        "the Deployment selects its own pods"
    );

    // The Service reaches the pod's named port.
    let c = &pod.containers[0];
    let port = c.ports.as_ref().unwrap()[0].name.clone().unwrap();
    let svc = o.services[0].spec.as_ref().unwrap();
    let selector = svc.selector.as_ref().expect("the Service's selector");
    assert!(
        selector.iter().all(|(k, v)| labels.get(k) == Some(v)),
        "the Service selects the pod"
    );
    assert_eq!(
        svc.ports.as_ref().unwrap()[0].target_port,
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(port.clone()))
    );
    for (probe, path) in [
        (&c.readiness_probe, "/status"),
        (&c.liveness_probe, "/metrics"),
    ] {
        let get = probe.as_ref().unwrap().http_get.as_ref().unwrap();
        assert_eq!(get.path.as_deref(), Some(path));
        assert_eq!(
            get.port,
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(port.clone())
        );
    }

    // Volumes: the ConfigMap that exists; the journal as the variant says.
    let volumes = pod.volumes.as_ref().unwrap();
    let playbook_cm = volumes
        .iter()
        .find_map(|v| v.config_map.as_ref())
        .expect("the playbook volume");
    let cm = o
        .config_maps
        .iter()
        .find(|m| name(*m) == playbook_cm.name)
        .expect("the ConfigMap the volume names");
    let journal = volumes.iter().find(|v| v.name == "journal").unwrap();
    match journal_volume {
        "claim" => {
            let claim = &journal.persistent_volume_claim.as_ref().unwrap().claim_name;
            assert!(o.claims.iter().any(|c| name(c) == claim), "claim {claim}");
        }
        _ => assert!(journal.empty_dir.is_some()),
    }
    let mounts = c.volume_mounts.as_ref().unwrap();
    assert!(mounts
        .iter()
        .any(|m| m.mount_path == "/etc/liftoff" && m.read_only == Some(true)));
    assert!(mounts
        .iter()
        .any(|m| m.name == "journal" && m.mount_path == "/var/lib/liftoff"));

    // Tokens come from the Secret, through the environment.
    for e in c.env.as_ref().unwrap() {
        let from = e
            .value_from
            .as_ref()
            .and_then(|f| f.secret_key_ref.as_ref());
        assert_eq!(
            from.map(|s| s.name.as_str()),
            Some("liftoff-tokens"),
            "{}",
            e.name
        );
    }
    let example: Secret = {
        let text = std::fs::read_to_string(deploy().join("kubernetes/common/secret.example.yaml"))
            .unwrap();
        let json = run(
            Command::new("kubectl").args(["label", "--local", "-f", "-", "-o", "json", "x=1"]),
            Some(&text),
        );
        serde_json::from_str(&json).unwrap()
    };
    let keys = example.string_data.unwrap();
    for e in c.env.as_ref().unwrap() {
        let key = &e
            .value_from
            .as_ref()
            .unwrap()
            .secret_key_ref
            .as_ref()
            .unwrap()
            .key;
        assert!(keys.contains_key(key), "the example Secret has no {key}");
    }

    // The RBAC binds the pod's service account.
    let sa = pod.service_account_name.as_deref().unwrap();
    assert!(o
        .accounts
        .iter()
        .any(|a| name(a) == sa && a.metadata.namespace.as_deref() == Some(ns)));
    let binding = &o.bindings[0];
    assert_eq!(binding.role_ref.name, name(&o.roles[0]));
    assert_eq!(binding.metadata.namespace, o.roles[0].metadata.namespace);
    let subject = &binding.subjects.as_ref().unwrap()[0];
    assert_eq!(
        (subject.name.as_str(), subject.namespace.as_deref()),
        (sa, Some(ns))
    );

    let args = c.args.clone().unwrap();
    let text = cm.data.as_ref().unwrap()["liftoff.toml"].clone();
    (args, text)
}

fn validate(playbook: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liftoff.toml");
    std::fs::write(&path, playbook).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the deployed playbook is not valid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kubernetes_file_journal_variant_fits_together_and_its_playbook_is_valid() {
    let (args, playbook) = variant("file-journal", "claim");
    assert_eq!(args[0], "/etc/liftoff/liftoff.toml");
    assert!(args.windows(2).any(|w| w[0] == "--listen"));
    assert!(playbook.contains("audit_dir = \"/var/lib/liftoff/audit\""));
    validate(&playbook);
}

#[test]
fn kubernetes_etcd_journal_variant_fits_together_and_its_playbook_is_valid() {
    let (_, playbook) = variant("etcd-journal", "emptyDir");
    assert!(playbook.contains("journal = \"etcd://"));
    validate(&playbook);
}

#[test]
fn the_systemd_unit_verifies() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: systemd-analyze is not installed (apt-get install systemd)");
        return;
    }
    let unit = std::fs::read_to_string(deploy().join("systemd/liftoff-watch.service")).unwrap();
    for needed in [
        "DynamicUser=yes",
        "ReadWritePaths=/var/lib/liftoff",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "ExecStart=/usr/local/bin/liftoff watch ",
    ] {
        assert!(unit.contains(needed), "the unit lacks {needed}");
    }
    // verify checks that ExecStart's program exists: the one just built.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liftoff-watch.service");
    std::fs::write(
        &path,
        unit.replace("/usr/local/bin/liftoff", env!("CARGO_BIN_EXE_liftoff")),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // verify warns (unknown keys, bad values) and still exits 0: any word
    // about our unit is a finding.
    let findings: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("liftoff-watch.service"))
        .collect();
    assert!(
        out.status.success() && findings.is_empty(),
        "systemd-analyze verify:\n{said}"
    );
}

#[test]
fn the_container_image_runs_liftoff_watch_from_a_slim_runtime_with_ca_certificates() {
    let text = std::fs::read_to_string(deploy().join("Containerfile")).unwrap();
    let stages: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages.len(), 2, "multi-stage: build, then runtime");
    assert!(stages[0].contains("rust") && stages[0].ends_with(" AS build"));
    assert!(stages[1].contains("debian") && stages[1].contains("-slim"));
    let runtime = text.split(stages[1]).nth(1).unwrap();
    assert!(runtime.contains("ca-certificates"));
    assert!(runtime.contains("COPY --from=build"));
    assert!(runtime.contains(r#"ENTRYPOINT ["liftoff", "watch"]"#));
    assert!(runtime
        .lines()
        .any(|l| l.starts_with("USER ") && !l.contains("root")));
}

/// Runs `liftoff ARGS` (the deployed command line with the playbook and port
/// swapped for the test's) until it says it serves, then stops it with SIGTERM.
fn starts_and_stops(args: &[String]) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("liftoff.toml");
    std::fs::write(
        &playbook,
        "[release]\nname = \"deployed\"\n\n[source.up]\nkind = \"command\"\nrun = [\"true\"]\n\n[[check]]\nid = \"up\"\nsource = \"up\"\npass = \"exit_code == 0\"\n",
    )
    .unwrap();
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("/etc/liftoff/liftoff.toml", &playbook.display().to_string())
                .replace(":9187", ":0")
        })
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_liftoff"))
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut said = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !said.iter().any(|l: &String| l.contains("serving http://")) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => said.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("liftoff {args:?} never served:\n{}", said.join("\n"));
            }
        }
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "liftoff {args:?} ended with {status}: {}",
        said.join("\n")
    );
}

#[test]
fn the_deployed_command_lines_start_liftoff_watch_and_stop_on_sigterm() {
    // systemd: ExecStart after the program.
    let unit = std::fs::read_to_string(deploy().join("systemd/liftoff-watch.service")).unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart=/usr/local/bin/liftoff "))
        .unwrap();
    starts_and_stops(
        &exec
            .split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>(),
    );

    // The image: ENTRYPOINT then CMD, both JSON arrays.
    let image = std::fs::read_to_string(deploy().join("Containerfile")).unwrap();
    let array = |key: &str| -> Vec<String> {
        let line = image.lines().find_map(|l| l.strip_prefix(key)).unwrap();
        serde_json::from_str(line.trim()).unwrap()
    };
    let entry = array("ENTRYPOINT ");
    assert_eq!(entry[0], "liftoff");
    let mut line: Vec<String> = entry[1..].to_vec();
    line.extend(array("CMD "));
    starts_and_stops(&line);

    // The pods: the image's ENTRYPOINT (`liftoff watch`) with the pod's args.
    for variant in ["file-journal", "etcd-journal"] {
        let o = objects(&deploy().join("kubernetes").join(variant));
        let pod = o.deployments[0]
            .spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .clone()
            .unwrap();
        let mut line = vec!["watch".to_string()];
        line.extend(pod.containers[0].args.clone().unwrap());
        starts_and_stops(&line);
    }
}
