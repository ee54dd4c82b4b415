//! Check-ins: progress values recorded against measures over time.

use super::new_uuid;
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
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

/// Record a check-in; returns its row id.
pub fn insert(conn: &Connection, now: &str, c: &NewCheckin) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO checkin(uuid, goal_id, measure_id, date, value, confidence, status, note, author_id, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        new_uuid(),
        c.goal_id,
        c.measure_id,
        c.date.to_string(),
        c.value,
        c.confidence,
        c.status,
        c.note,
        c.author_id,
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The latest value of a measure and its date (ties broken by the later entry).
pub fn latest(conn: &Connection, measure_id: i64) -> Result<Option<(NaiveDate, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT date, value FROM checkin WHERE measure_id = ?1 AND value IS NOT NULL ORDER BY date DESC, id DESC LIMIT 1",
    )?;
    let row: Option<(String, f64)> = stmt
        .query_row([measure_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.and_then(|(d, v)| {
        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .ok()
            .map(|d| (d, v))
    }))
}

/// The latest value of each of the given measures.
pub fn latest_many(
    conn: &Connection,
    measure_ids: &[i64],
) -> Result<HashMap<i64, (NaiveDate, f64)>> {
    let mut out = HashMap::with_capacity(measure_ids.len());
    for &id in measure_ids {
        if let Some(v) = latest(conn, id)? {
            out.insert(id, v);
        }
    }
    Ok(out)
}

/// How many check-ins the file holds.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM checkin", [], |r| r.get(0))?)
}
