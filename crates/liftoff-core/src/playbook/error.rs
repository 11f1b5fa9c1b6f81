//! Playbook errors that point at the file, line and column, and say what to write.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with a playbook, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.col,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    #[error("cannot read playbook {}: {source}\n  hint: give the path of a playbook TOML file, e.g. `liftoff check liftoff.toml`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render(.0))]
    Invalid(Vec<Problem>),
}

fn render(problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&p.to_string());
    }
    let n = problems.len();
    out.push_str(&format!(
        "\nplaybook refused: {n} problem{}",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Byte offset -> 1-based line and column (in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(crate) fn problem_at(
    file: &Path,
    text: &str,
    offset: usize,
    message: impl Into<String>,
    hint: Option<String>,
) -> Problem {
    let (line, col) = line_col(text, offset);
    Problem {
        file: file.to_path_buf(),
        line,
        col,
        message: message.into(),
        hint,
    }
}

/// "did you mean" from a list of valid words: the closest by Jaro-Winkler
/// (good at shared prefixes: `pas` -> `pass`), else one edit away counting a
/// swap of two letters as one edit (`fro` -> `for`).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c);
    close.or_else(|| {
        let allowed = if word.chars().count() >= 6 { 2 } else { 1 };
        candidates
            .iter()
            .map(|c| (strsim::damerau_levenshtein(word, c), *c))
            .filter(|(d, _)| *d <= allowed)
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 8), (2, 3));
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(suggest("pas", ["pass", "warn", "id"]), Some("pass"));
        assert_eq!(suggest("zzz", ["pass", "warn"]), None);
        assert_eq!(suggest("fro", ["id", "for", "trip"]), Some("for"));
        assert_eq!(suggest("x", ["id", "for"]), None);
    }
}
