//! Goals, their measures, and custom periods.

use crate::domain::measure::MeasureSpec;
use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use chrono::NaiveDate;
use serde::Serialize;

/// A goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    /// Row id, also typed by users (`#12` or `12`).
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// Stable key (`api-latency`).
    pub key: String,
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: Option<String>,
    /// The owner's handle.
    pub owner: String,
    /// Whether the owner is a team (else a person).
    pub owner_is_team: bool,
    /// The key of the goal this one aligns to.
    pub parent: Option<String>,
    /// Period name.
    pub period: Option<String>,
    /// Start date.
    pub start: Option<NaiveDate>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Weight among its siblings.
    pub weight: f64,
    /// Priority.
    pub priority: Priority,
    /// Category.
    pub category: Option<Category>,
    /// Status.
    pub status: GoalStatus,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last updated (RFC 3339).
    pub updated_at: String,
}

/// A measure (KPI, key result) of a goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Row id.
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// The goal's row id.
    pub goal_id: i64,
    /// Order within the goal.
    pub position: i64,
    /// Name, unique within the goal.
    pub name: String,
    /// Unit (`ms`, `%`, `EUR`).
    pub unit: Option<String>,
    /// Kind of value.
    pub kind: MeasureKind,
    /// Whether up or down is better.
    pub direction: Direction,
    /// Where it started.
    pub baseline: f64,
    /// What meets expectations.
    pub target: f64,
    /// What exceeds expectations.
    pub stretch: Option<f64>,
    /// Worse than this is unacceptable.
    pub floor: Option<f64>,
    /// Weight within the goal.
    pub weight: f64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last updated (RFC 3339).
    pub updated_at: String,
}

impl Measure {
    /// The standard this measure is judged by.
    pub fn spec(&self) -> MeasureSpec {
        MeasureSpec {
            direction: self.direction,
            baseline: self.baseline,
            target: self.target,
            stretch: self.stretch,
            floor: self.floor,
            weight: self.weight,
        }
    }
}

/// A custom named period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodRow {
    /// Name (`FY2027`).
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}
