//! Side effects shared by sources and actions: bounded HTTP fetches and child
//! processes that die with their whole process group, and file reads that
//! cannot hang.

pub mod fetch;
pub mod file;
pub mod process;
pub mod tail;
pub mod tree;
