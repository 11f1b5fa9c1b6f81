//! The pure core: (playbook, observations, release state, now) -> verdicts,
//! ACKs and a gate decision (`assess`). No I/O, no clock: everything it
//! needs is passed in.

pub mod assess;
pub mod gate;
pub mod verdict;

pub use assess::{assess, Assessment, SourceIndex};
pub use gate::{decide, AckStatus, Decision, GateDecision, Hold};
pub use verdict::{evaluate, Evidence, Status, Verdict};
