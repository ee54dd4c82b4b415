//! The organisation: people, teams, who owns a goal, and job mission statements.

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
