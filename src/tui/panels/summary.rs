//! One line per checklist section: counts by status, worst first.

use super::{fit, scroll};
use crate::engine::Status;
use crate::tui::app::App;
use crate::tui::layout::PanelKind;
use crate::tui::style;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const ORDER: [Status; 4] = [Status::Fail, Status::Unknown, Status::Warn, Status::Pass];
/// Four counts of " ✔  3".
const ALIGNED_COUNTS_W: usize = 4 * 5;
/// Below this a section name is cut to nothing useful ("1. …").
const MIN_NAME_W: usize = 12;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let inner = super::frame(f, area, app, PanelKind::Summary);
    if inner.is_empty() {
        return;
    }
    let t = &app.theme;
    let selected = app.row(PanelKind::Summary);
    let focused = app.focus == PanelKind::Summary && app.overlay.is_none();
    let width = inner.width as usize;
    // Room for every section in big letters (a war-room screen): read
    // across the room, the worst status first on each line.
    if render_big(f, inner, app) {
        return;
    }
    // Every count in aligned columns when the names still fit beside them;
    // in a narrow panel only the non-zero counts, so the names stay readable.
    let aligned = width.saturating_sub(2 + 2 + ALIGNED_COUNTS_W) >= MIN_NAME_W;
    let sections = app.sections();
    let clipped = sections.len() > usize::from(inner.height);
    let first = scroll(
        selected,
        if clipped {
            inner.height.saturating_sub(1)
        } else {
            inner.height
        },
    );
    let mut lines: Vec<Line> = sections
        .iter()
        .enumerate()
        .skip(first)
        .take(inner.height as usize)
        .map(|(i, (name, checks))| {
            let count = |s: Status| {
                checks
                    .iter()
                    .filter(|c| app.verdicts.get(**c).map_or(Status::Unknown, |v| v.status) == s)
                    .count()
            };
            // Optional checks that do not pass are counted, but colour nothing.
            let gating = |s: Status| {
                checks
                    .iter()
                    .filter(|c| !super::checklist::neutral(app, **c))
                    .filter(|c| app.verdicts.get(**c).map_or(Status::Unknown, |v| v.status) == s)
                    .count()
            };
            let worst = ORDER
                .into_iter()
                .find(|s| gating(*s) > 0)
                .unwrap_or(Status::Pass);
            let counts: Vec<Span> = ORDER
                .iter()
                .rev()
                .map(|s| (*s, count(*s)))
                .filter(|(_, n)| aligned || *n > 0)
                .map(|(s, n)| {
                    let st = if gating(s) > 0 {
                        style::status(t, s)
                    } else {
                        style::muted(t)
                    };
                    let text = if aligned {
                        format!(" {}{n:>3}", s.symbol())
                    } else {
                        format!(" {}{n}", s.symbol())
                    };
                    Span::styled(text, st)
                })
                .collect();
            let counts_w: usize = counts.iter().map(|s| s.width()).sum();
            let name_w = width.saturating_sub(2 + 2 + counts_w);
            let name = fit(name, name_w);
            let pad = name_w.saturating_sub(UnicodeWidthStr::width(name.as_str()));
            let mut spans = vec![
                style::mark(i == selected),
                Span::styled(
                    format!("{} ", worst.symbol()),
                    style::bold(style::status(t, worst)),
                ),
                Span::styled(
                    format!("{name}{}", " ".repeat(pad)),
                    style::bold(style::text(t)),
                ),
            ];
            spans.extend(counts);
            style::row(t, spans, i == selected && focused)
        })
        .collect();
    super::mark_clipped(&mut lines, first, sections.len(), t);
    f.render_widget(Paragraph::new(lines), inner);
}

/// ASCII marks for big letters (the 8x8 font has no ✔).
fn big_mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "OK",
        Status::Warn => "!!",
        Status::Fail => "XX",
        Status::Unknown => "??",
    }
}

/// Each section on its own line of big letters, when every one fits; false
/// (nothing drawn) when they do not.
fn render_big(f: &mut Frame, inner: Rect, app: &App) -> bool {
    let sections = app.sections();
    let n = sections.len() as u16;
    if n == 0 || inner.height < n * 4 {
        return false;
    }
    let per = inner.height / n;
    let lines: Vec<(String, Status)> = sections
        .iter()
        .map(|(name, checks)| {
            let worst = ORDER
                .into_iter()
                .find(|s| {
                    checks.iter().any(|c| {
                        !super::checklist::neutral(app, *c)
                            && app.verdicts.get(*c).map_or(Status::Unknown, |v| v.status) == *s
                    })
                })
                .unwrap_or(Status::Pass);
            let ascii: String = name
                .chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect();
            (format!("{} {ascii}", big_mark(worst)), worst)
        })
        .collect();
    // One size for all: the biggest at which the longest line fits.
    let longest = lines
        .iter()
        .map(|(l, _)| l.as_str())
        .max_by_key(|l| l.chars().count());
    let Some(size) = longest.and_then(|l| super::big::fit_capped(l, inner.width, per, per)) else {
        return false;
    };
    let t = &app.theme;
    for (i, (line, status)) in lines.iter().enumerate() {
        let y = inner.y + i as u16 * per;
        let area = Rect::new(inner.x, y, inner.width, size.rows);
        super::big::render_left(
            line,
            style::bold(style::status(t, *status)),
            area,
            f.buffer_mut(),
            size,
        );
    }
    true
}
