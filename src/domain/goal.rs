//! Goals, their measures, and custom periods.

use crate::domain::measure::MeasureSpec;
use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use crate::error::{Error, Result};
use crate::time::{Period, PeriodKind, Weekday, parse_period, period_containing};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl Goal {
    /// Set when the goal was closed: the time of its first closing is
    /// kept, a goal closed now gets `now`, and an open goal has none.
    pub fn stamp_closed(&mut self, now: &str) {
        self.closed_at = if self.status.is_closed() {
            self.closed_at.clone().or_else(|| Some(now.to_string()))
        } else {
            None
        };
    }
}

/// The period a new goal gets when none is given: the quarter holding today.
pub fn default_period(today: NaiveDate, week_start: Weekday) -> Period {
    period_containing(PeriodKind::Quarter, today, week_start)
}

/// A period by name: a built-in one (`2026-Q4`, canonical spelling) or one
/// of `custom`. `None` when neither knows it; an error when the name looks
/// built-in but is impossible (`2026-Q5`).
pub fn resolve_period(
    name: &str,
    week_start: Weekday,
    custom: &[PeriodRow],
) -> Result<Option<Period>> {
    if let Some(p) = parse_period(name, week_start)? {
        return Ok(Some(p));
    }
    Ok(custom.iter().find(|p| p.name == name).map(|p| Period {
        name: p.name.clone(),
        start: p.start,
        end: p.end,
    }))
}

/// The error for a period nobody declared.
pub fn unknown_period(name: &str) -> Error {
    Error::failed(format!("no period '{name}'")).with_hint(
        "use a built-in name (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) or declare it with `yardstick period add`",
    )
}

/// Refuse to declare a built-in period name (`2026-Q4` needs no declaration).
pub fn refuse_builtin(name: &str, week_start: Weekday) -> Result<()> {
    if parse_period(name, week_start)?.is_some() {
        return Err(
            Error::invalid(format!("{name} is a built-in period name")).with_hint(
                "built-in periods (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) need no declaration",
            ),
        );
    }
    Ok(())
}

/// Check a custom period's name: like a key, in any case.
pub fn validate_period_name(name: &str) -> Result<()> {
    crate::domain::names::validate_key(&name.to_ascii_lowercase()).map_err(|_| {
        Error::invalid(format!("'{name}' is not a valid period name"))
            .with_hint("use letters, digits, '-', '_' or '.', starting with a letter, e.g. FY2027")
    })
}

/// Check the period a goal or cycle names: a possible built-in name
/// (`2026-Q4`, not `2026-Q5`) or a valid custom one.
pub fn check_period_name(name: &str, week_start: Weekday) -> Result<()> {
    if parse_period(name, week_start)?.is_none() {
        validate_period_name(name)?;
    }
    Ok(())
}

/// Check a custom period: a name like a key (any case) and start ≤ end.
pub fn validate_period(p: &PeriodRow) -> Result<()> {
    validate_period_name(&p.name)?;
    if p.start > p.end {
        return Err(Error::invalid(format!(
            "period {} would end ({}) before it starts ({})",
            p.name, p.end, p.start
        )));
    }
    Ok(())
}

/// The refusal of a goal aligned to itself.
pub fn aligned_to_itself(key: &str) -> Error {
    Error::invalid(format!("goal {key} cannot be aligned to itself"))
}

/// The refusal of an alignment that closes a loop (`parent` is already
/// below `key`).
pub fn alignment_loop(key: &str, parent: &str) -> Error {
    Error::invalid(format!(
        "aligning {key} to {parent} would create a cycle ({parent} is already below {key})"
    ))
    .with_hint("a goal can only align to a goal that is not below it")
}

/// A goal starts on or before the day it is due.
pub fn check_dates(key: &str, start: Option<NaiveDate>, due: Option<NaiveDate>) -> Result<()> {
    if let (Some(start), Some(due)) = (start, due) {
        if start > due {
            return Err(Error::invalid(format!(
                "goal {key} would start ({start}) after it is due ({due})"
            ))
            .with_hint("check --start and --due"));
        }
    }
    Ok(())
}

/// Check a goal's or a measure's weight: a number greater than 0.
pub fn check_weight(what: &str, w: f64) -> Result<()> {
    if !w.is_finite() || w <= 0.0 {
        return Err(Error::invalid(format!(
            "{what} weight must be a number greater than 0 (got {w})"
        ))
        .with_hint("weights are relative, e.g. 1, 2 or 0.5"));
    }
    Ok(())
}

/// A status filter as typed: comma-separated statuses, `open` (draft and
/// active) or `all`; none given means the default (empty: all but dropped).
pub fn parse_statuses(text: Option<&str>) -> Result<Vec<GoalStatus>> {
    match text.map(str::trim) {
        None => Ok(Vec::new()),
        Some("all") => Ok(GoalStatus::ALL.to_vec()),
        Some("open") => Ok(vec![GoalStatus::Draft, GoalStatus::Active]),
        Some(list) => list
            .split(',')
            .map(|p| p.trim().parse::<GoalStatus>())
            .collect(),
    }
}
