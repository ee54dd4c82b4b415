//! The plan's repository: goals, their measures, and custom periods.

use super::StoreResult;
use crate::domain::GoalStatus;
use crate::domain::goal::{Goal, Measure, PeriodRow};
use crate::domain::org::Owner;

/// Which goals to read.
#[derive(Debug, Clone, Default)]
pub struct GoalQuery {
    /// Owned by this team or any team below it, or by their members (a team row id).
    pub team: Option<i64>,
    /// Owned by this person or team.
    pub owner: Option<Owner>,
    /// In this period.
    pub period: Option<String>,
    /// With one of these statuses (every status when empty).
    pub statuses: Vec<GoalStatus>,
    /// At most this many.
    pub limit: Option<usize>,
}

/// Goals, measures and periods.
pub trait PlanRepo {
    /// A goal by row id.
    fn goal_by_id(&self, id: i64) -> StoreResult<Option<Goal>>;

    /// A goal by key.
    fn goal_by_key(&self, key: &str) -> StoreResult<Option<Goal>>;

    /// Goals matching a query, by id.
    fn list_goals(&self, query: &GoalQuery) -> StoreResult<Vec<Goal>>;

    /// Every goal, by id.
    fn all_goals(&self) -> StoreResult<Vec<Goal>>;

    /// The goals `roots` and all their descendants, by id.
    fn goals_with_descendants(&self, roots: &[i64]) -> StoreResult<Vec<Goal>>;

    /// The ids of a goal and every goal above it.
    fn goal_ancestors(&self, goal: i64) -> StoreResult<Vec<i64>>;

    /// How many goals an owner has.
    fn goals_owned(&self, owner: Owner) -> StoreResult<i64>;

    /// Add a goal with its key, title and owner; returns its row id.
    fn insert_goal(&mut self, now: &str, key: &str, title: &str, owner: Owner) -> StoreResult<i64>;

    /// Write every field of a goal (by id; owner by handle, parent by key).
    fn update_goal(&mut self, now: &str, goal: &Goal) -> StoreResult<()>;

    /// Remove a goal with its measures and check-ins; aligned goals lose the link.
    fn delete_goal(&mut self, id: i64) -> StoreResult<()>;

    /// The measures of a goal, in order.
    fn measures(&self, goal: i64) -> StoreResult<Vec<Measure>>;

    /// The measures of the given goals, by goal then position.
    fn measures_of_goals(&self, goals: &[i64]) -> StoreResult<Vec<Measure>>;

    /// Every measure, by goal then position.
    fn all_measures(&self) -> StoreResult<Vec<Measure>>;

    /// A measure by row id.
    fn measure_by_id(&self, id: i64) -> StoreResult<Option<Measure>>;

    /// Add a measure (its `id` is ignored); returns its row id.
    fn insert_measure(&mut self, now: &str, measure: &Measure) -> StoreResult<i64>;

    /// Write every field of a measure (by id).
    fn update_measure(&mut self, now: &str, measure: &Measure) -> StoreResult<()>;

    /// Remove a measure and its check-ins.
    fn delete_measure(&mut self, id: i64) -> StoreResult<()>;

    /// Custom periods, by start date.
    fn list_periods(&self) -> StoreResult<Vec<PeriodRow>>;

    /// How many goals use a period.
    fn goals_in_period(&self, name: &str) -> StoreResult<i64>;

    /// Add a custom period.
    fn insert_period(&mut self, now: &str, period: &PeriodRow) -> StoreResult<()>;

    /// Change a custom period's dates.
    fn update_period(&mut self, now: &str, period: &PeriodRow) -> StoreResult<()>;

    /// Remove a custom period.
    fn delete_period(&mut self, name: &str) -> StoreResult<()>;
}
