//! The few std-only helpers the floor shares with the I/O layer: this
//! machine's name, regular files read without hanging, secrets by reference
//! and their redaction, and the tail of a program's output. No async
//! runtime, no network.

pub mod file;
pub mod host;
pub mod secret;
pub mod tail;
