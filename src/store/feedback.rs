//! The feedback repository.

use super::StoreResult;
use crate::domain::FeedbackKind;
use crate::domain::feedback::Feedback;
use chrono::NaiveDate;

/// A new piece of feedback.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    /// Author (person id).
    pub from_id: Option<i64>,
    /// Subject (person id).
    pub to_id: i64,
    /// Day.
    pub date: NaiveDate,
    /// Kind.
    pub kind: FeedbackKind,
    /// Text.
    pub text: String,
    /// Goal (id).
    pub goal_id: Option<i64>,
    /// Private or shared.
    pub private: bool,
}

/// Which feedback to list.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// About this person (id).
    pub to: Option<i64>,
    /// By this person (id).
    pub from: Option<i64>,
    /// On or after.
    pub since: Option<NaiveDate>,
    /// On or before.
    pub until: Option<NaiveDate>,
    /// Of this kind.
    pub kind: Option<FeedbackKind>,
    /// About people in these teams (ids).
    pub teams: Option<Vec<i64>>,
}

/// Feedback.
pub trait FeedbackRepo {
    /// Record feedback; returns its row id.
    fn insert_feedback(&mut self, now: &str, feedback: &NewFeedback) -> StoreResult<i64>;

    /// A piece of feedback by row id.
    fn feedback(&self, id: i64) -> StoreResult<Option<Feedback>>;

    /// Feedback matching a filter, newest first.
    fn list_feedback(&self, filter: &FeedbackFilter) -> StoreResult<Vec<Feedback>>;

    /// Remove a piece of feedback.
    fn delete_feedback(&mut self, id: i64) -> StoreResult<()>;
}
