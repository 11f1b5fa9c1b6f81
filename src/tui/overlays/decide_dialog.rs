//! `g`: record the decision. Shows the gate as it stands (GO, or NO-GO and
//! what holds it), asks the decision maker (prefilled $USER), a justification
//! (required), for NO-GO the next review (a time or a delay), and the outcome
//! (go, no-go, expand, mitigate, rollback; ←/→ on its row). An outcome the gate
//! does not support is recorded as an override and the dialog says so first
//! (`act::rules::may_decide`, as `liftoff decide` asks). Writes the
//! `_go_nogo.json` record and a `decision_outcome` journal event.

use super::form::{error_line, field_line, render_box, text_key, Reply, TextField};
use crate::act::rules::{self, Outcome};
use crate::engine::Decision;
use crate::report::Report;
use crate::supervisor::request::{Decide, Request};
use crate::tui::app::App;
use crate::tui::style;
use chrono::{DateTime, SecondsFormat, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

const MAKER: usize = 0;
const JUSTIFICATION: usize = 1;
const REVIEW: usize = 2;
/// Holds listed in the dialog; the record has them all.
const HOLDS_SHOWN: usize = 6;

#[derive(Debug, Clone, PartialEq)]
pub struct DecideDialog {
    /// The decision as shown (submitting checks it still stands).
    pub decision: Decision,
    pub maker: TextField,
    pub justification: TextField,
    pub next_review: TextField,
    /// The outcome to record (index into `Outcome::ALL`).
    pub outcome: usize,
    pub focus: usize,
    pub error: Option<String>,
}

impl DecideDialog {
    pub fn new(app: &App) -> DecideDialog {
        DecideDialog {
            decision: app.gate.decision,
            maker: TextField::new(&app.user),
            justification: TextField::default(),
            next_review: TextField::default(),
            outcome: match app.gate.decision {
                Decision::Go => 0,
                Decision::NoGo => 1,
            },
            // The maker is prefilled: start where typing is needed.
            focus: JUSTIFICATION,
            error: None,
        }
    }

    fn fields(&self) -> usize {
        match self.decision {
            Decision::Go => 3,
            Decision::NoGo => 4,
        }
    }

    /// The outcome row is the last field.
    fn outcome_field(&self) -> usize {
        self.fields() - 1
    }

    pub fn outcome(&self) -> Outcome {
        Outcome::ALL[self.outcome % Outcome::ALL.len()]
    }

    pub fn key(&mut self, key: &KeyEvent) -> Reply {
        self.error = None;
        let fields = self.fields();
        if self.focus == self.outcome_field() {
            let n = Outcome::ALL.len();
            return match key.code {
                KeyCode::Left => {
                    self.outcome = (self.outcome + n - 1) % n;
                    Reply::Consumed
                }
                KeyCode::Right | KeyCode::Char(' ') => {
                    self.outcome = (self.outcome + 1) % n;
                    Reply::Consumed
                }
                KeyCode::Esc => Reply::Cancel,
                KeyCode::Enter => Reply::Submit,
                _ => match super::form::move_focus(key, self.focus, fields) {
                    Some(f) => {
                        self.focus = f;
                        Reply::Consumed
                    }
                    None => Reply::Consumed,
                },
            };
        }
        let field = match self.focus {
            MAKER => &mut self.maker,
            JUSTIFICATION => &mut self.justification,
            _ => &mut self.next_review,
        };
        text_key(key, field, &mut self.focus, fields)
    }

    pub fn submit(&mut self, app: &App, now: DateTime<Utc>) -> Result<Request, String> {
        if app.gate.decision != self.decision {
            self.decision = app.gate.decision;
            self.focus = self.focus.min(self.fields() - 1);
            return Err(format!(
                "the gate changed to {} while you typed: read it again; Enter records",
                self.decision.word()
            ));
        }
        let maker = self
            .maker
            .text()
            .ok_or("write who decides (decision maker)")?;
        let justification = self
            .justification
            .text()
            .ok_or("a justification is required: why this decision")?;
        let plan = rules::may_decide(&app.gate, self.outcome().word(), &justification)
            .map_err(|r| r.to_string())?;
        let next_review = match (self.decision, plan.outcome) {
            (Decision::NoGo, Outcome::NoGo) => Some(parse_review(
                &self.next_review.text().ok_or(
                    "a NO-GO needs the next review: a time (2026-11-21T14:00:00Z) or a delay (30m, 2h)",
                )?,
                now,
            )?),
            _ => match self.next_review.text() {
                Some(t) => Some(parse_review(&t, now)?),
                None => None,
            },
        };
        Ok(Request::Decide(Box::new(Decide {
            report: Report::build(&app.pb, &app.verdicts, &app.gate, &app.acks, now),
            maker,
            justification,
            next_review,
            plan,
            stage: app.release.stage.as_ref().map(|s| s.name.clone()),
        })))
    }

    pub fn render(&self, f: &mut Frame, area: Rect, app: &App) {
        let t = &app.theme;
        let word_style = style::decision(t, self.decision);
        let mut lines = vec![Line::from(vec![
            Span::styled("The gate says ", style::text(t)),
            Span::styled(self.decision.word(), word_style),
        ])];
        let holds = &app.gate.holds;
        if self.decision == Decision::NoGo && !holds.is_empty() {
            lines.push(Line::styled(
                format!("{} holding:", holds.len()),
                style::bold(style::text(t)),
            ));
            for h in holds.iter().take(HOLDS_SHOWN) {
                let status = h
                    .status
                    .map(|s| format!(" {}", s.word()))
                    .unwrap_or_default();
                lines.push(Line::styled(
                    format!("  ✖ {}{status}: {}", h.id, h.reason),
                    style::text(t),
                ));
            }
            if holds.len() > HOLDS_SHOWN {
                lines.push(Line::styled(
                    format!("  +{} more (all in the record)", holds.len() - HOLDS_SHOWN),
                    style::muted(t),
                ));
            }
        }
        lines.push(Line::raw(""));
        let w = 14;
        lines.push(field_line(
            t,
            "decided by",
            w,
            &self.maker,
            self.focus == MAKER,
        ));
        lines.push(field_line(
            t,
            "justification",
            w,
            &self.justification,
            self.focus == JUSTIFICATION,
        ));
        if self.decision == Decision::NoGo {
            lines.push(field_line(
                t,
                "next review",
                w,
                &self.next_review,
                self.focus == REVIEW,
            ));
            lines.push(Line::styled(
                format!(
                    "{:w$}   a time (2026-11-21T14:00:00Z) or a delay (30m, 2h)",
                    ""
                ),
                style::muted(t),
            ));
        }
        let picked = self.outcome();
        let row = Outcome::ALL
            .iter()
            .map(|o| {
                if *o == picked {
                    format!("[{}]", o.word())
                } else {
                    o.word().to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let focus = self.focus == self.outcome_field();
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>w$} ", "outcome"),
                if focus {
                    style::bold(style::accent(t))
                } else {
                    style::muted(t)
                },
            ),
            Span::styled(format!(" {row}  (←/→ picks)"), style::text(t)),
        ]));
        if let Ok(plan) = rules::may_decide(&app.gate, picked.word(), "shown") {
            let st = if plan.overridden {
                style::bold(style::fg(t, t.warn))
            } else {
                style::muted(t)
            };
            lines.push(Line::styled(format!("{:w$}   {}", "", plan.says), st));
        }
        lines.extend(error_line(t, &self.error));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Enter records (journal + _go_nogo.json) · Tab next field · Esc cancels",
            style::bold(style::accent(t)),
        ));
        let title = format!("Record the decision: {}", self.decision.word());
        render_box(f, area, app, &title, word_style, lines, 84);
    }
}

