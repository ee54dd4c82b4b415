//! The check-ins' repository: progress values recorded against measures.

use super::StoreResult;
use crate::domain::checkin::Checkin;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A new check-in.
#[derive(Debug, Clone)]
pub struct NewCheckin {
    /// The goal.
    pub goal_id: i64,
    /// The measure (none for a status-only update).
    pub measure_id: Option<i64>,
    /// The day it is about.
    pub date: NaiveDate,
    /// The value.
    pub value: Option<f64>,
    /// Confidence 0–10.
    pub confidence: Option<i64>,
    /// Explicit status (on-track, at-risk, off-track).
    pub status: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The author's person id.
    pub author_id: Option<i64>,
}

/// Which check-ins to list.
#[derive(Debug, Clone, Default)]
pub struct CheckinFilter {
    /// Of this goal (id).
    pub goal: Option<i64>,
    /// Of this measure (id).
    pub measure: Option<i64>,
    /// On goals owned by these people (ids) or written by them.
    pub people: Option<Vec<i64>>,
    /// On goals owned by these teams (ids) or their members.
    pub teams: Option<Vec<i64>>,
    /// On or after.
    pub since: Option<NaiveDate>,
    /// On or before.
    pub until: Option<NaiveDate>,
    /// At most this many.
    pub limit: Option<usize>,
}

/// Check-ins, and the per-measure and per-goal summaries reports read.
pub trait CheckinRepo {
    /// Record a check-in; returns its row id.
    fn insert_checkin(&mut self, now: &str, checkin: &NewCheckin) -> StoreResult<i64>;

    /// Record many check-ins with their UUIDs (bulk loads).
    fn insert_checkins(&mut self, now: &str, rows: &[(String, NewCheckin)]) -> StoreResult<()>;

    /// A check-in by row id.
    fn checkin(&self, id: i64) -> StoreResult<Option<Checkin>>;

    /// Check-ins matching a filter, newest first.
    fn list_checkins(&self, filter: &CheckinFilter) -> StoreResult<Vec<Checkin>>;

    /// Write a check-in's date, value, confidence, status and note (by id).
    fn update_checkin(&mut self, now: &str, checkin: &Checkin) -> StoreResult<()>;

    /// Remove a check-in.
    fn delete_checkin(&mut self, id: i64) -> StoreResult<()>;

    /// How many check-ins there are.
    fn count_checkins(&self) -> StoreResult<i64>;

    /// The latest value of a measure and its day (ties: the later entry).
    fn latest_value(&self, measure: i64) -> StoreResult<Option<(NaiveDate, f64)>>;

    /// Every measure's valued check-ins of the last `window_days` up to its
    /// latest one, oldest first (same-day entries in the order recorded),
    /// for the measures of `goals` (all when none); with `until`, only the
    /// check-ins dated on or before it count (the latest one is the latest
    /// by then).
    fn recent_points(
        &self,
        window_days: i64,
        goals: Option<&[i64]>,
        until: Option<NaiveDate>,
    ) -> StoreResult<HashMap<i64, Vec<(NaiveDate, f64)>>>;

    /// The values of a measure on or after a day, oldest first.
    fn history(&self, measure: i64, since: Option<NaiveDate>)
    -> StoreResult<Vec<(NaiveDate, f64)>>;

    /// The latest check-in day of every goal of `goals` (all when none).
    fn last_checkin_by_goal(&self, goals: Option<&[i64]>) -> StoreResult<HashMap<i64, NaiveDate>>;

    /// The latest explicit status of every goal of `goals` that has one.
    fn last_status_by_goal(&self, goals: Option<&[i64]>) -> StoreResult<HashMap<i64, String>>;
}
