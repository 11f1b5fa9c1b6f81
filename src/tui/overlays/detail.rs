//! Enter on an alert or a journal event: every field, wrapped, never cut
//! (the panels cut them to one line).

use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn field(app: &App, name: &str, value: String) -> Line<'static> {
    let t = &app.theme;
    Line::from(vec![
        Span::styled(format!("{name}: "), style::bold(style::accent(t))),
        Span::styled(value, style::text(t)),
    ])
}

/// The lines of the detail of row `row` of `kind`, and its title.
pub fn lines(
    app: &App,
    kind: PanelKind,
    row: usize,
    now: DateTime<Utc>,
) -> (String, Vec<Line<'static>>) {
    match kind {
        PanelKind::Alerts => {
            let alerts = app.alerts();
            let Some(a) = alerts.get(row) else {
                return (
                    "Alert".into(),
                    vec![Line::raw("gone: the alert is no longer active")],
                );
            };
            let name = a
                .labels
                .get("alertname")
                .cloned()
                .unwrap_or_else(|| "(unnamed)".into());
            let mut out = vec![field(app, "state", a.state.clone())];
            if let Some(at) = a.starts_at {
                out.push(field(
                    app,
                    "since",
                    format!(
                        "{} ({} ago)",
                        style::clock(at),
                        crate::engine::verdict::human_age(now - at)
                    ),
                ));
            }
            out.push(Line::raw(""));
            out.push(Line::styled("labels", style::bold(style::text(&app.theme))));
            out.extend(
                a.labels
                    .iter()
                    .map(|(k, v)| field(app, &format!("  {k}"), v.clone())),
            );
            out.push(Line::raw(""));
            out.push(Line::styled(
                "annotations",
                style::bold(style::text(&app.theme)),
            ));
            out.extend(
                a.annotations
                    .iter()
                    .map(|(k, v)| field(app, &format!("  {k}"), v.clone())),
            );
            (format!("Alert {name}"), out)
        }
        PanelKind::Journal => {
            let Some(j) = app.release.recent.get(row) else {
                return ("Journal event".into(), vec![Line::raw("no such event")]);
            };
            let out = vec![
                field(app, "at", style::clock(j.at)),
                field(app, "by", j.actor.clone()),
                field(app, "kind", j.kind.clone()),
                Line::raw(""),
                Line::styled(j.summary.clone(), style::text(&app.theme)),
            ];
            (format!("Journal event {}", j.kind), out)
        }
        _ => (String::new(), Vec::new()),
    }
}

pub fn render(
    f: &mut Frame,
    area: Rect,
    app: &App,
    kind: PanelKind,
    row: usize,
    now: DateTime<Utc>,
) {
    let t = &app.theme;
    let (title, body) = lines(app, kind, row, now);
    let w = (area.width.saturating_sub(4))
        .clamp(20, 100)
        .min(area.width);
    let rows = super::form::rows(&body, w.saturating_sub(2).max(1) as usize) as u16 + 2;
    let rect = super::centered(area, w, rows.min(area.height));
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(style::accent(t))
        .title(Line::styled(
            format!(" {title} · Esc closes "),
            style::bold(style::accent(t)),
        ));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(body).block(block).wrap(Wrap { trim: false }),
        rect,
    );
}
