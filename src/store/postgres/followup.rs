//! The follow-up of a review on PostgreSQL: development actions, the
//! acknowledgements of outcomes, improvement plans.

use super::PgSession;
use super::conn::{Conn, OptionalExtension, Row, params};
use super::rows::{date, opt_date, parse, parse_opt};
use crate::domain::cycle::{Acknowledgement, ActionRow, ActionStatus};
use crate::domain::pip::{Pip, PipCheckpoint, PipOutcome, PipStep};
use crate::store::followup::{ActionFilter, FollowUpRepo, NewAction, NewPip};
use crate::store::{StoreResult, new_uuid};
use chrono::NaiveDate;

const ACTION_SELECT: &str = "SELECT a.id, c.name, s.handle, coalesce(o.handle, s.handle), a.text, a.due_date, \
     a.status, a.note, a.closed_at FROM action a JOIN cycle c ON c.id = a.cycle_id \
     JOIN person s ON s.id = a.subject_id LEFT JOIN person o ON o.id = a.owner_id";

fn action_row(r: &Row) -> super::conn::Result<ActionRow> {
    Ok(ActionRow {
        id: r.get(0)?,
        cycle: r.get(1)?,
        subject: r.get(2)?,
        owner: r.get(3)?,
        text: r.get(4)?,
        due: opt_date(r, 5)?,
        status: parse(r, 6)?,
        note: r.get(7)?,
        closed_at: r.get(8)?,
    })
}

/// The development actions of a subject in a cycle (for the outcome).
pub(super) fn actions_of(conn: &Conn, cycle: i64, subject: i64) -> StoreResult<Vec<ActionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{ACTION_SELECT} WHERE a.cycle_id = ?1 AND a.subject_id = ?2 ORDER BY a.id"
    ))?;
    Ok(stmt
        .query_map(params![cycle, subject], action_row)?
        .collect::<super::conn::Result<_>>()?)
}

const PIP_SELECT: &str = "SELECT p.id, p.uuid, s.handle, b.handle, p.start_date, p.end_date, p.reason, \
     p.outcome, p.closed_at FROM pip p JOIN person s ON s.id = p.subject_id \
     LEFT JOIN person b ON b.id = p.started_by";

fn pip_row(r: &Row) -> super::conn::Result<Pip> {
    Ok(Pip {
        id: r.get(0)?,
        uuid: r.get(1)?,
        subject: r.get(2)?,
        started_by: r.get(3)?,
        start: date(r, 4)?,
        end: date(r, 5)?,
        reason: r.get(6)?,
        outcome: parse_opt(r, 7)?,
        closed_at: r.get(8)?,
    })
}

