//! yardstick: performance management over one local SQLite file.
//!
//! Layers, with dependencies pointing one way: `cli → report, io → store →
//! model` and `render → report → model`. The model knows nothing of SQL,
//! terminals or clap; the store nothing of rendering; nothing but `cli` prints.

pub mod app;
pub mod cli;
pub mod domain;
pub mod error;
pub mod formats;
pub mod render;
pub mod store;
pub mod time;

pub use error::{Error, ErrorKind, Result};
