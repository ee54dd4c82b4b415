//! Files that describe yardstick data: plan files (parse, canonical TOML,
//! diff), their sync with the store, review templates, the configuration
//! file, and the demo data generator.

pub mod config;
pub mod demo;
pub mod exchange;
pub mod planfile;
pub mod plansync;
pub mod template;
