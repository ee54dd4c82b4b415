//! yardstick: performance management over one local SQLite file.
//!
//! Layers, with dependencies pointing one way: `cli → report, io → store →
//! model` and `render → report → model`. The model knows nothing of SQL,
//! terminals or clap; the store nothing of rendering; nothing but `cli` prints.

pub mod cli;
pub mod error;
pub mod io;
pub mod model;
pub mod render;
pub mod report;
pub mod store;
pub mod time;

pub use error::{Error, ErrorKind, Result};
