//! What sources bring back, as data: observations, series selectors, and
//! how a playbook names a Kubernetes resource. The clients that fetch them
//! live in the `liftoff` crate's `source`.

pub mod observation;
pub mod resource;
pub mod selector;

pub use observation::*;
