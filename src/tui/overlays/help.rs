//! `?`: the keys, generated from the keymap table. One column when it fits,
//! two in a short terminal (a tmux split), descriptions cut to the room.

use crate::tui::app::App;
use crate::tui::keymap;
use crate::tui::panels::fit;
use crate::tui::style;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

type Group = (&'static str, Vec<(String, &'static str)>);

fn column(t: &Theme, groups: &[Group], key_w: usize, width: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = Vec::new();
    for (title, rows) in groups {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(*title, style::bold(style::accent(t))));
        for (keys, what) in rows {
            let what = fit(what, width.saturating_sub(key_w + 4));
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_w$}  "), style::bold(style::text(t))),
                Span::styled(what, style::text(t)),
            ]));
        }
    }
    lines
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let groups = keymap::help();
    let key_w = groups
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(0);
    let one = column(t, &groups, key_w, usize::MAX);
    let one_w = one.iter().map(Line::width).max().unwrap_or(0) as u16;
    let (columns, w) = if one.len() as u16 + 2 <= area.height {
        (vec![one], one_w + 2)
    } else {
        let half = area.width.saturating_sub(3) / 2;
        // Split where the two columns come out closest in height.
        let rows = |g: &[Group]| g.iter().map(|(_, r)| r.len() + 2).sum::<usize>();
        let split = (1..groups.len())
            .min_by_key(|i| rows(&groups[..*i]).max(rows(&groups[*i..])))
            .unwrap_or(1);
        let (a, b) = groups.split_at(split);
        let cols = vec![
            column(t, a, key_w, half as usize),
            column(t, b, key_w, half as usize),
        ];
        (cols, half * 2 + 3)
    };
    let height = columns.iter().map(Vec::len).max().unwrap_or(0) as u16 + 2;
    let rect = super::centered(area, w, height);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(style::accent(t))
        .title(Line::styled(
            " Keys · Esc closes ",
            style::bold(style::accent(t)),
        ));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let n = columns.len() as u16;
    let col_w = inner.width / n.max(1);
    for (i, lines) in columns.into_iter().enumerate() {
        let x = inner.x + i as u16 * (col_w + 1).min(inner.width);
        let r = Rect::new(
            x,
            inner.y,
            col_w.min(inner.right().saturating_sub(x)),
            inner.height,
        );
        f.render_widget(Paragraph::new(lines).style(style::text(t)), r);
    }
}