impl FollowUpRepo for PgSession<'_> {
    fn actions(&self, f: &ActionFilter) -> StoreResult<Vec<ActionRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{ACTION_SELECT} WHERE (CAST(?1 AS bigint) IS NULL OR a.cycle_id = ?1) AND (CAST(?2 AS bigint) IS NULL OR a.subject_id = ?2) \
             AND (CAST(?3 AS text) IS NULL OR (a.status = 'open' AND a.due_date < ?3)) ORDER BY a.id"
        ))?;
        Ok(stmt
            .query_map(
                params![f.cycle, f.subject, f.overdue_on.map(|d| d.to_string())],
                action_row,
            )?
            .collect::<super::conn::Result<_>>()?)
    }

    fn action_by_id(&self, id: i64) -> StoreResult<Option<ActionRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{ACTION_SELECT} WHERE a.id = ?1"))?;
        Ok(stmt.query_row([id], action_row).optional()?)
    }

    fn add_action(&mut self, now: &str, a: &NewAction<'_>) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO action(uuid, cycle_id, subject_id, text, due_date, created_at, updated_at, owner_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            params![
                new_uuid(),
                a.cycle,
                a.subject,
                a.text,
                a.due.map(|d| d.to_string()),
                now,
                a.owner
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn set_action_status(
        &mut self,
        now: &str,
        id: i64,
        status: ActionStatus,
        note: Option<&str>,
    ) -> StoreResult<bool> {
        let closed = (status != ActionStatus::Open).then_some(now);
        let n = self.conn.execute(
            "UPDATE action SET status = ?2, note = coalesce(?3, note), closed_at = ?4, updated_at = ?5 \
             WHERE id = ?1 AND (status IS DISTINCT FROM ?2 OR note IS DISTINCT FROM coalesce(?3, note))",
            params![id, status.as_str(), note, closed, now],
        )?;
        Ok(n > 0)
    }

    fn add_acknowledgement(
        &mut self,
        now: &str,
        cycle: i64,
        person: i64,
        comment: Option<&str>,
    ) -> StoreResult<bool> {
        let n = self.conn.execute(
            "UPDATE participant SET acknowledged_at = ?3, updated_at = ?3 \
             WHERE cycle_id = ?1 AND person_id = ?2 AND acknowledged_at IS NULL",
            params![cycle, person, now],
        )?;
        if n == 0 {
            return Ok(false);
        }
        self.conn.execute(
            "INSERT INTO acknowledgement(uuid, cycle_id, person_id, at, comment, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?4)",
            params![new_uuid(), cycle, person, now, comment],
        )?;
        Ok(true)
    }

    fn acknowledgements(
        &self,
        cycle: i64,
        person: Option<i64>,
    ) -> StoreResult<Vec<(String, Acknowledgement)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.handle, a.at, a.comment, a.voided_at FROM acknowledgement a \
             JOIN person p ON p.id = a.person_id WHERE a.cycle_id = ?1 AND (CAST(?2 AS bigint) IS NULL OR a.person_id = ?2) \
             ORDER BY a.at, a.id",
        )?;
        let rows = stmt.query_map(params![cycle, person], |r| {
            Ok((
                r.get(0)?,
                Acknowledgement {
                    at: r.get(1)?,
                    comment: r.get(2)?,
                    voided_at: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn void_acknowledgements(&mut self, now: &str, cycle: i64) -> StoreResult<usize> {
        let n = self.conn.execute(
            "UPDATE acknowledgement SET voided_at = ?2, updated_at = ?2 WHERE cycle_id = ?1 AND voided_at IS NULL",
            params![cycle, now],
        )?;
        self.conn.execute(
            "UPDATE participant SET acknowledged_at = NULL, updated_at = ?2 \
             WHERE cycle_id = ?1 AND acknowledged_at IS NOT NULL",
            params![cycle, now],
        )?;
        Ok(n)
    }

    fn set_outcome_pip(&mut self, now: &str, outcome: i64, pip: Option<i64>) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE outcome SET pip_id = ?2, updated_at = ?3 WHERE id = ?1 AND pip_id IS DISTINCT FROM ?2",
            params![outcome, pip, now],
        )?;
        Ok(())
    }

    fn insert_pip(&mut self, now: &str, p: &NewPip<'_>) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO pip(uuid, subject_id, started_by, start_date, end_date, reason, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                new_uuid(),
                p.subject,
                p.started_by,
                p.start.to_string(),
                p.end.to_string(),
                p.reason,
                now
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn pip_by_id(&self, id: i64) -> StoreResult<Option<Pip>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{PIP_SELECT} WHERE p.id = ?1"))?;
        Ok(stmt.query_row([id], pip_row).optional()?)
    }

    fn list_pips(&self, subject: Option<i64>) -> StoreResult<Vec<Pip>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{PIP_SELECT} WHERE (CAST(?1 AS bigint) IS NULL OR p.subject_id = ?1) ORDER BY p.start_date DESC, p.id DESC"
        ))?;
        Ok(stmt
            .query_map([subject], pip_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn link_pip_goal(&mut self, now: &str, pip: i64, goal: i64) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO pip_goal(uuid, pip_id, goal_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
             ON CONFLICT(pip_id, goal_id) DO NOTHING",
            params![new_uuid(), pip, goal, now],
        )?;
        Ok(())
    }

    fn pip_goals(&self, pip: i64) -> StoreResult<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT goal_id FROM pip_goal WHERE pip_id = ?1 ORDER BY id")?;
        Ok(stmt
            .query_map([pip], |r| r.get(0))?
            .collect::<super::conn::Result<_>>()?)
    }

    fn add_pip_checkpoint(&mut self, now: &str, pip: i64, due: NaiveDate) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO pip_checkpoint(uuid, pip_id, due_date, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![new_uuid(), pip, due.to_string(), now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn hold_pip_checkpoint(
        &mut self,
        now: &str,
        id: i64,
        held_on: NaiveDate,
        note: &str,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE pip_checkpoint SET held_on = ?2, note = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, held_on.to_string(), note, now],
        )?;
        Ok(())
    }

    fn pip_checkpoints(&self, pip: i64) -> StoreResult<Vec<PipCheckpoint>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, due_date, held_on, note FROM pip_checkpoint WHERE pip_id = ?1 ORDER BY due_date, id",
        )?;
        let rows = stmt.query_map([pip], |r| {
            Ok(PipCheckpoint {
                id: r.get(0)?,
                due: date(r, 1)?,
                held_on: opt_date(r, 2)?,
                note: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn add_pip_step(&mut self, now: &str, pip: i64, step: &PipStep) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO pip_step(uuid, pip_id, at, actor, kind, outcome, note, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                new_uuid(),
                pip,
                step.at,
                step.actor,
                step.kind.as_str(),
                step.outcome.map(PipOutcome::as_str),
                step.note,
                now
            ],
        )?;
        Ok(())
    }

    fn pip_steps(&self, pip: i64) -> StoreResult<Vec<PipStep>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, actor, kind, outcome, note FROM pip_step WHERE pip_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([pip], |r| {
            Ok(PipStep {
                at: r.get(0)?,
                actor: r.get(1)?,
                kind: parse(r, 2)?,
                outcome: parse_opt(r, 3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn set_pip_outcome(
        &mut self,
        now: &str,
        pip: i64,
        outcome: PipOutcome,
        end: NaiveDate,
    ) -> StoreResult<()> {
        let closed = outcome.closes().then_some(now);
        self.conn.execute(
            "UPDATE pip SET outcome = ?2, end_date = ?3, closed_at = ?4, updated_at = ?5 WHERE id = ?1",
            params![pip, outcome.as_str(), end.to_string(), closed, now],
        )?;
        Ok(())
    }
}
