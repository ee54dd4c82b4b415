//! Continuous feedback: praise, coaching, concerns and 360 input, shared with
//! the subject or private to the author and the subject's managers.

use super::new_uuid;
use crate::domain::FeedbackKind;
pub use crate::domain::feedback::Feedback;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// A new piece of feedback.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    /// Author (person id).
    pub from_id: Option<i64>,
    /// Subject (person id).
    pub to_id: i64,
    /// Day.
    pub date: NaiveDate,
    /// Kind.
    pub kind: FeedbackKind,
    /// Text.
    pub text: String,
    /// Goal (id).
    pub goal_id: Option<i64>,
    /// Private or shared.
    pub private: bool,
}

/// Which feedback to list.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// About this person (id).
    pub to: Option<i64>,
    /// By this person (id).
    pub from: Option<i64>,
    /// On or after.
    pub since: Option<NaiveDate>,
    /// On or before.
    pub until: Option<NaiveDate>,
    /// Of this kind.
    pub kind: Option<FeedbackKind>,
    /// About people in these teams (ids).
    pub teams: Option<Vec<i64>>,
}

const SELECT: &str = "SELECT f.id, f.uuid, a.handle, s.handle, f.date, f.kind, f.text, g.key, f.private, f.created_at \
     FROM feedback f JOIN person s ON s.id = f.to_id LEFT JOIN person a ON a.id = f.from_id LEFT JOIN goal g ON g.id = f.goal_id";

fn row(r: &Row<'_>) -> rusqlite::Result<Feedback> {
    Ok(Feedback {
        id: r.get(0)?,
        uuid: r.get(1)?,
        from: r.get(2)?,
        to: r.get(3)?,
        date: super::rows::date(r, 4)?,
        kind: super::rows::parse(r, 5)?,
        text: r.get(6)?,
        goal: r.get(7)?,
        private: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Record feedback; returns it.
pub fn add(conn: &Connection, now: &str, f: &NewFeedback) -> Result<Feedback> {
    crate::domain::names::validate_text("feedback text", &f.text, 10_000)?;
    conn.prepare_cached(
        "INSERT INTO feedback(uuid, from_id, to_id, date, kind, text, goal_id, private, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        new_uuid(),
        f.from_id,
        f.to_id,
        f.date.to_string(),
        f.kind.as_str(),
        f.text.trim(),
        f.goal_id,
        f.private,
        now
    ])?;
    get(conn, conn.last_insert_rowid())
}

/// One piece of feedback by id; exit 1 if there is none.
pub fn get(conn: &Connection, id: i64) -> Result<Feedback> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE f.id = ?1"))?;
    stmt.query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::not_found("feedback", &id.to_string()))
}

/// Feedback matching a filter, newest first.
pub fn list(conn: &Connection, filter: &FeedbackFilter) -> Result<Vec<Feedback>> {
    let mut clauses = vec!["1".to_string()];
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(to) = filter.to {
        args.push(Box::new(to));
        clauses.push(format!("f.to_id = ?{}", args.len()));
    }
    if let Some(from) = filter.from {
        args.push(Box::new(from));
        clauses.push(format!("f.from_id = ?{}", args.len()));
    }
    if let Some(d) = filter.since {
        args.push(Box::new(d.to_string()));
        clauses.push(format!("f.date >= ?{}", args.len()));
    }
    if let Some(d) = filter.until {
        args.push(Box::new(d.to_string()));
        clauses.push(format!("f.date <= ?{}", args.len()));
    }
    if let Some(k) = filter.kind {
        args.push(Box::new(k.as_str()));
        clauses.push(format!("f.kind = ?{}", args.len()));
    }
    if let Some(teams) = &filter.teams {
        // Team ids are integers from the store, never user text.
        let list: Vec<String> = teams.iter().map(i64::to_string).collect();
        clauses.push(format!(
            "s.team_id IN ({})",
            if list.is_empty() {
                "NULL".into()
            } else {
                list.join(", ")
            }
        ));
    }
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY f.date DESC, f.id DESC",
        clauses.join(" AND ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    Ok(stmt
        .query_map(refs.as_slice(), row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The handles of everyone above a person in the reporting line.
pub fn managers(conn: &Connection, handle: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up(id, depth) AS ( \
            SELECT manager_id, 1 FROM person WHERE handle = ?1 AND manager_id IS NOT NULL \
            UNION SELECT p.manager_id, up.depth + 1 FROM person p JOIN up ON p.id = up.id \
            WHERE p.manager_id IS NOT NULL AND up.depth < 10000) \
         SELECT q.handle FROM up JOIN person q ON q.id = up.id",
    )?;
    Ok(stmt
        .query_map([handle], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Remove a piece of feedback.
pub fn remove(conn: &Connection, id: i64) -> Result<Feedback> {
    let f = get(conn, id)?;
    conn.execute("DELETE FROM feedback WHERE id = ?1", [id])?;
    Ok(f)
}
