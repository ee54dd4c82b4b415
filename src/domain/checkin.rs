//! Check-ins: progress values recorded against measures over time.

use crate::error::{Error, Result};
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

/// One overdue measure in `checkin due`.
#[derive(Debug, Clone)]
pub struct DueRow {
    /// Who should check in.
    pub person: String,
    /// The goal's key.
    pub goal: String,
    /// The measure's name.
    pub measure: String,
    /// The last check-in, if any.
    pub last: Option<NaiveDate>,
    /// Days since then.
    pub days: Option<i64>,
    /// The person's cadence in days.
    pub cadence: i64,
}

/// The statuses a person may report in a check-in: the pace statuses other
/// than `ahead` (which only a configured rule derives).
pub const STATUSES: &[&str] = &["on-track", "at-risk", "off-track"];

/// The confidences a check-in may carry: 0 to 10.
pub const CONFIDENCE: std::ops::RangeInclusive<i64> = 0..=10;

/// A confidence as typed: a whole number from 0 to 10.
pub fn parse_confidence(v: &str) -> Result<i64> {
    match v.trim().parse::<i64>() {
        Ok(n) if CONFIDENCE.contains(&n) => Ok(n),
        _ => Err(Error::invalid(format!(
            "--confidence must be a whole number from 0 to 10 (got '{v}')"
        ))),
    }
}

/// A confidence read from a file: a whole number from 0 to 10.
pub fn check_confidence(n: i64) -> Result<i64> {
    if !CONFIDENCE.contains(&n) {
        return Err(Error::invalid(format!(
            "confidence must be a whole number from 0 to 10 (got {n})"
        )));
    }
    Ok(n)
}

/// A reported status as typed: on-track, at-risk or off-track.
pub fn parse_status(v: &str) -> Result<String> {
    let v = v.trim().to_ascii_lowercase();
    if STATUSES.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(Error::invalid(format!("unknown status '{v}'"))
            .with_hint("use on-track, at-risk or off-track"))
    }
}

/// The day a check-in is about: today, or a past day. A check-in records
/// what was observed, so a day after today is refused.
pub fn check_day(day: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if day > today {
        return Err(
            Error::invalid(format!("--date {day} is after today ({today})"))
                .with_hint("a check-in records progress already made; use today or an earlier day"),
        );
    }
    Ok(day)
}

/// Whether a measure is due for a check-in: never checked in, or last
/// checked in more than `cadence` days ago. Returns the days since (none
/// when never) when due.
pub fn due(last: Option<NaiveDate>, today: NaiveDate, cadence: i64) -> Option<Option<i64>> {
    let days = last.map(|d| crate::time::days_between(d, today));
    days.is_none_or(|d| d > cadence).then_some(days)
}
