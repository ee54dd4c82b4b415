//! The follow-up of a review: development actions as tracked records, the
//! subject's acknowledgements (with comments, voided by a reopening), and
//! performance improvement plans with their goals, check points and steps.

use super::StoreResult;
use crate::domain::cycle::{Acknowledgement, ActionRow, ActionStatus};
use crate::domain::pip::{Pip, PipCheckpoint, PipOutcome, PipStep};
use chrono::NaiveDate;

/// Which development actions to list (every field narrows).
#[derive(Debug, Clone, Copy, Default)]
pub struct ActionFilter {
    /// In this cycle (row id).
    pub cycle: Option<i64>,
    /// About this subject (a person's row id).
    pub subject: Option<i64>,
    /// Only open ones due before this day.
    pub overdue_on: Option<NaiveDate>,
}

/// A new development action.
#[derive(Debug, Clone)]
pub struct NewAction<'a> {
    /// The cycle (row id).
    pub cycle: i64,
    /// The subject (a person's row id).
    pub subject: i64,
    /// Who carries it out (a person's row id).
    pub owner: i64,
    /// What to do.
    pub text: &'a str,
    /// By when.
    pub due: Option<NaiveDate>,
}

/// A new improvement plan.
#[derive(Debug, Clone)]
pub struct NewPip<'a> {
    /// Whose plan (a person's row id).
    pub subject: i64,
    /// Who starts it (a person's row id).
    pub started_by: Option<i64>,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Why.
    pub reason: &'a str,
}

/// Development actions, acknowledgements and improvement plans.
pub trait FollowUpRepo {
    /// Development actions, oldest first.
    fn actions(&self, filter: &ActionFilter) -> StoreResult<Vec<ActionRow>>;

    /// A development action by row id.
    fn action_by_id(&self, id: i64) -> StoreResult<Option<ActionRow>>;

    /// Add a development action; returns its row id.
    fn add_action(&mut self, now: &str, action: &NewAction<'_>) -> StoreResult<i64>;

    /// Set a development action's status and note (and when it was closed);
    /// returns whether it changed.
    fn set_action_status(
        &mut self,
        now: &str,
        id: i64,
        status: ActionStatus,
        note: Option<&str>,
    ) -> StoreResult<bool>;

    /// Record a subject's acknowledgement of their outcome with their
    /// comment (and mark the participant acknowledged); returns whether it
    /// changed (not when already acknowledged).
    fn add_acknowledgement(
        &mut self,
        now: &str,
        cycle: i64,
        person: i64,
        comment: Option<&str>,
    ) -> StoreResult<bool>;

    /// The acknowledgements of a cycle (one subject's, or all), oldest first,
    /// voided ones included.
    fn acknowledgements(
        &self,
        cycle: i64,
        person: Option<i64>,
    ) -> StoreResult<Vec<(String, Acknowledgement)>>;

    /// Void every current acknowledgement of a cycle (a reopening): they
    /// stay in the history, and the participants may acknowledge again.
    /// Returns how many were voided.
    fn void_acknowledgements(&mut self, now: &str, cycle: i64) -> StoreResult<usize>;

    /// Point an outcome at the improvement plan it recommends (or at none).
    fn set_outcome_pip(&mut self, now: &str, outcome: i64, pip: Option<i64>) -> StoreResult<()>;

    /// Start an improvement plan; returns its row id.
    fn insert_pip(&mut self, now: &str, pip: &NewPip<'_>) -> StoreResult<i64>;

    /// An improvement plan by row id.
    fn pip_by_id(&self, id: i64) -> StoreResult<Option<Pip>>;

    /// Improvement plans (one subject's, or all), newest first.
    fn list_pips(&self, subject: Option<i64>) -> StoreResult<Vec<Pip>>;

    /// Link a goal to a plan as one of its expected results.
    fn link_pip_goal(&mut self, now: &str, pip: i64, goal: i64) -> StoreResult<()>;

    /// The goals (row ids) of a plan, in the order they were linked.
    fn pip_goals(&self, pip: i64) -> StoreResult<Vec<i64>>;

    /// Schedule a check point; returns its row id.
    fn add_pip_checkpoint(&mut self, now: &str, pip: i64, due: NaiveDate) -> StoreResult<i64>;

    /// Record that a check point was held, with a note.
    fn hold_pip_checkpoint(
        &mut self,
        now: &str,
        id: i64,
        held_on: NaiveDate,
        note: &str,
    ) -> StoreResult<()>;

    /// The check points of a plan, by day.
    fn pip_checkpoints(&self, pip: i64) -> StoreResult<Vec<PipCheckpoint>>;

    /// Log a step of a plan.
    fn add_pip_step(&mut self, now: &str, pip: i64, step: &PipStep) -> StoreResult<()>;

    /// The steps of a plan, oldest first.
    fn pip_steps(&self, pip: i64) -> StoreResult<Vec<PipStep>>;

    /// Record a plan's outcome: a new end date for an extension, closed
    /// (at `now`) otherwise.
    fn set_pip_outcome(
        &mut self,
        now: &str,
        pip: i64,
        outcome: PipOutcome,
        end: NaiveDate,
    ) -> StoreResult<()>;
}
