//! Views: each command's outcome as a [`Doc`](crate::render::Doc), one
//! builder per view, so that every format of a view shows the same fields.
//! The renderers in `render` turn the document into bytes.

pub mod activity;
pub mod appraise;
pub mod followup;
pub mod org;
pub mod reports;
