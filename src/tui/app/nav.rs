//! Focus and selection: which panel, which row; keyboard moves and mouse hits.
//! Geometry comes from the layout at the current size, so the keyboard, the
//! mouse and the drawing agree on where everything is.

use super::App;
use crate::tui::layout::PanelKind;
use crate::tui::panels;
use chrono::{DateTime, Utc};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// Two clicks on one cell closer than this are a double click.
pub const DOUBLE_CLICK: chrono::Duration = chrono::Duration::milliseconds(400);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Up,
    Down,
    Left,
    Right,
}

impl App {
    pub fn area(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    /// The terminal is now `w` x `h`: with no layout named, the biggest
    /// layout that fits takes over.
    pub fn resized(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        if self.layout_auto {
            match crate::tui::layout::Layout::best_for(w, h) {
                Ok(layout) if layout.name != self.layout.name => self.layout = layout,
                _ => {}
            }
        }
        self.fix_selection();
        self.mark_dirty();
    }

    pub fn too_small(&self) -> bool {
        let (w, h) = self.layout.min_size();
        self.size.0 < w || self.size.1 < h
    }

    /// Panels that take focus, in layout order, with their rectangles.
    pub fn focusable(&self) -> Vec<(PanelKind, Rect)> {
        if self.too_small() {
            return Vec::new();
        }
        let mut out: Vec<(PanelKind, Rect)> = Vec::new();
        let (_, room) = panels::alarm_band::split(self, self.area());
        for (kind, rect) in self.panel_rects(room) {
            if kind != PanelKind::Status && !out.iter().any(|(k, _)| *k == kind) {
                out.push((kind, rect));
            }
        }
        out
    }

    /// The panels drawn in `room` (below the alarm band): the layout's, or
    /// the zoomed panel alone over the whole room.
    pub fn panel_rects(&self, room: Rect) -> Vec<(PanelKind, Rect)> {
        match self.zoomed {
            Some(kind) if self.layout.panels().contains(&kind) => vec![(kind, room)],
            _ => self.layout.split(room),
        }
    }

    /// `z`: the focused panel fills the screen, or the layout comes back.
    pub fn toggle_zoom(&mut self) {
        self.zoomed = match self.zoomed {
            Some(_) => None,
            None => Some(self.focus),
        };
        self.fix_selection();
    }

    /// Rows a page of the focused list holds (its panel's inside).
    fn page_rows(&self) -> usize {
        self.focusable()
            .iter()
            .find(|(k, _)| *k == self.focus)
            .map_or(1, |(_, r)| usize::from(r.height.saturating_sub(3)).max(1))
    }

    /// PgUp / PgDn in the focused list.
    pub fn page(&mut self, down: bool) {
        let rows = self.visible(self.focus);
        if rows.is_empty() {
            return;
        }
        let at = rows
            .iter()
            .position(|r| *r == self.row(self.focus))
            .unwrap_or(0);
        let page = self.page_rows();
        let next = if down {
            (at + page).min(rows.len() - 1)
        } else {
            at.saturating_sub(page)
        };
        self.selected.insert(self.focus, rows[next]);
    }

    /// Home / End / G in the focused list.
    pub fn to_edge(&mut self, last: bool) {
        let rows = self.visible(self.focus);
        let edge = if last { rows.last() } else { rows.first() };
        if let Some(r) = edge {
            self.selected.insert(self.focus, *r);
        }
    }

    /// How many selectable rows `panel` has.
    pub fn row_count(&self, panel: PanelKind) -> usize {
        match panel {
            PanelKind::Checklist => self.pb.checks.len(),
            PanelKind::Summary => self.sections().len(),
            PanelKind::Roles => self.pb.playbook.roles.len(),
            PanelKind::Alerts => self.alerts().len(),
            PanelKind::Metrics => self.pb.guards.len(),
            PanelKind::Journal => self.release.recent.len(),
            _ => 0,
        }
    }

    /// Keeps focus on a panel of the layout and rows within range.
    pub fn fix_selection(&mut self) {
        let panels = self.focusable();
        if !panels.is_empty() && !panels.iter().any(|(k, _)| *k == self.focus) {
            let prefer = [PanelKind::Checklist, PanelKind::Summary];
            self.focus = prefer
                .into_iter()
                .find(|p| panels.iter().any(|(k, _)| k == p))
                .unwrap_or(panels[0].0);
        }
        let counts: Vec<(PanelKind, usize)> = self
            .selected
            .keys()
            .map(|k| (*k, self.row_count(*k)))
            .collect();
        for (k, n) in counts {
            if let Some(r) = self.selected.get_mut(&k) {
                *r = (*r).min(n.saturating_sub(1));
            }
        }
    }

    /// Tab / Shift-Tab: the next or previous panel in layout order.
    pub fn cycle_focus(&mut self, forward: bool) -> bool {
        let panels = self.focusable();
        if panels.is_empty() {
            return false;
        }
        let at = panels.iter().position(|(k, _)| *k == self.focus);
        let n = panels.len();
        let next = match (at, forward) {
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
            (None, _) => 0,
        };
        self.focus = panels[next].0;
        true
    }

    /// Arrows / hjkl. Up and down move the row; at the edge (or in a panel
    /// without rows) they move to the panel in that direction.
    pub fn go(&mut self, dir: Dir) -> bool {
        if matches!(dir, Dir::Up | Dir::Down) {
            // Over the rows the panel's filter shows.
            let rows = self.visible(self.focus);
            let at = rows.iter().position(|r| *r == self.row(self.focus));
            let next = match (dir, at) {
                (Dir::Up, Some(i)) if i > 0 => Some(rows[i - 1]),
                (Dir::Down, Some(i)) => rows.get(i + 1).copied(),
                (_, None) => rows.first().copied(),
                _ => None,
            };
            if let Some(r) = next {
                self.selected.insert(self.focus, r);
                return true;
            }
        }
        self.focus_toward(dir)
    }

    fn focus_toward(&mut self, dir: Dir) -> bool {
        let panels = self.focusable();
        let Some(cur) = panels.iter().find(|(k, _)| *k == self.focus).map(|p| p.1) else {
            return self.cycle_focus(true);
        };
        let center = |r: Rect| {
            (
                r.x as i32 + r.width as i32 / 2,
                r.y as i32 + r.height as i32 / 2,
            )
        };
        let (cx, cy) = center(cur);
        let best = panels
            .iter()
            .filter(|(k, _)| *k != self.focus)
            .filter_map(|(k, r)| {
                let (rx, ry) = center(*r);
                let (gap, off) = match dir {
                    Dir::Right if r.x >= cur.right() => (r.x - cur.right(), (ry - cy).abs()),
                    Dir::Left if r.right() <= cur.x => (cur.x - r.right(), (ry - cy).abs()),
                    Dir::Down if r.y >= cur.bottom() => (r.y - cur.bottom(), (rx - cx).abs()),
                    Dir::Up if r.bottom() <= cur.y => (cur.y - r.bottom(), (rx - cx).abs()),
                    _ => return None,
                };
                Some((gap, off, *k))
            })
            .min_by_key(|(gap, off, _)| (*gap, *off));
        match best {
            Some((_, _, k)) => {
                self.focus = k;
                true
            }
            None => false,
        }
    }

    /// The mouse: a left click focuses and selects, a double click (two on
    /// the same cell within `DOUBLE_CLICK`) opens like Enter, the wheel moves
    /// the row of the panel under the pointer. Nothing while a question, a
    /// dialog or the armed kill switch is up.
    pub fn mouse(&mut self, m: MouseEvent, now: DateTime<Utc>) {
        if self.overlay.is_some() || self.dialog.is_some() || self.kill_armed(now).is_some() {
            return;
        }
        let at = (m.column, m.row);
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let double = self
                    .last_click
                    .is_some_and(|(t, p)| p == at && now - t <= DOUBLE_CLICK);
                self.last_click = Some((now, at));
                if self.click(m.column, m.row) {
                    self.mark_dirty();
                    if double {
                        self.last_click = None;
                        self.dispatch(crate::tui::keymap::Action::Open, now);
                    }
                }
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let hit = self
                    .focusable()
                    .into_iter()
                    .find(|(_, r)| r.contains(Position::new(m.column, m.row)));
                if let Some((kind, _)) = hit {
                    self.focus = kind;
                    let dir = if m.kind == MouseEventKind::ScrollUp {
                        Dir::Up
                    } else {
                        Dir::Down
                    };
                    let n = self.row_count(kind);
                    let row = self.row(kind);
                    let next = match dir {
                        Dir::Up => row.saturating_sub(1),
                        _ => (row + 1).min(n.saturating_sub(1)),
                    };
                    self.selected.insert(kind, next);
                    self.mark_dirty();
                }
            }
            _ => {}
        }
    }

    /// A left click: focus the panel under the pointer and select the row there.
    pub fn click(&mut self, x: u16, y: u16) -> bool {
        let hit = self
            .focusable()
            .into_iter()
            .find(|(_, r)| r.contains(Position::new(x, y)));
        let Some((kind, rect)) = hit else {
            return false;
        };
        self.focus = kind;
        if let Some(row) = panels::row_at(self, kind, rect, y) {
            self.selected.insert(kind, row);
        }
        true
    }
}
