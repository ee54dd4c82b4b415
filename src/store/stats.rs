//! Aggregate queries for reports: counted by the backend, so reports never
//! hold every check-in in memory.

use super::StoreResult;
use chrono::NaiveDate;
use std::collections::HashMap;

/// One author's check-ins in a window: how many, in how many distinct ISO
/// weeks, and the latest day.
pub type AuthorActivity = (i64, i64, Option<NaiveDate>);

/// Counts for reports.
pub trait StatsRepo {
    /// Per person (by handle): check-ins they wrote in [since, until], the
    /// number of distinct ISO weeks with at least one, and their latest day.
    fn checkins_by_author(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> StoreResult<HashMap<String, AuthorActivity>>;

    /// Per person (by handle): pieces of feedback received in [since, until],
    /// private ones only when `include_private`.
    fn feedback_received(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        include_private: bool,
    ) -> StoreResult<HashMap<String, i64>>;

    /// How many check-ins carry a value in [since, until], and over how many measures.
    fn checkin_volume(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> StoreResult<(i64, i64)>;

    /// Per cycle: (name, state, reviews required (self + manager), submitted of those).
    fn review_completion(&self) -> StoreResult<Vec<(String, String, i64, i64)>>;
}
