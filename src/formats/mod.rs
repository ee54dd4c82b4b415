//! Files that describe yardstick data: plan files (parse, canonical TOML,
//! diff), review templates, the configuration file, and the exchange format
//! (JSON records and check-in CSV).

pub mod config;
pub mod exchange;
pub mod planfile;
pub mod template;
