//! The organisation: people, teams, who owns a goal, and job mission
//! statements; the rules of reporting lines, the team tree and check-in
//! cadences (loops are found by [`crate::domain::graph::closes_loop`]).

use crate::error::{Error, Result};
use serde::Serialize;

/// A job mission statement: why a position exists, in terms of purpose,
/// customers, product and scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Mission {
    /// Why the job exists.
    pub purpose: Option<String>,
    /// Who it serves.
    pub customers: Option<String>,
    /// What it delivers.
    pub product: Option<String>,
    /// Its boundaries: what it decides and what it does not.
    pub scope: Option<String>,
}

impl Mission {
    /// Whether no part of the statement is filled in.
    pub fn is_empty(&self) -> bool {
        self.purpose.is_none()
            && self.customers.is_none()
            && self.product.is_none()
            && self.scope.is_none()
    }
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Row id.
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// The handle users type (`alice`).
    pub handle: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// The manager's handle.
    pub manager: Option<String>,
    /// The team's handle.
    pub team: Option<String>,
    /// Whether the person is active.
    pub active: bool,
    /// The job mission statement.
    pub mission: Mission,
    /// Days between expected check-ins, overriding the configured cadence.
    pub cadence_days: Option<i64>,
    /// Whether they are an admin (besides the file's `me`).
    pub admin: bool,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last updated (RFC 3339).
    pub updated_at: String,
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    /// Row id.
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// The handle users type (`platform`).
    pub handle: String,
    /// Display name.
    pub name: String,
    /// The parent team's handle (none for the organisation at the root).
    pub parent: Option<String>,
    /// The lead's handle.
    pub lead: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last updated (RFC 3339).
    pub updated_at: String,
}

/// Who owns a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A person (row id).
    Person(i64),
    /// A team (row id).
    Team(i64),
}

/// The refusal of a person as their own manager.
pub fn own_manager(handle: &str) -> Error {
    Error::invalid(format!("{handle} cannot be their own manager"))
}

/// The refusal of a manager link that closes a loop in the reporting line
/// (`person` is already above `manager`).
pub fn manager_loop(manager: &str, person: &str) -> Error {
    Error::invalid(format!(
        "making {manager} the manager of {person} would create a cycle ({person} is above {manager} in the reporting line)"
    ))
}

/// The refusal of a team as its own parent.
pub fn own_parent_team(handle: &str) -> Error {
    Error::invalid(format!("team {handle} cannot be its own parent"))
}

/// The refusal of a parent link that closes a loop in the team tree
/// (`parent` is already inside `team`).
pub fn team_loop(parent: &str, team: &str) -> Error {
    Error::invalid(format!(
        "making {parent} the parent of {team} would create a cycle ({parent} is inside {team})"
    ))
}

/// The days between expected check-ins a person may have: 1 to 366.
pub fn check_cadence(days: i64) -> Result<i64> {
    if !(1..=366).contains(&days) {
        return Err(Error::invalid(format!(
            "a check-in cadence must be 1 to 366 days (got {days})"
        )));
    }
    Ok(days)
}
