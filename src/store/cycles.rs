//! The review cycles' repository: templates, cycles, participants,
//! reviews and ratings, outcomes, development actions and history.

use super::StoreResult;
use crate::domain::cycle::{Cycle, CycleEvent, Outcome, Participant, Review};
use crate::domain::{CycleState, ReviewKind, ReviewState};
use chrono::NaiveDate;

/// A new cycle (its participants are added one by one).
#[derive(Debug, Clone)]
pub struct NewCycle {
    /// Name.
    pub name: String,
    /// Period name.
    pub period: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Template id.
    pub template_id: i64,
    /// Self reviews due.
    pub self_due: Option<NaiveDate>,
    /// Manager reviews due.
    pub manager_due: Option<NaiveDate>,
    /// Who created it (a person's row id).
    pub created_by: Option<i64>,
}

/// A frozen appraisal record: what finalizing a cycle stored for a subject.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Stable UUID.
    pub uuid: String,
    /// The subject's person row id.
    pub subject: i64,
    /// 1 for the cycle's first finalization, 2 after one reopen…
    pub finalization: i64,
    /// When the cycle was finalized (RFC 3339).
    pub finalized_at: String,
    /// Who finalized it.
    pub finalized_by: String,
    /// The record itself (JSON; see `app::report::record`).
    pub record: String,
    /// When a reopen voided it.
    pub voided_at: Option<String>,
    /// The reopen's reason.
    pub void_reason: Option<String>,
}

/// Templates, cycles, reviews and outcomes.
pub trait CycleRepo {
    /// The id of a stored template with exactly this name and source.
    fn find_template(&self, name: &str, source: &str) -> StoreResult<Option<i64>>;

    /// Store a template's source text; returns its row id.
    fn insert_template(&mut self, now: &str, name: &str, source: &str) -> StoreResult<i64>;

    /// A template's source text.
    fn template_source(&self, id: i64) -> StoreResult<Option<String>>;

    /// A cycle by name.
    fn cycle_by_name(&self, name: &str) -> StoreResult<Option<Cycle>>;

    /// A cycle by row id.
    fn cycle_by_id(&self, id: i64) -> StoreResult<Option<Cycle>>;

    /// Every cycle, newest period first.
    fn list_cycles(&self) -> StoreResult<Vec<Cycle>>;

    /// Add a cycle in the draft state; returns its row id.
    fn insert_cycle(&mut self, now: &str, cycle: &NewCycle) -> StoreResult<i64>;

    /// Add a participant; returns whether they were new.
    fn add_participant(&mut self, now: &str, cycle: i64, person: i64) -> StoreResult<bool>;

    /// The participants of a cycle, by handle.
    fn participants(&self, cycle: i64) -> StoreResult<Vec<Participant>>;

    /// Move a cycle to a state (`reopen` counts a reopening).
    fn set_cycle_state(
        &mut self,
        now: &str,
        cycle: i64,
        to: CycleState,
        reopen: bool,
    ) -> StoreResult<()>;

    /// Record a state change in the cycle's history.
    fn insert_cycle_event(&mut self, now: &str, cycle: i64, event: &CycleEvent) -> StoreResult<()>;

    /// The state history of a cycle, oldest first.
    fn events(&self, cycle: i64) -> StoreResult<Vec<CycleEvent>>;

    /// The reviews of a cycle (every subject's, or one's), with ratings.
    fn reviews(&self, cycle: i64, subject: Option<i64>) -> StoreResult<Vec<Review>>;

    /// The review of a subject by a reviewer of a kind.
    fn find_review(
        &self,
        cycle: i64,
        subject: i64,
        reviewer: i64,
        kind: ReviewKind,
    ) -> StoreResult<Option<Review>>;

    /// Add a pending review; returns its row id.
    fn insert_review(
        &mut self,
        now: &str,
        cycle: i64,
        subject: i64,
        reviewer: i64,
        kind: ReviewKind,
    ) -> StoreResult<i64>;

    /// A review's state, read inside the caller's transaction.
    fn review_state(&self, review: i64) -> StoreResult<Option<ReviewState>>;

    /// The rating and comment on an item of a review, if recorded.
    fn rating(&self, review: i64, item: &str)
    -> StoreResult<Option<(Option<f64>, Option<String>)>>;

    /// Record a rating and/or comment on an item.
    fn insert_rating(
        &mut self,
        now: &str,
        review: i64,
        item: &str,
        value: Option<f64>,
        comment: Option<&str>,
    ) -> StoreResult<()>;

    /// Replace the rating and comment on an item.
    fn update_rating(
        &mut self,
        now: &str,
        review: i64,
        item: &str,
        value: Option<f64>,
        comment: Option<&str>,
    ) -> StoreResult<()>;

    /// Set a review's overall comment; returns whether it changed.
    fn set_review_summary(&mut self, now: &str, review: i64, summary: &str) -> StoreResult<bool>;

    /// Mark a pending review submitted.
    fn submit_review(&mut self, now: &str, review: i64) -> StoreResult<()>;

    /// The outcome row of a subject in a cycle, created empty if missing.
    fn outcome_id(&mut self, now: &str, cycle: i64, subject: i64) -> StoreResult<i64>;

    /// Store the computed score and level (when they differ from the stored ones).
    fn set_computed(
        &mut self,
        now: &str,
        outcome: i64,
        score: Option<f64>,
        level: Option<f64>,
    ) -> StoreResult<()>;

    /// Store the peer and upward averages (none below the anonymity
    /// threshold) and how many reviews of each were submitted: what the
    /// subject sees once the cycle is finalized.
    fn set_anonymous_averages(
        &mut self,
        now: &str,
        outcome: i64,
        peer: (Option<f64>, i64),
        upward: (Option<f64>, i64),
    ) -> StoreResult<()>;

    /// Set the calibrated level and its reason.
    fn set_calibration(
        &mut self,
        now: &str,
        outcome: i64,
        level: f64,
        reason: &str,
    ) -> StoreResult<()>;

    /// Set potential and recommendation (`None` leaves a field alone).
    fn set_outcome_fields(
        &mut self,
        now: &str,
        outcome: i64,
        potential: Option<&str>,
        recommendation: Option<&str>,
    ) -> StoreResult<()>;

    /// Add a development action.
    fn insert_action(
        &mut self,
        now: &str,
        cycle: i64,
        subject: i64,
        text: &str,
        due: Option<NaiveDate>,
    ) -> StoreResult<()>;

    /// The outcome of a subject, with development actions.
    fn outcome(&self, cycle: i64, subject: i64) -> StoreResult<Option<Outcome>>;

    /// Record that the subject acknowledged their outcome (without a
    /// comment: see `FollowUpRepo::add_acknowledgement`); returns whether it changed.
    fn acknowledge(&mut self, now: &str, cycle: i64, person: i64) -> StoreResult<bool>;

    /// Store a frozen record of a cycle (before the cycle is finalized).
    fn insert_appraisal_record(
        &mut self,
        now: &str,
        cycle: i64,
        record: &StoredRecord,
    ) -> StoreResult<()>;

    /// The frozen records of a cycle (of one subject when given), by
    /// subject and finalization.
    fn appraisal_records(&self, cycle: i64, subject: Option<i64>)
    -> StoreResult<Vec<StoredRecord>>;

    /// Void a cycle's current records (a reopen); returns how many.
    fn void_appraisal_records(&mut self, now: &str, cycle: i64, reason: &str)
    -> StoreResult<usize>;
}
