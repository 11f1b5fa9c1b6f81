//! Reading one layout file into a tree of splits, every mistake located.
//!
//! Rows stack top to bottom and hold columns (`[[row.col]]`); columns sit side
//! by side and hold rows (`[[row.col.row]]`), as deep as needed. Each entry
//! names a `panel` or holds children, and is sized by one of: `height` (rows)
//! / `width` (columns) as cells or "NN%", `ratio` (a share of what is left),
//! or `min` (at least that many cells, growing to fill).

use super::{Node, PanelKind};
use crate::config_file::{as_u16, ConfigText};
use crate::playbook::{suggest, Problem};
use ratatui::layout::{Constraint, Direction};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub struct Parsed {
    pub description: Option<String>,
    pub min_width: u16,
    pub min_height: u16,
    pub root: Node,
}

/// Rows or columns: what an entry is, which key sizes it, what it holds.
#[derive(Clone, Copy, PartialEq)]
enum Axis {
    Row,
    Col,
}

impl Axis {
    fn word(self) -> &'static str {
        match self {
            Axis::Row => "row",
            Axis::Col => "column",
        }
    }
    fn size_key(self) -> &'static str {
        match self {
            Axis::Row => "height",
            Axis::Col => "width",
        }
    }
    /// The key under which this entry's children sit, and what they are.
    fn child(self) -> (&'static str, Axis) {
        match self {
            Axis::Row => ("col", Axis::Col),
            Axis::Col => ("row", Axis::Row),
        }
    }
    /// Entries of this axis sit along this direction inside their parent.
    fn direction(self) -> Direction {
        match self {
            Axis::Row => Direction::Vertical,
            Axis::Col => Direction::Horizontal,
        }
    }
}

const TOP_KEYS: [&str; 6] = [
    "name",
    "description",
    "min_width",
    "min_height",
    "row",
    "col",
];

/// A split's entries: each child's size and what it holds.
type Children = Vec<(Constraint, Node)>;

struct Walker<'a> {
    doc: ConfigText<'a>,
    seen: HashMap<PanelKind, usize>,
}

pub fn parse(file: &Path, text: &str) -> Result<Parsed, Problem> {
    let doc = ConfigText { file, text };
    let root = doc.parse()?;
    let mut w = Walker {
        doc,
        seen: HashMap::new(),
    };
    let mut description = None;
    let mut min = [None, None];
    let mut children: Option<(Axis, Children, usize)> = None;
    for (key, value) in root.get_ref().iter() {
        let at = value.span().start;
        match key.get_ref().as_ref() {
            k @ ("name" | "description") => {
                let s = value.get_ref().as_str().ok_or_else(|| {
                    w.doc
                        .problem(at, format!("`{k}` takes a string in quotes"), None)
                })?;
                if k == "description" {
                    description = Some(s.to_string());
                }
            }
            k @ ("min_width" | "min_height") => {
                let n = as_u16(value.get_ref()).ok_or_else(|| {
                    w.doc.problem(
                        at,
                        format!("`{k}` takes a whole number of cells"),
                        Some(format!("write e.g. {k} = 24")),
                    )
                })?;
                min[usize::from(k == "min_height")] = Some((n, at));
            }
            k @ ("row" | "col") => {
                let axis = if k == "row" { Axis::Row } else { Axis::Col };
                if let Some((_, _, first_at)) = &children {
                    // Keys come sorted, not in file order: point at the later one.
                    return Err(w.doc.problem(
                        key.span().start.max(*first_at),
                        "a layout has either top-level [[row]] entries or [[col]] entries, not both",
                        Some("nest one inside the other: [[row.col]] or [[col.row]]".into()),
                    ));
                }
                children = Some((axis, w.entries(axis, value)?, key.span().start));
            }
            _ => return Err(w.doc.unknown_key(key, &TOP_KEYS)),
        }
    }
    let Some((axis, kids, _)) = children else {
        return Err(w.doc.problem(
            0,
            "this layout has no rows",
            Some(
                "add [[row]] entries, e.g. [[row]] then panel = \"checklist\" on the next line"
                    .into(),
            ),
        ));
    };
    let root = Node::Split(axis.direction(), kids);
    let (need_w, need_h) = need(&root);
    let min_width = w.check_min(min[0], need_w, "min_width", "columns")?;
    let min_height = w.check_min(min[1], need_h, "min_height", "rows")?;
    Ok(Parsed {
        description,
        min_width,
        min_height,
        root,
    })
}

