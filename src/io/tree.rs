//! A command's whole process tree, found and ended when the command is over,
//! `setsid` escapees included.
//!
//! liftoff makes itself a child subreaper, so a descendant whose parent exits
//! is re-parented to liftoff (not to init) and can be reaped here. Each
//! command's environment carries a mark (`LIFTOFF_PROCESS_TREE`) that every
//! descendant inherits; the tree is the processes carrying the mark plus
//! everything below them and below the command itself (by parent pid, since
//! a program may clear its environment). The walk over /proc repeats until
//! nothing of the tree is left alive, as killing a parent hands its children
//! to us.

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

/// The environment variable that marks a command's descendants.
pub const MARK_VAR: &str = "LIFTOFF_PROCESS_TREE";

/// How long one sweep may take before it gives up on a process it cannot
/// kill (one in uninterruptible sleep, say).
const SWEEP_BOUND: Duration = Duration::from_secs(2);
/// Between two walks while killed processes finish dying.
const SWEEP_PAUSE: Duration = Duration::from_millis(5);

/// Whether orphans come to this process (else they may be anywhere).
static SUBREAPER: AtomicBool = AtomicBool::new(false);

/// Orphaned descendants come to this process from now on.
pub fn become_subreaper() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Where this fails (not Linux 3.4+), the mark still finds the tree
        // (anywhere on the machine); orphans are then reaped by init.
        let ok = nix::sys::prctl::set_child_subreaper(true).is_ok();
        SUBREAPER.store(ok, Ordering::Relaxed);
    });
}

/// A fresh mark for one command: unique in this process and across processes.
pub fn new_mark() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// One process as /proc shows it.
#[derive(Debug, Clone, Copy)]
struct Proc {
    ppid: i32,
    zombie: bool,
}

/// Kills the tree of the command marked `mark` (rooted at `root`, the
/// command's pid, while it has not been reaped) and reaps what is ours to
/// reap, except `root` itself (its owner reaps it). Blocks: call it off the
/// async workers. Returns the pids it killed.
pub fn sweep(mark: &str, root: Option<u32>) -> Vec<i32> {
    let me = std::process::id() as i32;
    let root = root.map(|r| r as i32);
    let needle = format!("{MARK_VAR}={mark}");
    let started = Instant::now();
    // Killed and not yet reaped: a zombie's environment is empty, so the
    // mark no longer finds it.
    let mut dying: HashSet<i32> = HashSet::new();
    let mut killed = Vec::new();
    loop {
        let table = processes();
        dying.retain(|pid| table.get(pid).is_some_and(|p| p.zombie));
        let mut pending = false;
        for pid in tree_of(&table, &needle, root) {
            let Some(p) = table.get(&pid) else { continue };
            if p.zombie {
                dying.insert(pid);
                continue;
            }
            if kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok() && Some(pid) != root {
                killed.push(pid);
                dying.insert(pid);
            }
            pending = true;
        }
        for &pid in &dying {
            // The root is reaped by its owner (the `Child` handle).
            if Some(pid) == root {
                continue;
            }
            pending = true;
            if table.get(&pid).is_some_and(|p| p.ppid == me) {
                let _ = waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG));
            }
            // Otherwise its parent is in the tree and dies next, which hands
            // it to us.
        }
        if !pending || started.elapsed() > SWEEP_BOUND {
            killed.sort_unstable();
            killed.dedup();
            return killed;
        }
        std::thread::sleep(SWEEP_PAUSE);
    }
}

/// The processes carrying the mark, `root`, and all their descendants.
/// Only this process's own descendants are looked at: as a subreaper, every
/// process a command started stays below it, whoever its parent was.
fn tree_of(table: &HashMap<i32, Proc>, needle: &str, root: Option<i32>) -> HashSet<i32> {
    let me = std::process::id() as i32;
    let ours = if SUBREAPER.load(Ordering::Relaxed) {
        descendants(table, HashSet::from([me]))
    } else {
        table.keys().copied().collect()
    };
    let mut seeds: HashSet<i32> = ours
        .into_iter()
        .filter(|&pid| pid != me && carries(pid, needle))
        .collect();
    if let Some(r) = root {
        if table.contains_key(&r) {
            seeds.insert(r);
        }
    }
    descendants(table, seeds)
}

/// `seeds` and everything below them, by parent pid, to a fixed point.
fn descendants(table: &HashMap<i32, Proc>, mut tree: HashSet<i32>) -> HashSet<i32> {
    loop {
        let before = tree.len();
        for (&pid, p) in table {
            if tree.contains(&p.ppid) {
                tree.insert(pid);
            }
        }
        if tree.len() == before {
            return tree;
        }
    }
}

/// Every process on the machine with its parent and whether it is a zombie.
fn processes() -> HashMap<i32, Proc> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if let Some(p) = stat(pid) {
            out.insert(pid, p);
        }
    }
    out
}

fn stat(pid: i32) -> Option<Proc> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so
    // the fields start after the last ')'.
    let (_, rest) = text.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some(Proc {
        ppid,
        zombie: state == "Z" || state == "X",
    })
}

/// Whether the process's environment holds `needle` (`VAR=value`).
fn carries(pid: i32, needle: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .map(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
        .unwrap_or(false)
}
