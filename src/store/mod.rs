//! Storage.

pub mod sqlite;

pub use sqlite::*;
