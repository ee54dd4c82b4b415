//! Looking after a database: what a backup copied and what `doctor` found.

pub use super::sqlite::maintenance::{BackupInfo, Health, TableCount, backup, doctor};
