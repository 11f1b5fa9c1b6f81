//! Focus and selection: which panel, which row; keyboard moves and mouse hits.
//! Geometry comes from the layout at the current size, so the keyboard, the
//! mouse and the drawing agree on where everything is.

use super::App;
use crate::tui::layout::PanelKind;
use crate::tui::panels;
use ratatui::layout::{Position, Rect};

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
        for (kind, rect) in self.layout.split(room) {
            if kind != PanelKind::Status && !out.iter().any(|(k, _)| *k == kind) {
                out.push((kind, rect));
            }
        }
        out
    }

    /// How many selectable rows `panel` has.
    pub fn row_count(&self, panel: PanelKind) -> usize {
        match panel {
            PanelKind::Checklist => self.pb.checks.len(),
            PanelKind::Summary => self.sections().len(),
            PanelKind::Roles => self.pb.playbook.roles.len(),
            PanelKind::Alerts => self.alerts().len(),
            PanelKind::Metrics => self.pb.guards.len(),
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
            let n = self.row_count(self.focus);
            let row = self.row(self.focus);
            let next = match dir {
                Dir::Up if row > 0 => Some(row - 1),
                Dir::Down if row + 1 < n => Some(row + 1),
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
