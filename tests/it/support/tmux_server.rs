//! A private tmux server (its own socket, `tmux -L NAME`) with one session:
//! started, driven and read through its socket, killed on drop together with
//! the socket file tmux leaves behind. The one tmux driver: the `it` tests'
//! `support::tmux::Pane` and the benches' `cockpit_pane::Pane` (through
//! `#[path]`) are built on it.

use std::path::PathBuf;
use std::process::Command;

/// A private tmux server; killed on drop.
pub struct TmuxServer {
    socket: String,
    /// The server's socket file, removed on drop (tmux leaves it behind).
    socket_path: Option<PathBuf>,
}

impl TmuxServer {
    /// Starts server `socket` with one `width`x`height` session running
    /// `script` (sh); None when tmux did not start.
    pub fn start(socket: String, size: (u16, u16), script: &str) -> Option<TmuxServer> {
        let (w, h) = (size.0.to_string(), size.1.to_string());
        if !tmux(&socket, &["new-session", "-d", "-x", &w, "-y", &h, script]) {
            return None;
        }
        let socket_path = Command::new("tmux")
            .args(["-L", &socket, "display-message", "-p", "#{socket_path}"])
            .output()
            .ok()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .filter(|p| p.is_absolute());
        Some(TmuxServer {
            socket,
            socket_path,
        })
    }

    /// `tmux -L SOCKET ARGS...`: true when it succeeded.
    pub fn run(&self, args: &[&str]) -> bool {
        tmux(&self.socket, args)
    }

    /// What `tmux -L SOCKET ARGS...` printed; None when it could not run.
    pub fn output(&self, args: &[&str]) -> Option<String> {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn tmux(socket: &str, args: &[&str]) -> bool {
    Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Single-quotes `s` for sh.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
