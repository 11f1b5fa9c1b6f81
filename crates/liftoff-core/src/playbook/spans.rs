//! Where each key and value sits in the playbook text, so that problems found
//! after deserialising (a missing source, a bad CEL expression) still point at
//! the right line.

use std::collections::HashMap;
use toml::de::{DeTable, DeValue};

/// Dotted paths ("check.3.pass", "source.prom.url") -> (key start, value start).
#[derive(Debug, Default)]
pub struct SpanIndex {
    spans: HashMap<String, (usize, usize)>,
}

impl SpanIndex {
    pub fn build(text: &str) -> Self {
        let mut index = SpanIndex::default();
        if let Ok(root) = DeTable::parse(text) {
            index.walk_table("", root.get_ref());
        }
        index
    }

    fn walk_table(&mut self, prefix: &str, table: &DeTable<'_>) {
        for (key, value) in table.iter() {
            let path = join(prefix, key.get_ref());
            self.spans
                .insert(path.clone(), (key.span().start, value.span().start));
            self.walk_value(&path, value.get_ref());
        }
    }

    fn walk_value(&mut self, path: &str, value: &DeValue<'_>) {
        match value {
            DeValue::Table(t) => self.walk_table(path, t),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}.{i}");
                    let at = item.span().start;
                    self.spans.insert(item_path.clone(), (at, at));
                    self.walk_value(&item_path, item.get_ref());
                }
            }
            _ => {}
        }
    }

    /// Offset of the value at `path`, or of the nearest enclosing thing that exists.
    pub fn value_offset(&self, path: &str) -> usize {
        self.lookup(path).map(|(_, v)| v).unwrap_or(0)
    }

    /// Offset of the key at `path` (for "this key does not belong here").
    pub fn key_offset(&self, path: &str) -> usize {
        self.lookup(path).map(|(k, _)| k).unwrap_or(0)
    }

    fn lookup(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some(s) = self.spans.get(p) {
                return Some(*s);
            }
            p = &p[..p.rfind('.')?];
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_array_of_table_items_and_falls_back_to_parent() {
        let text = "[[check]]\nid = \"a\"\n\n[[check]]\nid = \"b\"\npass = \"x\"\n";
        let idx = SpanIndex::build(text);
        let pass = idx.value_offset("check.1.pass");
        assert_eq!(&text[pass..pass + 3], "\"x\"");
        let missing = idx.value_offset("check.1.nope");
        assert!(missing > 0 && missing < pass);
    }
}
