#!/usr/bin/env python3
"""The MSRV check CI can make offline, with the one toolchain it has.

No other Rust toolchain can be fetched here, so the declared
`rust-version` is held two ways: clippy's `incompatible_msrv` lint (on by
default, denied with the other warnings) flags standard-library APIs newer
than it in our code, and this script fails when any crate a workspace
member can pull in (all features, dev-dependencies included) declares a
newer `rust-version` than that member does.
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
    nodes = {node["id"]: node for node in meta["resolve"]["nodes"]}
    packages = {p["id"]: p for p in meta["packages"]}
    members = meta["workspace_members"]
    failed = False
    for member in members:
        ours = packages[member]
        declared = ours.get("rust_version")
        if not declared:
            sys.exit(f"{ours['name']}'s Cargo.toml declares no rust-version")
        # Everything this member's build can pull in (all kinds of dependency).
        reach, todo = set(), [member]
        while todo:
            for dep in nodes[todo.pop()]["deps"]:
                if dep["pkg"] not in reach:
                    reach.add(dep["pkg"])
                    todo.append(dep["pkg"])
        newer = sorted(
            (p["rust_version"], p["name"], p["version"])
            for p in (packages[i] for i in reach if i != member)
            if p.get("rust_version") and version(p["rust_version"]) > version(declared)
        )
        for rv, name, ver in newer:
            print(f"{ours['name']}: {name} {ver} needs Rust {rv}", file=sys.stderr)
        if newer:
            failed = True
            print(
                f"{ours['name']}: rust-version {declared} is older than its dependencies need",
                file=sys.stderr,
            )
        else:
            print(f"{ours['name']}: MSRV {declared}: no dependency needs a newer Rust")
    if failed:
        sys.exit("a workspace member's rust-version is older than its dependencies need")

if __name__ == "__main__":
    main()
