//! Feedback on PostgreSQL.

use super::PgSession;
use crate::domain::feedback::Feedback;
use crate::store::feedback::{FeedbackFilter, NewFeedback};
use crate::store::{FeedbackRepo, StoreResult, new_uuid};

use super::conn::{Conn, OptionalExtension, Param, Row, params};

const SELECT: &str = "SELECT f.id, f.uuid, a.handle, s.handle, f.date, f.kind, f.text, g.key, f.private, f.created_at \
     FROM feedback f JOIN person s ON s.id = f.to_id LEFT JOIN person a ON a.id = f.from_id LEFT JOIN goal g ON g.id = f.goal_id";

fn row(r: &Row) -> super::conn::Result<Feedback> {
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

fn list(conn: &Conn, filter: &FeedbackFilter) -> StoreResult<Vec<Feedback>> {
    let mut clauses = vec!["true".to_string()];
    let mut args: Vec<Box<dyn Param>> = Vec::new();
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
    let refs: Vec<&dyn Param> = args.iter().map(|a| a.as_ref()).collect();
    Ok(stmt
        .query_map(refs.as_slice(), row)?
        .collect::<super::conn::Result<_>>()?)
}

impl FeedbackRepo for PgSession<'_> {
    fn insert_feedback(&mut self, now: &str, f: &NewFeedback) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO feedback(uuid, from_id, to_id, date, kind, text, goal_id, private, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )?
            .execute(params![
                new_uuid(),
                f.from_id,
                f.to_id,
                f.date.to_string(),
                f.kind.as_str(),
                f.text,
                f.goal_id,
                f.private,
                now
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn feedback(&self, id: i64) -> StoreResult<Option<Feedback>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE f.id = ?1"))?;
        Ok(stmt.query_row([id], row).optional()?)
    }

    fn list_feedback(&self, filter: &FeedbackFilter) -> StoreResult<Vec<Feedback>> {
        list(self.conn, filter)
    }

    fn delete_feedback(&mut self, id: i64) -> StoreResult<()> {
        self.conn
            .execute("DELETE FROM feedback WHERE id = ?1", [id])?;
        Ok(())
    }
}
