//! `/`: search the on-call runbook: the playbook's `[[runbook]]` entries
//! (symptom -> action) and every check's `runbook` line. Every word typed
//! must appear; Enter on an entry that names a check opens its evidence.

use super::form::{render_box, Reply, TextField};
use crate::tui::app::App;
use crate::tui::panels::fit;
use crate::tui::style;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Hits listed at once.
const SHOWN: usize = 12;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchDialog {
    pub query: TextField,
    pub selected: usize,
}

/// One runbook line that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub text: String,
    /// The check it is about (index into the playbook's checks), if any.
    pub check: Option<usize>,
}

/// Every runbook line matching all the words of `query` (case-insensitive).
pub fn hits(app: &App, query: &str) -> Vec<Hit> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let matches = |hay: &str| {
        let hay = hay.to_lowercase();
        words.iter().all(|w| hay.contains(w))
    };
    let check_index = |id: &str| app.pb.checks.iter().position(|c| c.spec.id == id);
    let entries = app.pb.playbook.runbook.iter().map(|r| {
        let hay = format!("{} {} {}", r.symptom, r.action, r.checks.join(" "));
        let hit = Hit {
            text: format!("{} → {}", r.symptom, r.action),
            check: r.checks.iter().find_map(|c| check_index(c)),
        };
        (hay, hit)
    });
    let lines = app.pb.checks.iter().enumerate().filter_map(|(i, c)| {
        let runbook = c.spec.runbook.as_ref()?;
        let hay = format!("{} {} {runbook}", c.spec.id, c.spec.title());
        let hit = Hit {
            text: format!("{}: {runbook}", c.spec.title()),
            check: Some(i),
        };
        Some((hay, hit))
    });
    entries
        .chain(lines)
        .filter(|(hay, _)| matches(hay))
        .map(|(_, hit)| hit)
        .collect()
}

impl SearchDialog {
    pub fn key(&mut self, key: &KeyEvent, hits: usize) -> Reply {
        match key.code {
            KeyCode::Esc => Reply::Cancel,
            KeyCode::Enter => Reply::Submit,
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Reply::Consumed
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(hits.saturating_sub(1));
                Reply::Consumed
            }
            _ => {
                if self.query.edit(key) {
                    self.selected = 0;
                }
                Reply::Consumed
            }
        }
    }

    /// The check to open, from the selected hit.
    pub fn submit(&self, app: &App) -> Result<usize, String> {
        let hits = hits(app, self.query.value());
        let hit = hits.get(self.selected).ok_or("nothing matches")?;
        hit.check
            .ok_or_else(|| "this entry names no check of the playbook".to_string())
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App) {
        let t = &app.theme;
        let hits = hits(app, self.query.value());
        let width = 84usize.min(area.width.saturating_sub(6) as usize);
        let mut lines = vec![super::form::field_line(t, "/", 1, &self.query, true)];
        lines.push(Line::raw(""));
        if hits.is_empty() {
            let what = if app.pb.playbook.runbook.is_empty()
                && app.pb.checks.iter().all(|c| c.spec.runbook.is_none())
            {
                "this playbook has no runbook entries"
            } else {
                "nothing matches"
            };
            lines.push(Line::styled(what, style::muted(t)));
        }
        let first = self.selected.saturating_sub(SHOWN - 1);
        for (i, hit) in hits.iter().enumerate().skip(first).take(SHOWN) {
            let picked = i == self.selected;
            let status = hit
                .check
                .and_then(|c| app.verdicts.get(c))
                .map(|v| v.status);
            let symbol = status.map_or("·".to_string(), |s| s.symbol().to_string());
            let st = if picked {
                style::selected(t)
            } else {
                style::text(t)
            };
            lines.push(Line::from(vec![
                Span::raw(if picked { style::MARK } else { style::NO_MARK }),
                Span::styled(
                    format!("{symbol} "),
                    status.map_or(style::muted(t), |s| style::status(t, s)),
                ),
                Span::styled(fit(&hit.text, width.saturating_sub(6)), st),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "{} found · ↑↓ picks · Enter opens the check · Esc closes",
                hits.len()
            ),
            style::bold(style::accent(t)),
        ));
        render_box(
            f,
            area,
            app,
            "Runbook search",
            style::accent(t),
            lines,
            width as u16 + 2,
        );
    }
}
