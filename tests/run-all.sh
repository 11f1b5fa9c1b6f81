#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need
# (real Prometheus with promtool, real Alertmanager, PostgreSQL, tmux, make,
# python3, kubectl, etcd with etcdctl, protoc, chromium) and cargo-deny, then
# lints, checks licences/sources, the MSRV and the docs, and runs every test,
# once with the default features and once with all of them.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# kubectl reads the local Kubernetes API server in tests/kubernetes.rs (Debian: kubernetes-client).
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# PostgreSQL's server binaries (initdb, postgres) for the sql source's tests.
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# The journal on etcd: a real etcd server and etcdctl for its tests; the
# etcd-client crate compiles etcd's protobufs with protoc at build time, which
# needs the well-known types (google/protobuf/*.proto) from libprotobuf-dev.
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/descriptor.proto ] || need+=(libprotobuf-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)  # certificates for the etcd TLS test
# Headless Chromium renders the html release report (tests/release_walk.rs).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# CI builds once from scratch: incremental caches would only cost disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

# cargo-deny (licences, bans, sources), built from crates.io into the cargo
# bin directory once; the advisory database cannot be fetched from CI.
if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "== installing cargo-deny"
  cargo install --locked --no-default-features cargo-deny@0.20.2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== MSRV (tests/msrv.py)"
python3 tests/msrv.py
echo "== cargo deny check licenses bans sources"
cargo deny --offline check licenses bans sources
echo "== cargo clippy (default features)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo clippy (all features)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
echo "== cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --all-features --locked
echo "== cargo test (all features)"
cargo test --workspace --all-targets --all-features --locked
# The default build (no etcd) runs the unit and integration tests again; the
# benches' test runs are the same code and are left to the pass above.
echo "== cargo test (default features)"
cargo test --workspace --lib --bins --tests --locked
