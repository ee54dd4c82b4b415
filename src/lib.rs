//! yardstick: performance management over one local SQLite file.
//!
//! Layers, with dependencies pointing one way: `cli → app → store → domain`,
//! `cli → render → domain`, `app → formats → domain`, and the SQLite backend
//! `store/sqlite → store`. The domain knows nothing of SQL, terminals or clap;
//! no backend type appears above `store`; nothing but `cli` prints. See
//! `docs/architecture.md`.

pub mod app;
pub mod cli;
pub mod domain;
pub mod error;
pub mod formats;
pub mod render;
pub mod store;
pub mod tempfiles;
pub mod time;

pub use error::{Error, ErrorKind, Result};
