//! The part of a test playbook the rule book's tests (`rules_tests`) and a
//! person's acts' tests (`person_tests`) both stand on.

/// Roles `commander` and `sre`; the manual item `plan` (an sre ticks it); the
/// command source `cmd` and the check `coverage` on it, waivable by `waiver`.
/// Goes after the test's own `[release]` table.
pub(super) fn roles_and_coverage(waiver: &str) -> String {
    format!(
        r#"
[[role]]
id = "commander"
[[role]]
id = "sre"

[source.plan]
kind = "manual"
title = "Rollback plan reviewed"
role = "sre"

[source.cmd]
kind = "command"
run = ["true"]

[[check]]
id = "coverage"
source = "cmd"
pass = "exit_code == 0"
waivable_by = ["{waiver}"]
"#
    )
}
