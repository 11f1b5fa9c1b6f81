//! Roles: who ACKed each role and when, or a prompt to ACK.

use super::{age, fit, scroll};
use crate::engine::Status;
use crate::tui::app::acks::role_status;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let inner = super::frame(f, area, app, PanelKind::Roles);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let roles = &app.pb.playbook.roles;
    if roles.is_empty() {
        f.render_widget(
            Paragraph::new("no roles in this playbook").style(style::muted(t)),
            inner,
        );
        return;
    }
    let selected = app.row(PanelKind::Roles);
    let focused = app.focus == PanelKind::Roles && app.overlay.is_none();
    let width = inner.width as usize;
    let name_w = roles
        .iter()
        .map(|r| UnicodeWidthStr::width(r.title.as_deref().unwrap_or(&r.id)))
        .max()
        .unwrap_or(0)
        .min(width / 2);
    let first = scroll(selected, inner.height);
    let lines: Vec<Line> = roles
        .iter()
        .enumerate()
        .skip(first)
        .take(inner.height as usize)
        .map(|(i, role)| {
            let gate = app.pb.playbook.release.go_acks.contains(&role.id);
            let ack = role_status(app, &role.id, now);
            let (status, detail) = match (&ack.by, &ack.at, &ack.missing) {
                (Some(by), Some(at), None) => (
                    Status::Pass,
                    format!(
                        "{by} at {} ({} ago)",
                        style::clock(*at),
                        age(Some(*at), now)
                    ),
                ),
                // Used up by the stage just entered: not held, not a fault.
                (_, _, Some(why)) if why.contains(crate::tui::app::acks::USED_UP) => {
                    (Status::Warn, format!("{why} · press a"))
                }
                (_, _, Some(why)) if why != "no ACK yet" => {
                    (Status::Fail, format!("{why} · press a"))
                }
                _ => (
                    if gate { Status::Fail } else { Status::Unknown },
                    "press a to ACK".to_string(),
                ),
            };
            let title = fit(role.title.as_deref().unwrap_or(&role.id), name_w);
            let pad = name_w.saturating_sub(UnicodeWidthStr::width(title.as_str()));
            let rest = width.saturating_sub(2 + 2 + name_w + 1);
            let mut tail = detail;
            if gate {
                tail.push_str(" · gate");
            }
            let spans = vec![
                style::mark(i == selected),
                Span::styled(
                    format!("{} ", status.symbol()),
                    style::bold(style::status(t, status)),
                ),
                Span::styled(
                    format!("{title}{} ", " ".repeat(pad)),
                    style::bold(style::text(t)),
                ),
                Span::styled(fit(&tail, rest), style::text(t)),
            ];
            style::row(t, spans, i == selected && focused)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