impl Walker<'_> {
    /// `[[row]]` / `[[col]]`-style entries: an array of tables.
    fn entries(&mut self, axis: Axis, value: &Spanned<DeValue<'_>>) -> Result<Children, Problem> {
        let key = axis.child().1.child().0; // "row" for rows, "col" for columns
        let at = value.span().start;
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.not_list(at, key, axis));
        };
        if items.is_empty() {
            return Err(self.not_list(at, key, axis));
        }
        let mut out = Vec::new();
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                return Err(self.not_list(at, key, axis));
            };
            out.push(self.entry(axis, t, item.span().start)?);
        }
        Ok(out)
    }

    fn not_list(&self, at: usize, key: &str, axis: Axis) -> Problem {
        self.doc.problem(
            at,
            format!("`{key}` must be a list of tables"),
            Some(format!(
                "write [[...{key}]] with two brackets, one per {}",
                axis.word()
            )),
        )
    }

    fn entry(
        &mut self,
        axis: Axis,
        table: &DeTable<'_>,
        at: usize,
    ) -> Result<(Constraint, Node), Problem> {
        let (child_key, child_axis) = axis.child();
        let size_key = axis.size_key();
        let valid = ["panel", size_key, "ratio", "min", child_key];
        let mut panel = None;
        let mut size: Option<(Constraint, &Spanned<Cow<'_, str>>)> = None;
        let mut kids = None;
        for (key, value) in table.iter() {
            let k = key.get_ref().as_ref();
            let constraint = match k {
                "panel" => {
                    panel = Some(self.panel(value)?);
                    None
                }
                "ratio" => Some(Constraint::Fill(self.count(value, "ratio", 1)?)),
                "min" => Some(Constraint::Min(self.count(value, "min", 0)?)),
                k if k == size_key => Some(self.size(value, size_key)?),
                k if k == child_key => {
                    kids = Some(self.entries(child_axis, value)?);
                    None
                }
                "height" | "width" => {
                    return Err(self.doc.problem(
                        key.span().start,
                        format!("a {} is sized by `{size_key}`, not `{k}`", axis.word()),
                        Some(format!(
                            "write {size_key} = ... (or ratio = N, or min = N); `{k}` sizes a {}",
                            child_axis.word()
                        )),
                    ))
                }
                _ => return Err(self.doc.unknown_key(key, &valid)),
            };
            if let Some(c) = constraint {
                if let Some((_, first)) = size {
                    // Keys come sorted, not in file order: point at the later one.
                    return Err(self.doc.problem(
                        key.span().start.max(first.span().start),
                        format!(
                            "this {} has two sizes, `{}` and `{k}`",
                            axis.word(),
                            first.get_ref()
                        ),
                        Some(format!("keep one of {size_key}, ratio, min")),
                    ));
                }
                size = Some((c, key));
            }
        }
        let node = match (panel, kids) {
            (Some(p), None) => Node::Panel(p),
            (None, Some(k)) => Node::Split(child_axis.direction(), k),
            (Some(_), Some(_)) => {
                return Err(self.doc.problem(
                    at,
                    format!("this {} names a panel and also holds {child_key} entries", axis.word()),
                    Some(format!("keep one: panel = \"...\", or [[...{child_key}]] entries inside it")),
                ))
            }
            (None, None) => {
                return Err(self.doc.problem(
                    at,
                    format!("this {} shows nothing", axis.word()),
                    Some(format!(
                        "add panel = \"checklist\" (panels: {}), or [[...{child_key}]] entries inside it",
                        panel_names()
                    )),
                ))
            }
        };
        Ok((size.map(|(c, _)| c).unwrap_or(Constraint::Fill(1)), node))
    }

    fn panel(&mut self, value: &Spanned<DeValue<'_>>) -> Result<PanelKind, Problem> {
        let at = value.span().start;
        let name = value.get_ref().as_str().ok_or_else(|| {
            self.doc.problem(
                at,
                "`panel` takes a panel name in quotes",
                Some(format!("panels: {}", panel_names())),
            )
        })?;
        let Some(p) = PanelKind::from_name(name) else {
            let hint = match suggest(name, PanelKind::ALL.iter().map(|p| p.name())) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("panels: {}", panel_names()),
            };
            return Err(self
                .doc
                .problem(at, format!("unknown panel \"{name}\""), Some(hint)));
        };
        if let Some(first) = self.seen.insert(p, at) {
            let (line, _) = crate::playbook::line_col(self.doc.text, first);
            return Err(self.doc.problem(
                at,
                format!("panel \"{name}\" appears twice (first on line {line})"),
                Some("each panel appears once; remove one".into()),
            ));
        }
        Ok(p)
    }

    fn count(&self, value: &Spanned<DeValue<'_>>, key: &str, least: u16) -> Result<u16, Problem> {
        as_u16(value.get_ref())
            .filter(|n| *n >= least)
            .ok_or_else(|| {
                self.doc.problem(
                    value.span().start,
                    format!("`{key}` takes a whole number of at least {least}"),
                    Some(format!("write e.g. {key} = {}", least.max(2))),
                )
            })
    }

    /// `height` / `width`: cells (an integer) or a percentage ("40%").
    fn size(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<Constraint, Problem> {
        let bad = || {
            self.doc.problem(
                value.span().start,
                format!(
                    "`{key}` takes cells (e.g. {key} = 8) or a percentage (e.g. {key} = \"40%\")"
                ),
                None,
            )
        };
        match value.get_ref() {
            DeValue::Integer(_) => as_u16(value.get_ref())
                .map(Constraint::Length)
                .ok_or_else(bad),
            DeValue::String(s) => s
                .trim()
                .strip_suffix('%')
                .and_then(|n| n.trim().parse::<u16>().ok())
                .filter(|n| (1..=100).contains(n))
                .map(Constraint::Percentage)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// A declared minimum must leave room for the fixed sizes; none given: the need.
    fn check_min(
        &self,
        declared: Option<(u16, usize)>,
        need: u16,
        key: &str,
        unit: &str,
    ) -> Result<u16, Problem> {
        match declared {
            None => Ok(need),
            Some((n, _)) if n >= need => Ok(n),
            Some((n, at)) => Err(self.doc.problem(
                at,
                format!("{key} = {n} is too small: this layout's fixed sizes and panels need {need} {unit}"),
                Some(format!("write {key} = {need} or more, or make the fixed sizes smaller")),
            )),
        }
    }
}

fn panel_names() -> String {
    PanelKind::ALL
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The least (width, height) a node needs: along a split the children's
/// needs add up (a fixed length counts as itself), across it the largest
/// wins; a panel needs its floor.
fn need(node: &Node) -> (u16, u16) {
    match node {
        Node::Panel(p) => p.floor(),
        Node::Split(dir, children) => {
            let mut along = 0u16;
            let mut across = 0u16;
            for (c, child) in children {
                let (w, h) = need(child);
                let (child_along, child_across) = match dir {
                    Direction::Horizontal => (w, h),
                    Direction::Vertical => (h, w),
                };
                // A fixed length is the author's choice; anything else must
                // leave the child its own need.
                let child_need = match c {
                    Constraint::Length(n) => *n,
                    Constraint::Min(n) => child_along.max(*n),
                    _ => child_along,
                };
                along = along.saturating_add(child_need);
                across = across.max(child_across);
            }
            match dir {
                Direction::Horizontal => (along, across),
                Direction::Vertical => (across, along),
            }
        }
    }
}
