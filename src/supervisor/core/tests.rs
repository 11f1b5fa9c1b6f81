//! The core alone: guards, decision points, incremental evaluation.
