//! Sparklines of the numbers the guards watch, each with its threshold drawn
//! as a dotted line and the trip condition named.

use super::fit;
use crate::engine::Status;
use crate::expr::display;
use crate::playbook::OnTrip;
use crate::tui::app::history::GuardHistory;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Sparkline, Widget};
use ratatui::Frame;

/// Screen rows each guard gets in `inside` when there are `n` guards.
pub fn rows_per_guard(inside: Rect, n: usize) -> u16 {
    if n == 0 {
        return 0;
    }
    (inside.height / n as u16).max(1)
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let inner = super::frame(f, area, app, PanelKind::Metrics);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    if app.pb.guards.is_empty() {
        f.render_widget(
            Paragraph::new("no guards in this playbook").style(style::muted(t)),
            inner,
        );
        return;
    }
    let per = rows_per_guard(inner, app.pb.guards.len());
    let selected = app.row(PanelKind::Metrics);
    let focused = app.focus == PanelKind::Metrics && app.overlay.is_none();
    for (i, (guard, hist)) in app.pb.guards.iter().zip(app.history.iter()).enumerate() {
        let y = inner.y + i as u16 * per;
        if y >= inner.bottom() {
            break;
        }
        let status = match hist.tripped {
            Some(true) => Status::Fail,
            Some(false) => Status::Pass,
            None => Status::Unknown,
        };
        let value = match (hist.latest(), &hist.error) {
            (_, Some(e)) => format!("? {e}"),
            (Some(v), None) => display(&cel::Value::Float(v)),
            (None, None) => "no data yet".into(),
        };
        let action = match guard.spec.on_trip {
            OnTrip::Kill => "kill",
            OnTrip::Alarm => "alarm",
        };
        let threshold = guard
            .spec
            .threshold
            .map(|x| format!(" · threshold {}", display(&cel::Value::Float(x))))
            .unwrap_or_default();
        let title = guard.spec.title.as_deref().unwrap_or(&guard.spec.id);
        let text = format!(
            "{} {title}: {value} · trips on {} → {action}{threshold}",
            status.symbol(),
            guard.trip.source()
        );
        let spans = vec![
            style::mark(i == selected),
            Span::styled(
                fit(&text, inner.width.saturating_sub(2) as usize),
                style::status(t, status),
            ),
        ];
        f.render_widget(
            Paragraph::new(style::row(t, spans, i == selected && focused)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        let spark_h = per
            .saturating_sub(1)
            .min(inner.bottom().saturating_sub(y + 1));
        if spark_h > 0 {
            let rect = Rect::new(inner.x + 2, y + 1, inner.width.saturating_sub(2), spark_h);
            spark(
                hist,
                guard.spec.threshold,
                style::status(t, status),
                style::muted(t),
                rect,
                f.buffer_mut(),
            );
        }
    }
}

/// The history as bars scaled to [min, max] of the points and the threshold,
/// with the threshold as a dotted line where no bar covers it.
fn spark(
    hist: &GuardHistory,
    threshold: Option<f64>,
    bar: Style,
    line: Style,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() || hist.points.is_empty() {
        return;
    }
    let shown: Vec<f64> = hist
        .points
        .iter()
        .skip(hist.points.len().saturating_sub(area.width as usize))
        .copied()
        .collect();
    let (mut lo, mut hi) = shown
        .iter()
        .chain(threshold.iter())
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    // Room below the lowest point so that it still shows as a bar.
    let span = (hi - lo).abs().max(f64::EPSILON);
    lo -= span * 0.1;
    if hi <= lo {
        hi = lo + 1.0;
    }
    const SCALE: f64 = 1000.0;
    let scaled = |v: f64| (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * SCALE) as u64;
    let data: Vec<u64> = shown.iter().map(|v| scaled(*v)).collect();
    Sparkline::default()
        .data(&data)
        .max(SCALE as u64)
        .style(bar)
        .render(area, buf);
    if let Some(x) = threshold {
        let frac = scaled(x) as f64 / SCALE;
        let from_bottom = ((frac * area.height as f64) as u16).min(area.height - 1);
        let y = area.bottom() - 1 - from_bottom;
        for col in area.x..area.right() {
            if let Some(cell) = buf.cell_mut((col, y)) {
                if cell.symbol() == " " {
                    cell.set_symbol("┈").set_style(line);
                }
            }
        }
    }
}
