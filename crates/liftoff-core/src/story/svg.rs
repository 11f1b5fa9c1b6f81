//! Inline SVG line charts for the html report: no script, no network, so the
//! file reads the same in a browser, a mail client or a PDF printer.

use chrono::{DateTime, Utc};
use std::fmt::Write;

const W: f64 = 640.0;
const H: f64 = 180.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colour(status: &str) -> &'static str {
    match status {
        "PASS" => "#1a7f37",
        "WARN" => "#9a6700",
        "FAIL" => "#cf222e",
        _ => "#6e7781",
    }
}

fn label(v: f64) -> String {
    crate::expr::format_number((v * 1000.0).round() / 1000.0)
}

/// A chart of `points` (time, value, status) over `from..to`.
pub(super) fn line_chart(
    title: &str,
    points: &[(DateTime<Utc>, f64, String)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> String {
    let (mut lo, mut hi) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if points.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        // A flat line sits in the middle of a band around its value.
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        (lo, hi) = (lo - pad, hi + pad);
    }
    let span = (to - from).num_milliseconds().max(1) as f64;
    let x =
        |t: DateTime<Utc>| LEFT + (t - from).num_milliseconds() as f64 / span * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
    let mut d = String::new();
    for (i, (t, v, _)) in points.iter().enumerate() {
        let _ = write!(
            d,
            "{}{:.1} {:.1} ",
            if i == 0 { "M" } else { "L" },
            x(*t),
            y(*v)
        );
    }
    if points.len() == 1 {
        // One reading: a short level stroke so the line is visible.
        let (t, v, _) = &points[0];
        let _ = write!(d, "L{:.1} {:.1}", x(*t) + 8.0, y(*v));
    }
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, TOP, H - BOTTOM);
    let _ = write!(
        svg,
        "<rect x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/>",
        x1 - x0,
        y1 - y0
    );
    for (v, anchor_y) in [(hi, y0 + 4.0), (lo, y1)] {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{anchor_y}\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            x0 - 4.0,
            label(v)
        );
    }
    for (t, anchor) in [(from, "start"), (to, "end")] {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"#57606a\">{}</text>",
            x(t),
            H - 10.0,
            t.format("%H:%M:%S")
        );
    }
    if !d.is_empty() {
        let _ = write!(
            svg,
            "<path class=\"series\" d=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>",
            d.trim_end()
        );
    }
    for (t, v, status) in points {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\"><title>{} {} at {}</title></circle>",
            x(*t),
            y(*v),
            colour(status),
            status,
            label(*v),
            t.format("%H:%M:%S UTC")
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        format!("2026-11-21T{s}Z").parse().unwrap()
    }

    #[test]
    fn a_chart_draws_its_points_as_a_path_and_marks_each_status() {
        let pts = vec![
            (t("12:00:00"), 0.9, "PASS".to_string()),
            (t("13:00:00"), 0.7, "FAIL".to_string()),
        ];
        let svg = line_chart("entropy <x>", &pts, t("12:00:00"), t("13:00:00"));
        assert!(svg.contains("aria-label=\"entropy &lt;x&gt;\""), "{svg}");
        assert!(svg.contains("d=\"M56.0 12.0 L628.0 152.0\""), "{svg}");
        assert!(svg.contains("fill=\"#cf222e\""), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        // One point still draws a visible stroke.
        let one = line_chart("x", &pts[..1], t("12:00:00"), t("13:00:00"));
        assert!(
            one.contains("class=\"series\" d=\"M56.0 82.0 L64.0 82.0\""),
            "{one}"
        );
    }
}
