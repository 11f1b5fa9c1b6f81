//! Layouts: which panels, in which rows and columns, with which sizes.
//!
//! Built-ins live in `layouts/*.toml`, embedded in the binary; a file of the
//! same name in the user's config folder (`$XDG_CONFIG_HOME/liftoff/layouts/`,
//! else `~/.config/liftoff/layouts/`) replaces it, and new names add layouts.
//! A bad file is an error naming the file, line and column and what to write.
//! The format is documented in docs/themes-and-layouts.md.

mod parse;

use crate::config_file::{available_names, is_plain_name, unknown_name_message, user_config_dir};
use crate::playbook::Problem;
use ratatui::layout::{Constraint, Direction, Rect};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PanelKind {
    Banner,
    Checklist,
    /// A one-line-per-section summary of the checklist (war room).
    Summary,
    Ramp,
    /// The hold countdown and the next decision point, big (war room).
    Countdown,
    /// What the room waits for next and the stage, big (war room).
    Next,
    Roles,
    Kill,
    Alerts,
    Metrics,
    Journal,
    Status,
}

impl PanelKind {
    pub const ALL: [PanelKind; 12] = [
        PanelKind::Banner,
        PanelKind::Checklist,
        PanelKind::Summary,
        PanelKind::Ramp,
        PanelKind::Countdown,
        PanelKind::Next,
        PanelKind::Roles,
        PanelKind::Kill,
        PanelKind::Alerts,
        PanelKind::Metrics,
        PanelKind::Journal,
        PanelKind::Status,
    ];

    /// The name a layout file uses.
    pub fn name(self) -> &'static str {
        match self {
            PanelKind::Banner => "banner",
            PanelKind::Checklist => "checklist",
            PanelKind::Summary => "summary",
            PanelKind::Ramp => "ramp",
            PanelKind::Countdown => "countdown",
            PanelKind::Next => "next",
            PanelKind::Roles => "roles",
            PanelKind::Kill => "kill",
            PanelKind::Alerts => "alerts",
            PanelKind::Metrics => "metrics",
            PanelKind::Journal => "journal",
            PanelKind::Status => "status",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<PanelKind> {
        PanelKind::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The least room a panel needs to say anything (a border and one line;
    /// the status line is a single bare line). Used to check `min_width` and
    /// `min_height` against what a layout asks for.
    pub fn floor(self) -> (u16, u16) {
        match self {
            PanelKind::Status => (1, 1),
            _ => (4, 3),
        }
    }
}

impl std::fmt::Display for PanelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub name: String,
    pub min_width: u16,
    pub min_height: u16,
    /// One line saying what the layout is for (shown when cycling layouts).
    pub description: Option<String>,
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Panel(PanelKind),
    Split(Direction, Vec<(Constraint, Node)>),
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("{}", unknown_message(.0))]
    Unknown(String),
    #[error("cannot read layout file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}\nlayout refused")]
    Invalid(Problem),
}

/// The built-in layouts, in the order `L` cycles through them.
const BUILTIN: &[(&str, &str)] = &[
    ("commander", include_str!("../../layouts/commander.toml")),
    ("war-room", include_str!("../../layouts/war-room.toml")),
    ("compact", include_str!("../../layouts/compact.toml")),
];

impl Layout {
    pub fn builtin_names() -> &'static [&'static str] {
        &["commander", "war-room", "compact"]
    }

    /// Loads `name` from the user's config folder or the built-ins.
    pub fn load(name: &str) -> Result<Layout, LayoutError> {
        Layout::load_with(name, user_config_dir().as_deref())
    }

    /// `load` without the environment: `config_dir` is the liftoff config
    /// folder (its `layouts/` subfolder is searched first).
    pub(crate) fn load_with(name: &str, config_dir: Option<&Path>) -> Result<Layout, LayoutError> {
        if !is_plain_name(name) {
            return Err(LayoutError::Unknown(name.into()));
        }
        if let Some(dir) = config_dir {
            let path = dir.join("layouts").join(format!("{name}.toml"));
            match std::fs::read_to_string(&path) {
                Ok(text) => return Layout::parse(name, &path, &text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(LayoutError::Read { path, source }),
            }
        }
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => {
                let path = PathBuf::from(format!("layouts/{name}.toml (built-in)"));
                Layout::parse(name, &path, text)
            }
            None => Err(LayoutError::Unknown(name.into())),
        }
    }

    /// Parses layout `text` as if read from `file` (used in messages).
    pub(crate) fn parse(name: &str, file: &Path, text: &str) -> Result<Layout, LayoutError> {
        let p = parse::parse(file, text).map_err(LayoutError::Invalid)?;
        Ok(Layout {
            name: name.to_string(),
            min_width: p.min_width,
            min_height: p.min_height,
            description: p.description,
            root: p.root,
        })
    }

    /// Built-in names, then the user's own layouts, without duplicates.
    pub(crate) fn available(config_dir: Option<&Path>) -> Vec<String> {
        available_names(Layout::builtin_names(), config_dir, "layouts")
    }

    /// The layouts chosen by size when none was named, biggest first (the
    /// war room is for a screen someone chose it for).
    pub const BY_SIZE: [&'static str; 2] = ["commander", "compact"];

    /// The biggest of `BY_SIZE` that fits `width` x `height`; the smallest
    /// when none does (it then says what it needs).
    pub(crate) fn best_for(width: u16, height: u16) -> Result<Layout, LayoutError> {
        let mut last = None;
        for name in Layout::BY_SIZE {
            let layout = Layout::load(name)?;
            if layout.fits(Rect::new(0, 0, width, height)) {
                return Ok(layout);
            }
            last = Some(layout);
        }
        last.ok_or_else(|| LayoutError::Unknown(String::new()))
    }

    pub fn min_size(&self) -> (u16, u16) {
        (self.min_width, self.min_height)
    }

    /// Whether `area` is at least the layout's minimum size.
    pub fn fits(&self, area: Rect) -> bool {
        area.width >= self.min_width && area.height >= self.min_height
    }

    /// The panels the layout shows, in reading order.
    pub(crate) fn panels(&self) -> Vec<PanelKind> {
        let mut out = Vec::new();
        collect_panels(&self.root, &mut out);
        out
    }

    /// Each panel of the layout and the rectangle it gets within `area`.
    /// The rectangles tile `area` without overlap at any size; below
    /// `min_size` panels get squeezed (down to nothing), never misplaced.
    pub fn split(&self, area: Rect) -> Vec<(PanelKind, Rect)> {
        let mut out = Vec::new();
        split_node(&self.root, area, &mut out);
        out
    }
}

fn split_node(node: &Node, area: Rect, out: &mut Vec<(PanelKind, Rect)>) {
    match node {
        Node::Panel(p) => out.push((*p, area)),
        Node::Split(dir, children) => {
            let rects = ratatui::layout::Layout::default()
                .direction(*dir)
                .constraints(children.iter().map(|(c, _)| *c))
                .split(area);
            for ((_, child), rect) in children.iter().zip(rects.iter()) {
                split_node(child, *rect, out);
            }
        }
    }
}

fn collect_panels(node: &Node, out: &mut Vec<PanelKind>) {
    match node {
        Node::Panel(p) => out.push(*p),
        Node::Split(_, children) => children.iter().for_each(|(_, c)| collect_panels(c, out)),
    }
}

fn unknown_message(name: &str) -> String {
    let names = Layout::available(user_config_dir().as_deref());
    unknown_name_message("layout", "layouts", name, &names)
}

#[cfg(test)]
mod tests;
