//! Report builders: query the store, apply the model's rules, and return
//! plain serialisable structs. No formatting here; `render` does that.

pub mod appraise;
pub mod plan;
