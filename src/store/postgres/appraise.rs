//! Review cycles on PostgreSQL: templates, cycles and their participants,
//! reviews and ratings, outcomes, development actions, and history.

use super::PgSession;
use super::conn::{Conn, OptionalExtension, Row, params};
use super::rows::{date, opt_date};
use crate::domain::cycle::{ActionRow, Cycle, CycleEvent, Outcome, Participant, RatingRow, Review};
use crate::domain::{CycleState, ReviewKind, ReviewState};
use crate::store::cycles::{NewCycle, StoredRecord};
use crate::store::{CycleRepo, StoreResult, new_uuid};
use chrono::NaiveDate;

const CYCLE_SELECT: &str = "SELECT c.id, c.uuid, c.name, c.period, c.start_date, c.end_date, c.template_id, t.name, c.state, \
     c.reopened, c.self_due, c.manager_due, c.created_at, b.handle FROM cycle c JOIN template t ON t.id = c.template_id \
     LEFT JOIN person b ON b.id = c.created_by";

fn cycle_row(r: &Row) -> super::conn::Result<Cycle> {
    Ok(Cycle {
        id: r.get(0)?,
        uuid: r.get(1)?,
        name: r.get(2)?,
        period: r.get(3)?,
        start: date(r, 4)?,
        end: date(r, 5)?,
        template_id: r.get(6)?,
        template: r.get(7)?,
        state: super::rows::parse(r, 8)?,
        reopened: r.get(9)?,
        self_due: opt_date(r, 10)?,
        manager_due: opt_date(r, 11)?,
        created_at: r.get(12)?,
        created_by: r.get(13)?,
    })
}

/// Reviews are read through `review_shown` (schema version 9): on a team
/// server a member reads every review's progress, but a reviewer's name
/// (empty here) and the text only where the access policy allows.
const REVIEW_SELECT: &str = "SELECT r.id, r.uuid, r.cycle_id, s.handle, coalesce(v.handle, ''), r.kind, r.state, r.summary, r.submitted_at \
     FROM review_shown r JOIN person s ON s.id = r.subject_id LEFT JOIN person v ON v.id = r.reviewer_id";

fn review_row(r: &Row) -> super::conn::Result<Review> {
    Ok(Review {
        id: r.get(0)?,
        uuid: r.get(1)?,
        cycle_id: r.get(2)?,
        subject: r.get(3)?,
        reviewer: r.get(4)?,
        kind: super::rows::parse(r, 5)?,
        state: super::rows::parse(r, 6)?,
        summary: r.get(7)?,
        submitted_at: r.get(8)?,
        ratings: Vec::new(),
    })
}

fn with_ratings(conn: &Conn, mut reviews: Vec<Review>) -> StoreResult<Vec<Review>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item, value, comment FROM rating_shown WHERE review_id = ?1 ORDER BY id",
    )?;
    for r in &mut reviews {
        r.ratings = stmt
            .query_map([r.id], |x| {
                Ok(RatingRow {
                    item: x.get(0)?,
                    value: x.get(1)?,
                    comment: x.get(2)?,
                })
            })?
            .collect::<super::conn::Result<_>>()?;
    }
    Ok(reviews)
}

fn outcome(conn: &Conn, cycle_id: i64, subject_id: i64) -> StoreResult<Option<Outcome>> {
    let row = conn
        .query_row(
            "SELECT computed_score, computed_level, calibrated_level, calibration_reason, potential, recommendation, \
             peer_average, peer_count, upward_average, upward_count, pip_id FROM outcome WHERE cycle_id = ?1 AND subject_id = ?2",
            params![cycle_id, subject_id],
            |r| {
                Ok(Outcome {
                    computed_score: r.get(0)?,
                    computed_level: r.get(1)?,
                    calibrated_level: r.get(2)?,
                    calibration_reason: r.get(3)?,
                    potential: r.get(4)?,
                    recommendation: r.get(5)?,
                    actions: Vec::new(),
                    peer_average: r.get(6)?,
                    peer_count: r.get(7)?,
                    upward_average: r.get(8)?,
                    upward_count: r.get(9)?,
                    pip: r.get(10)?,
                })
            },
        )
        .optional()?;
    let actions: Vec<ActionRow> = super::followup::actions_of(conn, cycle_id, subject_id)?;
    Ok(match row {
        Some(mut o) => {
            o.actions = actions;
            Some(o)
        }
        None if !actions.is_empty() => Some(Outcome {
            actions,
            ..Outcome::default()
        }),
        None => None,
    })
}

