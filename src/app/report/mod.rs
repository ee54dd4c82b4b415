//! Report builders: query the store, apply the model's rules, and return
//! plain serialisable structs. No formatting here; `render` does that.

pub mod appraise;
pub mod people;
pub mod plan;
pub mod progress;
pub mod review;
