//! Side effects shared by sources and actions: bounded HTTP fetches and child
//! processes that die with their whole process group.

pub mod fetch;
pub mod process;
pub mod tail;
