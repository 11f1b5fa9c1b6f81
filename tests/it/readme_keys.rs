//! The README's key table says what the keymap says: every binding has its
//! row (group, keys, description), and the table has no row the keymap lacks.

use liftoff::tui::keymap::{key_label, Group, BINDINGS};

const README: &str = include_str!("../../README.md");

/// "| group | `a` / `b` | description |", the README's spelling of a binding,
/// in the help's order.
fn rows() -> Vec<String> {
    Group::ALL
        .iter()
        .flat_map(|g| BINDINGS.iter().filter(move |b| b.group == *g))
        .map(|b| {
            let keys: Vec<String> = b
                .keys
                .iter()
                .map(|k| format!("`{}`", key_label(k)))
                .collect();
            format!(
                "| {} | {} | {} |",
                b.group.title(),
                keys.join(" / "),
                b.description
            )
        })
        .collect()
}

#[test]
fn every_binding_has_its_row_in_the_readme() {
    let rows = rows();
    let missing: Vec<&String> = rows
        .iter()
        .filter(|r| !README.contains(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's key table lacks (or spells differently):\n{}",
        missing
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_readme_lists_no_key_the_keymap_lacks() {
    let rows = rows();
    let start = README
        .find("| group | keys | does |")
        .expect("the key table");
    let table: Vec<&str> = README[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(!table.is_empty());
    for line in table {
        assert!(rows.iter().any(|r| r == line), "not in the keymap: {line}");
    }
}
