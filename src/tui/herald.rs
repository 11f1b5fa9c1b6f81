//! The terminal's title and bell, so a window that is not in front still
//! says what is going on: the title always names the verdict (and an alarm
//! or the kill switch's state), and the bell rings once as an ALARM, a HALT or
//! a failed kill switch begins, so tmux (and most terminals) flag the window.
//! `--no-bell` keeps the title and silences the bell. Written through the
//! cockpit's own terminal writer, after a frame is drawn.

use super::app::App;
use super::panels::alarm_band;
use std::io::Write;

/// What was last said, so each change is said once.
#[derive(Debug, Clone, Default)]
pub struct Herald {
    /// Ring the bell (off with `--no-bell`).
    pub bell: bool,
    title: Option<String>,
    band: Option<&'static str>,
}

/// What to write to the terminal now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub title: Option<String>,
    pub bell: bool,
}

impl Herald {
    pub fn new(bell: bool) -> Herald {
        Herald {
            bell,
            ..Default::default()
        }
    }

    /// What changed since the last call, if anything.
    pub fn due(&mut self, app: &App) -> Option<Announcement> {
        let band = alarm_band::word(app);
        let title = title(app, band);
        let new_title = (self.title.as_ref() != Some(&title)).then(|| title.clone());
        // The bell rings as a band that calls for people begins (not for
        // FIRING: the kill switch's verdict follows within seconds).
        let rings = |b: Option<&str>| matches!(b, Some("ALARM" | "HALTED" | "KILL FAILED"));
        let bell = self.bell && rings(band) && band != self.band;
        self.title = Some(title);
        self.band = band;
        (new_title.is_some() || bell).then_some(Announcement {
            title: new_title,
            bell,
        })
    }
}

/// "ALARM · NO-GO · rl-policy v42 live ramp · liftoff".
pub fn title(app: &App, band: Option<&str>) -> String {
    let verdict = app.gate.decision.word();
    let name = &app.pb.playbook.release.name;
    match band {
        Some(b) => format!("{b} · {verdict} · {name} · liftoff"),
        None => format!("{verdict} · {name} · liftoff"),
    }
}

/// Writes `a` as OSC 0 (window and icon title) and BEL.
pub fn write(w: &mut impl Write, a: &Announcement) -> std::io::Result<()> {
    if let Some(title) = &a.title {
        crossterm::execute!(w, crossterm::terminal::SetTitle(title))?;
    }
    if a.bell {
        w.write_all(b"\x07")?;
    }
    w.flush()
}

/// The hook the run loop calls after each frame.
pub fn announce(w: &mut impl Write, app: &mut App) -> std::io::Result<()> {
    let mut herald = std::mem::take(&mut app.herald);
    let due = herald.due(app);
    app.herald = herald;
    match due {
        Some(a) => write(w, &a),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        let pb =
            crate::playbook::load(std::path::Path::new("tests/fixtures/cockpit.toml")).unwrap();
        let theme = crate::tui::theme::Theme::load("dark").unwrap();
        let layout = crate::tui::layout::Layout::load("commander").unwrap();
        let now = "2026-11-21T12:00:00Z".parse().unwrap();
        App::new(pb, theme, layout, now)
    }

    #[test]
    fn the_bell_rings_once_as_an_alarm_begins_and_the_title_says_it() {
        let mut app = app();
        let mut h = Herald::new(true);
        let first = h.due(&app).unwrap();
        assert_eq!(
            first.title.as_deref(),
            Some("NO-GO · rl-policy v42 live ramp · liftoff")
        );
        assert!(!first.bell);
        assert_eq!(h.due(&app), None, "nothing changed");
        app.release.alarm = Some("guard entropy-floor tripped".into());
        let alarm = h.due(&app).unwrap();
        assert!(alarm.bell);
        assert!(alarm.title.unwrap().starts_with("ALARM · NO-GO"));
        assert_eq!(h.due(&app), None, "rung once");
        let mut quiet = Herald::new(false);
        assert!(!quiet.due(&app).unwrap().bell, "--no-bell");
        let mut out = Vec::new();
        write(
            &mut out,
            &Announcement {
                title: Some("x".into()),
                bell: true,
            },
        )
        .unwrap();
        assert_eq!(out, b"\x1b]0;x\x07\x07");
    }
}
