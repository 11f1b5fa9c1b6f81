//! The bottom-line prompts, as k9s and lazygit users expect them:
//! `/` filters the focused list live (`:failing` keeps only what does not
//! pass), `:` is the command palette with Tab completion (stage, decide,
//! theme, layout, filter, zoom, search, help, quit). Esc cancels (and clears
//! the filter being typed); Enter keeps it or runs the command. `K` stays the
//! kill key while typing.

use super::{App, Confirm};
use crate::ramp;
use crate::tui::keymap::{self, Action};
use crate::tui::layout::{Layout, PanelKind};
use crate::tui::overlays::form::{pressed, TextField};
use crate::tui::theme::Theme;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};

/// What a prompt is typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: the filter of this panel's list.
    Filter(PanelKind),
    /// `:`: a command.
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub field: TextField,
}

/// The filter word for "only what does not pass".
pub const FAILING: &str = ":failing";

/// The palette's commands, with what each takes (shown as completion).
pub const COMMANDS: &[(&str, &str)] = &[
    ("stage", "next | back"),
    ("decide", "record the Go/No-Go decision"),
    ("theme", "NAME"),
    ("layout", "NAME | auto"),
    ("filter", "TEXT | :failing (the focused list; empty clears)"),
    ("zoom", "the focused panel (again: back)"),
    ("search", "the runbook"),
    ("help", "the keys"),
    ("quit", "as q"),
];

/// Lists a filter can apply to.
pub fn filterable(kind: PanelKind) -> bool {
    matches!(kind, PanelKind::Checklist | PanelKind::Alerts)
}

impl App {
    /// `/` on the focused list, `:` anywhere.
    pub(crate) fn open_prompt(&mut self, kind: PromptKind) {
        let start = match kind {
            PromptKind::Filter(panel) => self.filters.get(&panel).cloned().unwrap_or_default(),
            PromptKind::Command => String::new(),
        };
        self.prompt = Some(Prompt {
            kind,
            field: TextField::new(&start),
        });
    }

    /// `/`: the focused list's filter (or why there is none).
    pub(crate) fn open_filter(&mut self, now: DateTime<Utc>) {
        if filterable(self.focus) {
            self.open_prompt(PromptKind::Filter(self.focus));
        } else {
            self.say(
                "/ filters the checklist or the alerts: focus one (Tab); : search finds runbook entries",
                true,
                now,
            );
        }
    }

    /// Takes `key` while a prompt is open (false: the keymap decides).
    pub(crate) fn prompt_key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> bool {
        let Some(mut prompt) = self.prompt.take() else {
            return false;
        };
        if !pressed(&key) || keymap::action_for(&key) == Some(Action::Kill) {
            self.prompt = Some(prompt);
            return false;
        }
        self.mark_dirty();
        match (key.code, prompt.kind) {
            (KeyCode::Esc, PromptKind::Filter(panel)) => {
                self.filters.remove(&panel);
                self.fix_selection();
            }
            (KeyCode::Esc, PromptKind::Command) => {}
            (KeyCode::Enter, PromptKind::Filter(_)) => {}
            (KeyCode::Enter, PromptKind::Command) => self.run_command(prompt.field.value(), now),
            (KeyCode::Tab, PromptKind::Command) => {
                prompt.field = TextField::new(&complete(prompt.field.value()));
                self.prompt = Some(prompt);
            }
            (_, kind) => {
                prompt.field.edit(&key);
                if let PromptKind::Filter(panel) = kind {
                    self.set_filter(panel, prompt.field.value());
                }
                self.prompt = Some(prompt);
            }
        }
        true
    }

    fn set_filter(&mut self, panel: PanelKind, text: &str) {
        if text.trim().is_empty() {
            self.filters.remove(&panel);
        } else {
            self.filters.insert(panel, text.trim().to_string());
        }
        // Keep the selection on a row the filter shows.
        let visible = self.visible(panel);
        if !visible.is_empty() && !visible.contains(&self.row(panel)) {
            self.selected.insert(panel, visible[0]);
        }
    }

    /// The rows of `panel` its filter shows, in order (every row without one).
    pub fn visible(&self, panel: PanelKind) -> Vec<usize> {
        let n = self.row_count(panel);
        let Some(filter) = self.filters.get(&panel) else {
            return (0..n).collect();
        };
        let needle = filter.to_lowercase();
        (0..n)
            .filter(|i| self.row_matches(panel, *i, &needle))
            .collect()
    }

