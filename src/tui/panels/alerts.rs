//! Active alerts from the alertmanager sources, page-level first.

use super::{age, fit, scroll};
use crate::engine::Status;
use crate::playbook::SourceKind;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Lines about the alert sources themselves: none declared, no data, failing.
fn source_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let ids: Vec<&String> = app
        .pb
        .sources
        .iter()
        .filter(|(_, s)| s.kind() == SourceKind::Alertmanager)
        .map(|(id, _)| id)
        .collect();
    if ids.is_empty() {
        return vec![Line::styled(
            "no alertmanager source in this playbook",
            style::muted(t),
        )];
    }
    ids.iter()
        .filter_map(|id| match app.observations.get(*id).map(|o| &o.outcome) {
            None => Some(Line::styled(
                format!("? {id}: no data yet"),
                style::status(t, Status::Unknown),
            )),
            // Fail closed: a dead Alertmanager is not "no alerts".
            Some(Err(e)) => Some(Line::styled(
                format!("? {id}: {e}"),
                style::status(t, Status::Unknown),
            )),
            Some(Ok(_)) => None,
        })
        .collect()
}

pub fn render(f: &mut Frame, area: Rect, app: &App, now: DateTime<Utc>) {
    let inner = super::frame(f, area, app, PanelKind::Alerts);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let width = inner.width as usize;
    let mut lines = source_lines(app);
    let alerts = app.alerts();
    if alerts.is_empty() && lines.is_empty() {
        lines.push(Line::styled(
            "✔ no active alerts",
            style::status(t, Status::Pass),
        ));
    }
    let selected = app.row(PanelKind::Alerts);
    let focused = app.focus == PanelKind::Alerts && app.overlay.is_none();
    let room = (inner.height as usize).saturating_sub(lines.len());
    // A filter (`/`) shows only the alerts it matches.
    let visible = app.visible(PanelKind::Alerts);
    let at = visible.iter().position(|i| *i == selected).unwrap_or(0);
    let first = scroll(at, room as u16);
    for (i, a) in visible
        .iter()
        .filter_map(|i| alerts.get(*i).map(|a| (*i, a)))
        .skip(first)
        .take(room)
    {
        let severity = a
            .labels
            .get("severity")
            .cloned()
            .unwrap_or_else(|| "-".into());
        let page = severity == "page";
        let name = a
            .labels
            .get("alertname")
            .cloned()
            .unwrap_or_else(|| "(unnamed)".into());
        let summary = a
            .annotations
            .get("summary")
            .or_else(|| a.annotations.get("description"))
            .cloned()
            .unwrap_or_default();
        let sev_style = if page {
            style::bold(style::status(t, Status::Fail))
        } else {
            style::status(t, Status::Warn)
        };
        let since = age(a.starts_at, now);
        let head = format!("{} {severity:<7} {name}", if page { "▲" } else { "•" });
        let mut spans = vec![
            style::mark(i == selected),
            Span::styled(fit(&head, width.saturating_sub(2)), sev_style),
            Span::styled(format!(" {since}"), style::muted(t)),
            Span::styled(format!(" {summary}"), style::text(t)),
        ];
        if a.state != "active" {
            spans.push(Span::styled(format!(" ({})", a.state), style::muted(t)));
        }
        lines.push(style::row(t, spans, i == selected && focused));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