impl PgSession<'_> {
    fn cycle_where(
        &self,
        clause: &str,
        arg: &dyn super::conn::Param,
    ) -> StoreResult<Option<Cycle>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{CYCLE_SELECT} {clause}"))?;
        Ok(stmt.query_row([arg], cycle_row).optional()?)
    }
}

impl CycleRepo for PgSession<'_> {
    fn find_template(&self, name: &str, source: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM template WHERE name = ?1 AND source = ?2",
                params![name, source],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn insert_template(&mut self, now: &str, name: &str, source: &str) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO template(uuid, name, source, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![new_uuid(), name, source, now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn template_source(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT source FROM template WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn cycle_by_name(&self, name: &str) -> StoreResult<Option<Cycle>> {
        self.cycle_where("WHERE c.name = ?1", &name)
    }

    fn cycle_by_id(&self, id: i64) -> StoreResult<Option<Cycle>> {
        self.cycle_where("WHERE c.id = ?1", &id)
    }

    fn list_cycles(&self) -> StoreResult<Vec<Cycle>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{CYCLE_SELECT} ORDER BY c.start_date DESC, c.id DESC"
        ))?;
        Ok(stmt
            .query_map([], cycle_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn insert_cycle(&mut self, now: &str, c: &NewCycle) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO cycle(uuid, name, period, start_date, end_date, template_id, self_due, manager_due, created_at, updated_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            params![
                new_uuid(),
                c.name,
                c.period,
                c.start.to_string(),
                c.end.to_string(),
                c.template_id,
                c.self_due.map(|d| d.to_string()),
                c.manager_due.map(|d| d.to_string()),
                now,
                c.created_by
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn add_participant(&mut self, now: &str, cycle: i64, person: i64) -> StoreResult<bool> {
        let n = self.conn.execute(
            "INSERT INTO participant(uuid, cycle_id, person_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
             ON CONFLICT(cycle_id, person_id) DO NOTHING",
            params![new_uuid(), cycle, person, now],
        )?;
        Ok(n > 0)
    }

    fn participants(&self, cycle: i64) -> StoreResult<Vec<Participant>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.handle, p.name, m.handle, x.acknowledged_at FROM participant x JOIN person p ON p.id = x.person_id \
             LEFT JOIN person m ON m.id = p.manager_id WHERE x.cycle_id = ?1 ORDER BY p.handle",
        )?;
        let rows = stmt.query_map([cycle], |r| {
            Ok(Participant {
                person_id: r.get(0)?,
                handle: r.get(1)?,
                name: r.get(2)?,
                manager: r.get(3)?,
                acknowledged_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn set_cycle_state(
        &mut self,
        now: &str,
        cycle: i64,
        to: CycleState,
        reopen: bool,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE cycle SET state = ?2, reopened = reopened + ?3, updated_at = ?4 WHERE id = ?1",
            params![cycle, to.as_str(), i64::from(reopen), now],
        )?;
        Ok(())
    }

    fn insert_cycle_event(&mut self, now: &str, cycle: i64, e: &CycleEvent) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO cycle_event(uuid, cycle_id, at, actor, from_state, to_state, forced, reason, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            params![
                new_uuid(),
                cycle,
                e.at,
                e.actor,
                e.from.as_str(),
                e.to.as_str(),
                e.forced,
                e.reason,
                now
            ],
        )?;
        Ok(())
    }

    fn events(&self, cycle: i64) -> StoreResult<Vec<CycleEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, actor, from_state, to_state, forced, reason FROM cycle_event WHERE cycle_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([cycle], |r| {
            Ok(CycleEvent {
                at: r.get(0)?,
                actor: r.get(1)?,
                from: super::rows::parse(r, 2)?,
                to: super::rows::parse(r, 3)?,
                forced: r.get(4)?,
                reason: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn reviews(&self, cycle: i64, subject: Option<i64>) -> StoreResult<Vec<Review>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{REVIEW_SELECT} WHERE r.cycle_id = ?1 AND (CAST(?2 AS bigint) IS NULL OR r.subject_id = ?2) ORDER BY s.handle, r.kind, v.handle"
        ))?;
        let rows = stmt
            .query_map(params![cycle, subject], review_row)?
            .collect::<super::conn::Result<Vec<_>>>()?;
        with_ratings(self.conn, rows)
    }

    fn find_review(
        &self,
        cycle: i64,
        subject: i64,
        reviewer: i64,
        kind: ReviewKind,
    ) -> StoreResult<Option<Review>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{REVIEW_SELECT} WHERE r.cycle_id = ?1 AND r.subject_id = ?2 AND r.reviewer_id = ?3 AND r.kind = ?4"
        ))?;
        let found = stmt
            .query_row(params![cycle, subject, reviewer, kind.as_str()], review_row)
            .optional()?;
        Ok(with_ratings(self.conn, found.into_iter().collect())?
            .into_iter()
            .next())
    }

    fn insert_review(
        &mut self,
        now: &str,
        cycle: i64,
        subject: i64,
        reviewer: i64,
        kind: ReviewKind,
    ) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO review(uuid, cycle_id, subject_id, reviewer_id, kind, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![new_uuid(), cycle, subject, reviewer, kind.as_str(), now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn review_state(&self, review: i64) -> StoreResult<Option<ReviewState>> {
        let state: Option<String> = self
            .conn
            .query_row(
                "SELECT state FROM review_shown WHERE id = ?1",
                [review],
                |r| r.get(0),
            )
            .optional()?;
        state
            .map(|s| {
                s.parse().map_err(|_| {
                    crate::store::StoreError::unavailable(format!(
                        "the database holds an unknown review state '{s}'"
                    ))
                })
            })
            .transpose()
    }

    fn rating(
        &self,
        review: i64,
        item: &str,
    ) -> StoreResult<Option<(Option<f64>, Option<String>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value, comment FROM rating WHERE review_id = ?1 AND item = ?2",
                params![review, item],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn insert_rating(
        &mut self,
        now: &str,
        review: i64,
        item: &str,
        value: Option<f64>,
        comment: Option<&str>,
    ) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO rating(uuid, review_id, item, value, comment, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![new_uuid(), review, item, value, comment, now],
        )?;
        Ok(())
    }

    fn update_rating(
        &mut self,
        now: &str,
        review: i64,
        item: &str,
        value: Option<f64>,
        comment: Option<&str>,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE rating SET value = ?3, comment = ?4, updated_at = ?5 WHERE review_id = ?1 AND item = ?2",
            params![review, item, value, comment, now],
        )?;
        Ok(())
    }

    fn set_review_summary(&mut self, now: &str, review: i64, summary: &str) -> StoreResult<bool> {
        let n = self.conn.execute(
            "UPDATE review SET summary = ?2, updated_at = ?3 WHERE id = ?1 AND summary IS DISTINCT FROM ?2",
            params![review, summary, now],
        )?;
        Ok(n > 0)
    }

    fn submit_review(&mut self, now: &str, review: i64) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE review SET state = ?3, submitted_at = ?2, updated_at = ?2 WHERE id = ?1 AND state = ?4",
            params![
                review,
                now,
                ReviewState::Submitted.as_str(),
                ReviewState::Pending.as_str()
            ],
        )?;
        Ok(())
    }

    fn outcome_id(&mut self, now: &str, cycle: i64, subject: i64) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO outcome(uuid, cycle_id, subject_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
             ON CONFLICT(cycle_id, subject_id) DO NOTHING",
            params![new_uuid(), cycle, subject, now],
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM outcome WHERE cycle_id = ?1 AND subject_id = ?2",
            params![cycle, subject],
            |r| r.get(0),
        )?)
    }

    fn set_computed(
        &mut self,
        now: &str,
        outcome: i64,
        score: Option<f64>,
        level: Option<f64>,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE outcome SET computed_score = ?2, computed_level = ?3, updated_at = ?4 \
             WHERE id = ?1 AND (computed_score IS DISTINCT FROM ?2 OR computed_level IS DISTINCT FROM ?3)",
            params![outcome, score, level, now],
        )?;
        Ok(())
    }

    fn set_anonymous_averages(
        &mut self,
        now: &str,
        outcome: i64,
        peer: (Option<f64>, i64),
        upward: (Option<f64>, i64),
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE outcome SET peer_average = ?2, peer_count = ?3, upward_average = ?4, upward_count = ?5, \
             updated_at = ?6 WHERE id = ?1 AND (peer_average IS DISTINCT FROM ?2 OR peer_count IS DISTINCT FROM ?3 \
             OR upward_average IS DISTINCT FROM ?4 OR upward_count IS DISTINCT FROM ?5)",
            params![outcome, peer.0, peer.1, upward.0, upward.1, now],
        )?;
        Ok(())
    }

    fn set_calibration(
        &mut self,
        now: &str,
        outcome: i64,
        level: f64,
        reason: &str,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE outcome SET calibrated_level = ?2, calibration_reason = ?3, updated_at = ?4 WHERE id = ?1",
            params![outcome, level, reason, now],
        )?;
        Ok(())
    }

    fn set_outcome_fields(
        &mut self,
        now: &str,
        outcome: i64,
        potential: Option<&str>,
        recommendation: Option<&str>,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE outcome SET potential = coalesce(?2, potential), recommendation = coalesce(?3, recommendation), updated_at = ?4 WHERE id = ?1",
            params![outcome, potential, recommendation, now],
        )?;
        Ok(())
    }

    fn insert_action(
        &mut self,
        now: &str,
        cycle: i64,
        subject: i64,
        text: &str,
        due: Option<NaiveDate>,
    ) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO action(uuid, cycle_id, subject_id, text, due_date, created_at, updated_at, owner_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?3)",
            params![new_uuid(), cycle, subject, text, due.map(|d| d.to_string()), now],
        )?;
        Ok(())
    }

    fn outcome(&self, cycle: i64, subject: i64) -> StoreResult<Option<Outcome>> {
        outcome(self.conn, cycle, subject)
    }

    fn insert_appraisal_record(
        &mut self,
        now: &str,
        cycle: i64,
        r: &StoredRecord,
    ) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO appraisal_record(uuid, cycle_id, subject_id, finalization, finalized_at, finalized_by, \
             record, voided_at, void_reason, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            params![
                r.uuid,
                cycle,
                r.subject,
                r.finalization,
                r.finalized_at,
                r.finalized_by,
                r.record,
                r.voided_at,
                r.void_reason,
                now
            ],
        )?;
        Ok(())
    }

    fn appraisal_records(
        &self,
        cycle: i64,
        subject: Option<i64>,
    ) -> StoreResult<Vec<StoredRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uuid, subject_id, finalization, finalized_at, finalized_by, record, voided_at, void_reason \
             FROM appraisal_record WHERE cycle_id = ?1 AND (CAST(?2 AS bigint) IS NULL OR subject_id = ?2) \
             ORDER BY subject_id, finalization",
        )?;
        let rows = stmt.query_map(params![cycle, subject], |r| {
            Ok(StoredRecord {
                uuid: r.get(0)?,
                subject: r.get(1)?,
                finalization: r.get(2)?,
                finalized_at: r.get(3)?,
                finalized_by: r.get(4)?,
                record: r.get(5)?,
                voided_at: r.get(6)?,
                void_reason: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn void_appraisal_records(
        &mut self,
        now: &str,
        cycle: i64,
        reason: &str,
    ) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "UPDATE appraisal_record SET voided_at = ?2, void_reason = ?3, updated_at = ?2 \
             WHERE cycle_id = ?1 AND voided_at IS NULL",
            params![cycle, now, reason],
        )?)
    }

    fn acknowledge(&mut self, now: &str, cycle: i64, person: i64) -> StoreResult<bool> {
        crate::store::FollowUpRepo::add_acknowledgement(self, now, cycle, person, None)
    }
}
