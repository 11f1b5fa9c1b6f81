#!/usr/bin/env python3
"""The MSRV check CI can make offline, with the one toolchain it has.

No other Rust toolchain can be fetched here, so the declared
`rust-version` is held two ways: clippy's `incompatible_msrv` lint (on by
default, denied with the other warnings) flags standard-library APIs newer
than it in our code, and this script fails when any crate in the resolved
graph (all features, dev-dependencies included) declares a newer
`rust-version` than ours.
"""
import json
import subprocess
import sys


def version(v):
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    meta = json.loads(
        subprocess.check_output(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"]
        )
    )
    resolved = {node["id"] for node in meta["resolve"]["nodes"]}
    ours = next(p for p in meta["packages"] if p["id"] == meta["resolve"]["root"])
    declared = ours.get("rust_version")
    if not declared:
        sys.exit("Cargo.toml declares no rust-version")
    newer = sorted(
        (p["rust_version"], p["name"], p["version"])
        for p in meta["packages"]
        if p["id"] in resolved
        and p["id"] != ours["id"]
        and p.get("rust_version")
        and version(p["rust_version"]) > version(declared)
    )
    if newer:
        for rv, name, ver in newer:
            print(f"{name} {ver} needs Rust {rv}", file=sys.stderr)
        sys.exit(f"rust-version {declared} in Cargo.toml is older than the dependencies need")
    print(f"MSRV {declared}: no dependency needs a newer Rust")


if __name__ == "__main__":
    main()
