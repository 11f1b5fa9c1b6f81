//! Limits a condition must keep before it reaches the CEL parser, whose
//! recursion follows the expression's depth (a 50,000-term `1 + 1 + ...`
//! overflows the stack) and whose error positions stop at column 65,535.
//! The limits are far above any condition a person writes.

/// Bytes in one condition.
pub const MAX_LEN: usize = 4096;
/// Brackets open at once: `(`, `[`, `{`.
pub const MAX_NESTING: usize = 32;
/// Operators and member accesses in one condition (each may add a level to
/// the parse tree: `a.b.c`, `1 + 1 + 1`).
pub const MAX_OPERATORS: usize = 256;

/// A limit a condition breaks, and the byte index where it breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub message: String,
    pub hint: &'static str,
    pub at: usize,
}

const SPLIT_HINT: &str =
    "split it into several checks, or compute the value in the source (a recording rule, a query)";

/// How deep a condition may make the parser and evaluator recurse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    pub nesting: usize,
    pub operators: usize,
}

impl Shape {
    /// Whether the CEL parser or evaluator may need more stack than a
    /// worker thread (2 MiB) can spare: a debug build takes ~130 KiB per
    /// bracket level and ~50 KiB per operator. Everyday conditions
    /// (`value >= 0.9`, a `filter(...).size()`) stay on the thread's stack.
    pub fn is_deep(self) -> bool {
        self.nesting > 3 || self.operators > 12
    }
}

/// The condition's shape when `source` keeps every limit.
pub fn check(source: &str) -> Result<Shape, Exceeded> {
    if source.len() > MAX_LEN {
        let at = (0..=MAX_LEN)
            .rev()
            .find(|&i| source.is_char_boundary(i))
            .unwrap_or(0);
        return Err(Exceeded {
            message: format!(
                "this condition is {} bytes long, more than the {MAX_LEN} a condition may have",
                source.len()
            ),
            hint: SPLIT_HINT,
            at,
        });
    }
    let bytes = source.as_bytes();
    let (mut depth, mut operators, mut i) = (0usize, 0usize, 0usize);
    let mut nesting = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                // A string's content is not code; an unterminated one is
                // scanned as code (more is counted, never less).
                if let Some(end) = string_end(bytes, i) {
                    i = end;
                    continue;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                nesting = nesting.max(depth);
                if depth > MAX_NESTING {
                    return Err(Exceeded {
                        message: format!(
                            "this condition nests brackets more than {MAX_NESTING} deep"
                        ),
                        hint: SPLIT_HINT,
                        at: i,
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'.' | b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'!' | b'?' | b'&' | b'|'
            | b'=' => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(Exceeded {
                        message: format!(
                            "this condition has more than {MAX_OPERATORS} operators and member accesses"
                        ),
                        hint: SPLIT_HINT,
                        at: i,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(Shape { nesting, operators })
}

/// The index just past the string literal opening at `start` (single,
/// double or triple quotes, backslash escapes), if it closes.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let q = bytes[start];
    let triple = bytes.get(start..start + 3) == Some(&[q, q, q][..]);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            c if c == q => {
                if !triple {
                    return Some(i + 1);
                }
                if bytes.get(i..i + 3) == Some(&[q, q, q][..]) {
                    return Some(i + 3);
                }
                i += 1;
            }
            b'\n' if !triple => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{compile, Vars};

    /// Compiles and evaluates `source` on a thread with a small stack (half
    /// of tokio's and the test harness's 2 MiB): deep conditions get a
    /// stack of their own.
    fn runs_on_a_small_stack(source: String) {
        runs_on_a_stack_of(1024 * 1024, source)
    }

    fn runs_on_a_stack_of(bytes: usize, source: String) {
        std::thread::Builder::new()
            .stack_size(bytes)
            .spawn(move || {
                let e = compile(&source).unwrap_or_else(|e| panic!("{e}"));
                // `a` is unbound: evaluation still walks the whole chain.
                let _ = e.eval(&Vars::default());
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn conditions_at_the_limits_compile_and_run_without_overflow() {
        let chain = format!("{} > 0", vec!["1"; MAX_OPERATORS].join(" + "));
        assert!(check(&chain).is_ok());
        runs_on_a_small_stack(chain);
        let members = format!("a{}", ".b".repeat(MAX_OPERATORS));
        assert!(check(&members).is_ok());
        runs_on_a_small_stack(members);
        let nested = format!(
            "{}{}{}",
            "(".repeat(MAX_NESTING),
            vec!["1"; MAX_OPERATORS - MAX_NESTING].join(" + "),
            ")".repeat(MAX_NESTING)
        );
        assert!(check(&nested).is_ok());
        runs_on_a_small_stack(nested);
    }

    /// The deepest condition that is not `is_deep` runs on the stack of a
    /// tokio worker (2 MiB) as it is.
    #[test]
    fn the_shallow_side_of_the_line_fits_a_worker_stack() {
        let shallow = format!("((({})))", vec!["1"; 13].join(" + "));
        let shape = check(&shallow).unwrap();
        assert_eq!(
            shape,
            Shape {
                nesting: 3,
                operators: 12
            }
        );
        assert!(!shape.is_deep());
        runs_on_a_stack_of(2 * 1024 * 1024, shallow);
    }

    #[test]
    fn conditions_past_the_limits_are_refused_where_they_break_them() {
        let chain = vec!["1"; 50_000].join(" + ");
        let e = check(&chain).unwrap_err();
        assert!(e.message.contains("bytes long"), "{e:?}");
        let chain = vec!["1"; MAX_OPERATORS + 2].join("+");
        let e = check(&chain).unwrap_err();
        assert!(e.message.contains("operators"), "{e:?}");
        assert_eq!(e.at, 2 * (MAX_OPERATORS + 1) - 1);
        let nested = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        let e = check(&nested).unwrap_err();
        assert_eq!(e.at, MAX_NESTING);
        let members = format!("a{}", ".b".repeat(100_000));
        assert!(check(&members).is_err());
    }

    #[test]
    fn strings_are_not_counted() {
        let dots = format!(
            "name == \"{}\" && x == '{}'",
            ".".repeat(1000),
            "(".repeat(100)
        );
        assert!(check(&dots).is_ok());
        assert!(check(r#"name == """a"b(((""" "#).is_ok());
        // Unterminated: counted as code.
        assert!(check(&format!("\"{}", "(".repeat(40))).is_err());
    }
}
