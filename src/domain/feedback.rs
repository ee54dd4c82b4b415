//! Continuous feedback: praise, coaching, concerns and 360 input.

use crate::domain::FeedbackKind;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;

/// A piece of feedback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback {
    /// Row id.
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// The author's handle (none if the author was removed).
    pub from: Option<String>,
    /// The subject's handle.
    pub to: String,
    /// The day it is about.
    pub date: NaiveDate,
    /// Praise, coaching, concern or 360.
    pub kind: FeedbackKind,
    /// The feedback.
    pub text: String,
    /// The goal it is about, by key.
    pub goal: Option<String>,
    /// Private to the author and the subject's managers.
    pub private: bool,
    /// Created (RFC 3339).
    pub created_at: String,
}
/// Feedback is about someone else than its author (`from` and `to` name
/// people the same way: ids, handles or UUIDs).
pub fn check_recipient<T: PartialEq + ?Sized>(from: &T, to: &T) -> Result<()> {
    if from == to {
        return Err(Error::invalid("feedback is for someone else")
            .with_hint("record notes on your own goals with `yardstick checkin GOAL --note ...`"));
    }
    Ok(())
}
