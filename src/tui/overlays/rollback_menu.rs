//! `R`: the playbook's rollback targets (`[[rollback]]`, partial rollbacks
//! short of the full kill switch), each with what its readback last proved.
//! Enter asks to confirm; the same machinery as the kill switch fires it.

use super::form::{render_box, Reply};
use crate::release::KillState;
use crate::tui::app::{App, Confirm};
use crate::tui::style;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollbackMenu {
    pub selected: usize,
}

impl RollbackMenu {
    pub fn key(&mut self, key: &KeyEvent, targets: usize) -> Reply {
        match key.code {
            KeyCode::Esc | KeyCode::Char('n') => Reply::Cancel,
            KeyCode::Enter => Reply::Submit,
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                Reply::Consumed
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(targets.saturating_sub(1));
                Reply::Consumed
            }
            // `K` (the full kill switch) and the rest: the keymap decides.
            _ => Reply::Unhandled,
        }
    }

    pub fn submit(&self, app: &App) -> Result<Confirm, String> {
        if self.selected < app.pb.playbook.rollbacks.len() {
            Ok(Confirm::Rollback(self.selected))
        } else {
            Err("the playbook has no rollback targets".into())
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App) {
        let t = &app.theme;
        let mut lines = vec![Line::styled(
            "Partial rollbacks; the full kill switch is K K.",
            style::muted(t),
        )];
        lines.push(Line::raw(""));
        for (i, r) in app.pb.playbook.rollbacks.iter().enumerate() {
            let picked = i == self.selected;
            let state = match app.release.rollbacks.get(&r.id) {
                None | Some(KillState::Ready) => String::new(),
                Some(KillState::Firing { .. }) => " · FIRING".into(),
                Some(KillState::Halted { at, .. }) => {
                    format!(" · verified at {}", style::clock(*at))
                }
                Some(KillState::Failed { at, .. }) => {
                    format!(" · FAILED at {}", style::clock(*at))
                }
            };
            let name = match &r.title {
                Some(title) => format!("{title} ({})", r.id),
                None => r.id.clone(),
            };
            let st = if picked {
                style::selected(t)
            } else {
                style::text(t)
            };
            lines.push(Line::from(vec![
                Span::raw(if picked { style::MARK } else { style::NO_MARK }),
                Span::styled(name, st),
                Span::styled(
                    format!(
                        "  {} action{}{state}",
                        r.actions.len(),
                        if r.actions.len() == 1 { "" } else { "s" }
                    ),
                    style::muted(t),
                ),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "↑↓ picks · Enter fires (asks first) · Esc closes",
            style::bold(style::accent(t)),
        ));
        render_box(
            f,
            area,
            app,
            "Rollback targets",
            style::bold(style::fg(t, t.kill)),
            lines,
            72,
        );
    }
}
