//! Check-ins: progress values recorded against measures over time.

use chrono::NaiveDate;

/// A recorded check-in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Checkin {
    /// Row id (typed by users for edit and rm).
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// The goal's row id.
    pub goal_id: i64,
    /// The goal's key.
    pub goal: String,
    /// The measure's row id (none for a status-only update).
    pub measure_id: Option<i64>,
    /// The measure's name.
    pub measure: Option<String>,
    /// The measure's unit.
    pub unit: Option<String>,
    /// The day it is about.
    pub date: NaiveDate,
    /// The value.
    pub value: Option<f64>,
    /// Confidence 0–10.
    pub confidence: Option<i64>,
    /// Explicit status.
    pub status: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// The author's handle.
    pub author: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
}
