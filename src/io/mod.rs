//! Plan files, configuration, import and export.

pub mod config;
