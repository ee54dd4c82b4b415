//! The application layer: the jobs commands do, over the storage interface.

pub mod demo;
pub mod merge;
pub mod plansync;
pub mod report;