    fn row_matches(&self, panel: PanelKind, i: usize, needle: &str) -> bool {
        match panel {
            PanelKind::Checklist => {
                let Some(c) = self.pb.checks.get(i) else {
                    return false;
                };
                if needle == FAILING {
                    return self
                        .verdicts
                        .get(i)
                        .is_none_or(|v| v.status != crate::engine::Status::Pass);
                }
                [c.spec.id.as_str(), c.spec.title(), c.spec.section()]
                    .iter()
                    .any(|s| s.to_lowercase().contains(needle))
            }
            PanelKind::Alerts => {
                if needle == FAILING {
                    return true;
                }
                self.alerts().get(i).is_some_and(|a| {
                    a.labels
                        .values()
                        .chain(a.annotations.values())
                        .any(|v| v.to_lowercase().contains(needle))
                })
            }
            _ => true,
        }
    }

    fn run_command(&mut self, line: &str, now: DateTime<Utc>) {
        let mut words = line.split_whitespace();
        let (Some(cmd), rest) = (words.next(), words.collect::<Vec<_>>().join(" ")) else {
            return;
        };
        match (cmd, rest.as_str()) {
            ("stage", "next" | "") => self.dispatch(Action::RampNext, now),
            ("stage", "back") => match ramp::can_step_back(&self.pb.playbook, &self.release) {
                Ok(i) => self.ask(Confirm::StepBack(i)),
                Err(refusal) => self.say(refusal.to_string(), true, now),
            },
            ("decide", _) => self.dispatch(Action::Decide, now),
            ("theme", name) => match Theme::load(name) {
                Ok(mut theme) => {
                    theme.no_color |= self.theme.no_color;
                    self.theme = theme;
                }
                Err(e) => self.say(e.to_string(), true, now),
            },
            ("layout", "auto") => {
                self.layout_auto = true;
                self.resized(self.size.0, self.size.1);
            }
            ("layout", name) => match Layout::load(name) {
                Ok(layout) => {
                    self.layout = layout;
                    self.layout_auto = false;
                    self.fix_selection();
                }
                Err(e) => self.say(e.to_string(), true, now),
            },
            ("filter", text) if filterable(self.focus) => self.set_filter(self.focus, text),
            ("filter", _) => self.say("filter: focus the checklist or the alerts", true, now),
            ("zoom", _) => self.toggle_zoom(),
            ("search", _) => self.open_search(),
            ("help", _) => self.dispatch(Action::Help, now),
            ("quit", _) => self.dispatch(Action::Quit, now),
            (other, _) => self.say(
                format!(
                    "no command `{other}`: {}",
                    COMMANDS.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
                ),
                true,
                now,
            ),
        }
    }
}

/// Tab: the command (or its argument) completed as far as it is unique.
pub fn complete(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (done, part): (Vec<&str>, &str) = if line.ends_with(' ') || words.is_empty() {
        (words.clone(), "")
    } else {
        (words[..words.len() - 1].to_vec(), words[words.len() - 1])
    };
    let choices: Vec<String> = match done.as_slice() {
        [] => COMMANDS.iter().map(|c| c.0.to_string()).collect(),
        ["stage"] => vec!["next".into(), "back".into()],
        ["theme"] => Theme::builtin_names()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ["layout"] => Layout::builtin_names()
            .iter()
            .map(|s| s.to_string())
            .chain(["auto".to_string()])
            .collect(),
        ["filter"] => vec![FAILING.into()],
        _ => Vec::new(),
    };
    let hits: Vec<&String> = choices.iter().filter(|c| c.starts_with(part)).collect();
    let completed = match hits.as_slice() {
        [] => return line.to_string(),
        [one] => format!("{one} "),
        many => common_prefix(many),
    };
    let mut out: Vec<String> = done.iter().map(|s| s.to_string()).collect();
    out.push(completed);
    out.join(" ")
}

fn common_prefix(words: &[&String]) -> String {
    let first = words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .take_while(|((_, a), b)| a == b)
                .count(),
        );
    }
    first.chars().take(end).collect()
}

/// What the palette offers for `line`: the commands (or arguments) it may
/// become, for the line above the prompt.
pub fn offers(line: &str) -> String {
    let first = line.split_whitespace().next().unwrap_or("");
    if line.contains(' ') {
        if let Some((_, args)) = COMMANDS.iter().find(|c| c.0 == first) {
            return format!("{first} {args}");
        }
    }
    COMMANDS
        .iter()
        .filter(|c| c.0.starts_with(first))
        .map(|c| c.0)
        .collect::<Vec<_>>()
        .join("  ")
}

#[cfg(test)]
mod tests {
    use super::complete;

    #[test]
    fn tab_completes_commands_and_their_arguments() {
        assert_eq!(complete("st"), "stage ");
        assert_eq!(complete("stage n"), "stage next ");
        assert_eq!(complete("theme hi"), "theme high-contrast ");
        assert_eq!(complete("layout w"), "layout war-room ");
        assert_eq!(complete("filter "), "filter :failing ");
        assert_eq!(complete("xyz"), "xyz");
        assert_eq!(complete("layout c"), "layout com");
    }
}
