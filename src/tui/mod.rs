//! The cockpit: the full-screen terminal UI.

pub mod layout;
pub mod theme;
