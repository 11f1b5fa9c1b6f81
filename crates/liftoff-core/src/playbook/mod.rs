//! The playbook: one TOML file that describes a release. Loaded, validated and
//! compiled before anything runs; a bad playbook is refused with
//! `file:line:col`, what is wrong and what to write instead.

mod advice;
mod compiled;
mod condition;
mod duration;
mod error;
mod lint_baseline;
mod lint_journal;
mod lint_source;
mod load;
pub mod model;
pub mod patch;
mod spans;
mod table;
mod types;
mod validate;

pub use compiled::{CompiledCheck, CompiledGuard, CompiledReadback, LoadedPlaybook};
pub use duration::{parse_duration, Dur};
pub use error::{line_col, suggest, PlaybookError, Problem};
pub use load::{load, load_str};
pub use model::*;
pub use table::{ActionSpec, SourceSpec, Table};
pub use types::*;
