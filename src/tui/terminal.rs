//! The terminal, always given back: raw mode, the alternate screen and mouse
//! capture are undone on drop, on panic (a hook chained before color-eyre's),
//! and around Ctrl-Z (restore, stop, and re-enter on `fg`).

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, Stdout};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

/// The thread that holds the terminal: a panic there restores it; a panic in a
/// background task (caught by tokio) must not pull the screen from under the UI.
static OWNER: Mutex<Option<ThreadId>> = Mutex::new(None);

fn set_owner(owner: Option<ThreadId>) {
    if let Ok(mut o) = OWNER.lock() {
        *o = owner;
    }
}

fn is_owner() -> bool {
    OWNER
        .lock()
        .map(|o| *o == Some(std::thread::current().id()))
        .unwrap_or(true)
}

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Owns the terminal while the cockpit runs. Dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enter_modes()?;
        let terminal = match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        set_owner(Some(std::thread::current().id()));
        Ok(TerminalGuard { terminal })
    }

    /// Ctrl-Z: give the terminal back, stop the process as the shell expects,
    /// and on `fg` take the terminal again and repaint everything.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP).map_err(io::Error::other)?;
        // Execution continues here after SIGCONT.
        enter_modes()?;
        self.terminal.clear()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        set_owner(None);
    }
}

fn enter_modes() -> io::Result<()> {
    enable_raw_mode()?;
    if let Err(e) = execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    ) {
        restore();
        return Err(e);
    }
    Ok(())
}

/// Leaves raw mode, the alternate screen and mouse capture. Idempotent, never
/// panics: safe from Drop, the panic hook and signal paths.
pub fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal before the panic report (color-eyre's hook, installed
/// by the CLI) is printed, so the report lands on a sane screen.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if is_owner() {
                restore();
            }
            previous(info);
        }));
    });
}
