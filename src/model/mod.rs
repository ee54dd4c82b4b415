//! The domain, pure: goals, measures, progress, standards and roll-ups.
//!
//! No I/O, no clock, no printing: everything a rule needs comes in as an
//! argument, so every rule can be tested and documented with worked examples.

pub mod names;
pub mod types;

pub use types::{Category, Direction, GoalStatus, MeasureKind, Priority, Standard};