/// The next review as RFC 3339: a time as written, or now plus a delay.
pub fn parse_review(text: &str, now: DateTime<Utc>) -> Result<String, String> {
    let at = match humantime::parse_duration(text) {
        Ok(d) => {
            now + chrono::Duration::from_std(d).map_err(|_| format!("`{text}` is too far away"))?
        }
        Err(_) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                format!("`{text}` is neither a time (2026-11-21T14:00:00Z) nor a delay (30m, 2h)")
            })?,
    };
    if at <= now {
        return Err(format!(
            "the next review ({}) must be in the future",
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
    }
    Ok(at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_next_review_is_a_time_or_a_delay_in_the_future() {
        assert_eq!(parse_review("2h", now()).unwrap(), "2026-11-21T14:00:00Z");
        // Any offset; recorded in UTC.
        assert_eq!(
            parse_review("2026-11-21T13:30:00+01:00", now()).unwrap(),
            "2026-11-21T12:30:00Z"
        );
        assert_eq!(
            parse_review("2026-11-21T15:00:00Z", now()).unwrap(),
            "2026-11-21T15:00:00Z"
        );
        assert!(parse_review("tomorrow", now())
            .unwrap_err()
            .contains("neither a time"));
        assert_eq!(
            parse_review("2026-11-21T11:00:00Z", now()).unwrap_err(),
            "the next review (2026-11-21T11:00:00Z) must be in the future"
        );
    }
}
