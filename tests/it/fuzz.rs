//! Property tests on hostile input, a bounded number of cases each (run by
//! tests/run-all.sh in CI): the playbook loader and validator, the
//! Prometheus exposition parser and the journal line decoder must answer
//! arbitrary and mutated input with a value or an error, never a panic (and
//! never a stack overflow, which would abort the whole test binary).
//!
//! More cases locally: `PROPTEST_CASES=20000 cargo test --test fuzz`.

use liftoff::playbook::{load_str, PlaybookError};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::path::Path;

fn config(cases: u32) -> Config {
    Config {
        // PROPTEST_CASES overrides this (the environment wins in `Config::default`).
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

const SHIPPED: &[&str] = &[
    include_str!("../../assets/playbooks/rl-policy.toml"),
    include_str!("../../assets/playbooks/agenttrader-v2.toml"),
    include_str!("../../assets/playbooks/autopack-staged.toml"),
];

/// Snippets a mutation inserts: TOML syntax, hostile values, huge numbers,
/// deep conditions, keys that exist and keys that do not.
const SNIPPETS: &[&str] = &[
    "\n[[check]]\nid = \"x\"\nsource = \"nope\"\npass = \"value >= 1\"\n",
    "\n[source.z]\nkind = \"artifacts\"\ndir = \"/dev\"\n",
    "timeout = \"18446744073709551615s 800ms\"",
    "timeout = \"10000000000000000000s\"",
    "\"99999999999999999999d\"",
    "pass = \"((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))\"",
    "pass = \"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z\"",
    "pass = \"max([0.5]) < 0.8 && min([1]) >= 0.9\"",
    "pass = '''\n1 +\n'''",
    "= = =",
    "[[[",
    "]]",
    "{",
    "}",
    "\"",
    "'''",
    "\\u0000",
    "é",
    "🚀",
    "\n",
    "#",
    "-1",
    "1e308",
    "nan",
    "inf",
    "true",
    "[]",
    "{}",
    "percent = -5",
    "percent = 101",
    "hold = \"0s\"",
    "interval = \"0s\"",
    "max_bytes = 0",
    "query = \"rate(x[5m]\"",
    "matchers = [\"severity=~\\\"(\"]",
    "url = \"http://u:hunter2@h\"",
    "follow_redirects = true",
    "kind = \"sql\"",
    "kind = \"kubernetes\"",
];

/// A mutation of `text`: cut a span, insert a snippet, or duplicate a line,
/// at char boundaries.
#[derive(Debug, Clone)]
enum Mutation {
    Cut { at: usize, len: usize },
    Insert { at: usize, snippet: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Cut { at, len }),
        (any::<usize>(), 0..SNIPPETS.len())
            .prop_map(|(at, snippet)| Mutation::Insert { at, snippet }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    match *m {
        Mutation::Cut { at, len } => {
            let start = boundary(text, at);
            let end = boundary(text, (start + len).min(text.len()));
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
        Mutation::Insert { at, snippet } => {
            let i = boundary(text, at);
            format!("{}{}{}", &text[..i], SNIPPETS[snippet], &text[i..])
        }
        Mutation::DuplicateLine { line } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let i = line % lines.len();
                lines.insert(i, lines[i]);
            }
            lines.join("\n")
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
            }
            lines.join("\n")
        }
    }
}

/// Loaded, or refused with every problem located in the file.
fn loads_or_is_located(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz/liftoff.toml");
    match load_str(path, text) {
        Ok(_) => Ok(()),
        Err(PlaybookError::Invalid(problems)) => {
            prop_assert!(!problems.is_empty());
            for p in &problems {
                prop_assert_eq!(p.file.as_path(), path);
                prop_assert!(p.line >= 1 && p.col >= 1, "unlocated: {:?}", p);
                prop_assert!(!p.message.is_empty());
            }
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("not a located error: {other}"))),
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn mutated_shipped_playbooks_load_or_are_refused_where_wrong(
        which in 0..SHIPPED.len(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let mut text = SHIPPED[which].to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        loads_or_is_located(&text)?;
    }

    #[test]
    fn toml_ish_text_loads_or_is_refused_where_wrong(
        text in "(\\[release\\]\nname = \"x\"\n)?([\\[\\]a-z_.=\"'{},0-9 #\n-]|\\[\\[check\\]\\]|\\[source\\.a\\]|kind = \"(prometheus|scrape|command|artifacts|http|manual)\"|pass = |timeout = |\"[0-9]{1,25}(s|ms|d)\"){0,60}",
    ) {
        loads_or_is_located(&text)?;
    }

    #[test]
    fn the_exposition_parser_answers_anything(
        text in "(# (HELP|TYPE) [a-z_]{1,8} [a-z ]{0,10}\n|[a-z_]{1,8}(\\{([a-z_]{1,5}=\"[^\"\n]{0,8}\"(,)?){0,3}\\})? (-?[0-9.e+]{1,12}|NaN|\\+Inf|-Inf)( [0-9]{1,14})?\n|[\\{\\}\",=# a-z0-9.\\\\\n-]{0,20})*",
    ) {
        let _ = liftoff::source::exposition::parse(&text);
    }

    #[test]
    fn the_exposition_parser_answers_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = liftoff::source::exposition::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn the_journal_line_decoder_answers_anything(
        base in 0..JOURNAL_LINES.len(),
        mutations in proptest::collection::vec(mutation(), 0..3),
        noise in "[\\{\\}\\[\\]\":,a-z0-9\\\\ .-]{0,40}",
    ) {
        let mut line = JOURNAL_LINES[base].to_string();
        for m in &mutations {
            line = apply(&line, m);
        }
        let _ = liftoff::journal::line::decode(&line);
        let _ = liftoff::journal::line::decode(&noise);
        let _ = liftoff::journal::line::decode(&format!("{line}{noise}"));
    }
}

/// Journal lines as the journal writes them (and near misses).
const JOURNAL_LINES: &[&str] = &[
    r#"{"id":1,"at":"2026-11-21T12:00:00.123456Z","actor":{"name":"ana","role":"captain","host":"h","pid":7},"kind":"ack","payload":{"role":"captain"},"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#,
    r#"{"id":18446744073709551615,"at":"9999-12-31T23:59:59Z","actor":{"name":"","role":null,"host":"","pid":0},"kind":"kill_fired","payload":{"reason":"\u0000\ud800"},"prev":"","hash":""}"#,
    r#"{"id":-1,"at":"not a time","actor":null,"kind":1,"payload":[],"prev":null,"hash":null}"#,
    r#"{"hash":"x","hash":"y"}"#,
];
