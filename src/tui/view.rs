//! One frame: the alarm band when one is up, the layout's panels (or "too
//! small"), then overlays. A pure function of `&App` and `now`.

use super::app::App;
use super::overlays;
use super::panels;
use super::style;
use chrono::{DateTime, Utc};
use ratatui::widgets::Block;
use ratatui::Frame;

pub fn render(f: &mut Frame, app: &App, now: DateTime<Utc>) {
    let area = f.area();
    let t = &app.theme;
    f.render_widget(
        Block::new().style(style::text(t).patch(style::bg(t, t.background))),
        area,
    );
    let (min_w, min_h) = app.layout.min_size();
    if area.width < min_w || area.height < min_h {
        overlays::too_small::render(f, area, app, now);
    } else {
        // ALARM, FIRING, HALTED, KILL FAILED: a band across the top first.
        let (band_area, rest) = panels::alarm_band::split(app, area);
        if let (Some(band_area), Some(band)) = (band_area, panels::alarm_band::band(app, now)) {
            panels::alarm_band::render(f, band_area, &band);
        }
        for (kind, rect) in app.panel_rects(rest) {
            panels::render(kind, f, rect, app, now);
        }
    }
    overlays::render(f, app, now);
}
