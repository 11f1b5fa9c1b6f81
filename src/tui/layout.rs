//! Layouts: nested rows/columns of panels. INTERFACE STUB — the layouts work
//! fills this in (layouts/*.toml, line-numbered errors, minimum sizes).
//! STABLE INTERFACE: `PanelKind`, `Layout::load`, `Layout::builtin_names`,
//! `Layout::split`, `Layout::min_size`.

use ratatui::layout::{Constraint, Direction, Rect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PanelKind {
    Banner,
    Checklist,
    /// A one-line-per-section summary of the checklist (war room).
    Summary,
    Ramp,
    /// The hold countdown and the next decision point, big (war room).
    Countdown,
    Roles,
    Kill,
    Alerts,
    Metrics,
    Journal,
    Status,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub name: String,
    pub min_width: u16,
    pub min_height: u16,
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Panel(PanelKind),
    Split(Direction, Vec<(Constraint, Node)>),
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("unknown layout \"{0}\"")]
    Unknown(String),
}

impl Layout {
    pub fn builtin_names() -> &'static [&'static str] {
        &["commander"]
    }

    pub fn load(name: &str) -> Result<Layout, LayoutError> {
        use Constraint::*;
        use PanelKind::*;
        match name {
            "commander" => Ok(Layout {
                name: "commander".into(),
                min_width: 100,
                min_height: 30,
                root: Node::Split(
                    Direction::Vertical,
                    vec![
                        (
                            Length(8),
                            Node::Split(
                                Direction::Horizontal,
                                vec![
                                    (Percentage(70), Node::Panel(Banner)),
                                    (Percentage(30), Node::Panel(Kill)),
                                ],
                            ),
                        ),
                        (
                            Min(10),
                            Node::Split(
                                Direction::Horizontal,
                                vec![
                                    (Percentage(55), Node::Panel(Checklist)),
                                    (
                                        Percentage(45),
                                        Node::Split(
                                            Direction::Vertical,
                                            vec![
                                                (Length(7), Node::Panel(Ramp)),
                                                (Length(6), Node::Panel(Roles)),
                                                (Min(4), Node::Panel(Alerts)),
                                            ],
                                        ),
                                    ),
                                ],
                            ),
                        ),
                        (
                            Length(7),
                            Node::Split(
                                Direction::Horizontal,
                                vec![
                                    (Percentage(50), Node::Panel(Metrics)),
                                    (Percentage(50), Node::Panel(Journal)),
                                ],
                            ),
                        ),
                        (Length(1), Node::Panel(Status)),
                    ],
                ),
            }),
            other => Err(LayoutError::Unknown(other.into())),
        }
    }

    pub fn min_size(&self) -> (u16, u16) {
        (self.min_width, self.min_height)
    }

    /// Each panel of the layout and the rectangle it gets within `area`.
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
