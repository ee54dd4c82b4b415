//! Appraisal: review templates, cycles and their participants, reviews and
//! ratings, outcomes, development actions, and the cycle's state history.

use super::new_uuid;
use super::rows::{date, opt_date};
pub use crate::domain::cycle::{
    ActionRow, Cycle, CycleEvent, Outcome, Participant, RatingRow, Review,
};
use crate::domain::{CycleState, ReviewKind};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Store a template's source text; returns its id.
pub fn add_template(conn: &Connection, now: &str, name: &str, source: &str) -> Result<i64> {
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM template WHERE name = ?1 AND source = ?2",
            params![name, source],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO template(uuid, name, source, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![new_uuid(), name, source, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A template's source text.
pub fn template_source(conn: &Connection, id: i64) -> Result<String> {
    Ok(
        conn.query_row("SELECT source FROM template WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

const CYCLE_SELECT: &str = "SELECT c.id, c.uuid, c.name, c.period, c.start_date, c.end_date, c.template_id, t.name, c.state, \
     c.reopened, c.self_due, c.manager_due, c.created_at FROM cycle c JOIN template t ON t.id = c.template_id";

fn cycle_row(r: &Row<'_>) -> rusqlite::Result<Cycle> {
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
    })
}

/// A new cycle.
#[derive(Debug, Clone)]
pub struct NewCycle {
    /// Name.
    pub name: String,
    /// Period name.
    pub period: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Template id.
    pub template_id: i64,
    /// Self reviews due.
    pub self_due: Option<NaiveDate>,
    /// Manager reviews due.
    pub manager_due: Option<NaiveDate>,
    /// Participants (person ids).
    pub participants: Vec<i64>,
}

/// Create a cycle in the draft state.
pub fn create_cycle(conn: &Connection, now: &str, c: &NewCycle) -> Result<Cycle> {
    crate::domain::names::validate_text("cycle name", &c.name, 100)?;
    if find_cycle(conn, &c.name)?.is_some() {
        return Err(
            Error::failed(format!("a cycle named '{}' already exists", c.name))
                .with_hint("choose another name"),
        );
    }
    conn.execute(
        "INSERT INTO cycle(uuid, name, period, start_date, end_date, template_id, self_due, manager_due, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            new_uuid(),
            c.name.trim(),
            c.period,
            c.start.to_string(),
            c.end.to_string(),
            c.template_id,
            c.self_due.map(|d| d.to_string()),
            c.manager_due.map(|d| d.to_string()),
            now
        ],
    )?;
    let id = conn.last_insert_rowid();
    for p in &c.participants {
        add_participant(conn, now, id, *p)?;
    }
    get_cycle(conn, c.name.trim())
}

/// Add a participant (no-op if present); returns whether it was added.
pub fn add_participant(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    person_id: i64,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO participant(uuid, cycle_id, person_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
         ON CONFLICT(cycle_id, person_id) DO NOTHING",
        params![new_uuid(), cycle_id, person_id, now],
    )?;
    Ok(n > 0)
}

/// A cycle by name or id, if there is one.
pub fn find_cycle(conn: &Connection, reference: &str) -> Result<Option<Cycle>> {
    let r = reference.trim();
    let mut stmt = conn.prepare_cached(&format!(
        "{CYCLE_SELECT} WHERE c.name = ?1 OR (?1 GLOB '[0-9]*' AND c.id = CAST(?1 AS INTEGER))"
    ))?;
    Ok(stmt.query_row([r], cycle_row).optional()?)
}

/// A cycle by name or id; exit 1 if there is none.
pub fn get_cycle(conn: &Connection, reference: &str) -> Result<Cycle> {
    find_cycle(conn, reference)?.ok_or_else(|| {
        let shown: String = reference.chars().take(80).collect();
        Error::not_found("cycle", &shown)
            .with_hint("`yardstick appraise cycle list` shows the cycles")
    })
}

/// Every cycle, newest first.
pub fn list_cycles(conn: &Connection) -> Result<Vec<Cycle>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{CYCLE_SELECT} ORDER BY c.start_date DESC, c.id DESC"
    ))?;
    Ok(stmt
        .query_map([], cycle_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The participants of a cycle, by handle.
pub fn participants(conn: &Connection, cycle_id: i64) -> Result<Vec<Participant>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.handle, p.name, m.handle, x.acknowledged_at FROM participant x JOIN person p ON p.id = x.person_id \
         LEFT JOIN person m ON m.id = p.manager_id WHERE x.cycle_id = ?1 ORDER BY p.handle",
    )?;
    let rows = stmt.query_map([cycle_id], |r| {
        Ok(Participant {
            person_id: r.get(0)?,
            handle: r.get(1)?,
            name: r.get(2)?,
            manager: r.get(3)?,
            acknowledged_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Move a cycle to a new state (reopening counts the reopen).
pub fn set_state(
    conn: &Connection,
    now: &str,
    cycle: &Cycle,
    to: CycleState,
    reopen: bool,
) -> Result<()> {
    conn.execute(
        "UPDATE cycle SET state = ?2, reopened = reopened + ?3, updated_at = ?4 WHERE id = ?1",
        params![cycle.id, to.as_str(), i64::from(reopen), now],
    )?;
    Ok(())
}

/// Record a state change.
#[allow(clippy::too_many_arguments)]
pub fn add_event(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    actor: &str,
    from: CycleState,
    to: CycleState,
    forced: bool,
    reason: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO cycle_event(uuid, cycle_id, at, actor, from_state, to_state, forced, reason, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?3, ?3)",
        params![new_uuid(), cycle_id, now, actor, from.as_str(), to.as_str(), forced, reason],
    )?;
    Ok(())
}

/// The state history of a cycle, oldest first.
pub fn events(conn: &Connection, cycle_id: i64) -> Result<Vec<CycleEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, from_state, to_state, forced, reason FROM cycle_event WHERE cycle_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([cycle_id], |r| {
        Ok(CycleEvent {
            at: r.get(0)?,
            actor: r.get(1)?,
            from: super::rows::parse(r, 2)?,
            to: super::rows::parse(r, 3)?,
            forced: r.get(4)?,
            reason: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const REVIEW_SELECT: &str = "SELECT r.id, r.uuid, r.cycle_id, s.handle, v.handle, r.kind, r.state, r.summary, r.submitted_at \
     FROM review r JOIN person s ON s.id = r.subject_id JOIN person v ON v.id = r.reviewer_id";

fn review_row(r: &Row<'_>) -> rusqlite::Result<Review> {
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

fn with_ratings(conn: &Connection, mut reviews: Vec<Review>) -> Result<Vec<Review>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item, value, comment FROM rating WHERE review_id = ?1 ORDER BY id",
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
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(reviews)
}

/// The reviews of a cycle (all subjects, or one), with ratings.
pub fn reviews(conn: &Connection, cycle_id: i64, subject_id: Option<i64>) -> Result<Vec<Review>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{REVIEW_SELECT} WHERE r.cycle_id = ?1 AND (?2 IS NULL OR r.subject_id = ?2) ORDER BY s.handle, r.kind, v.handle"
    ))?;
    let rows = stmt
        .query_map(params![cycle_id, subject_id], review_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    with_ratings(conn, rows)
}

/// The review of a subject by a reviewer of a kind, if any.
pub fn find_review(
    conn: &Connection,
    cycle_id: i64,
    subject_id: i64,
    reviewer_id: i64,
    kind: ReviewKind,
) -> Result<Option<Review>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{REVIEW_SELECT} WHERE r.cycle_id = ?1 AND r.subject_id = ?2 AND r.reviewer_id = ?3 AND r.kind = ?4"
    ))?;
    let found = stmt
        .query_row(
            params![cycle_id, subject_id, reviewer_id, kind.as_str()],
            review_row,
        )
        .optional()?;
    Ok(with_ratings(conn, found.into_iter().collect())?
        .into_iter()
        .next())
}

/// The review, created as pending if it does not exist yet.
pub fn ensure_review(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    subject_id: i64,
    reviewer_id: i64,
    kind: ReviewKind,
) -> Result<Review> {
    if let Some(r) = find_review(conn, cycle_id, subject_id, reviewer_id, kind)? {
        return Ok(r);
    }
    conn.execute(
        "INSERT INTO review(uuid, cycle_id, subject_id, reviewer_id, kind, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![new_uuid(), cycle_id, subject_id, reviewer_id, kind.as_str(), now],
    )?;
    find_review(conn, cycle_id, subject_id, reviewer_id, kind)?
        .ok_or_else(|| Error::database("a review just written cannot be read back"))
}

/// Refuse a change to a review that is already submitted. Checked inside the
/// write transaction, so two submissions racing each other cannot both win.
pub fn ensure_pending(conn: &Connection, review_id: i64) -> Result<()> {
    let state: Option<String> = conn
        .query_row("SELECT state FROM review WHERE id = ?1", [review_id], |r| {
            r.get(0)
        })
        .optional()?;
    if state.as_deref() == Some("submitted") {
        return Err(Error::failed("the review is already submitted")
            .with_hint("a submitted review cannot be changed"));
    }
    Ok(())
}

/// Set (or replace) a rating and/or comment on an item; returns whether anything changed.
pub fn set_rating(
    conn: &Connection,
    now: &str,
    review_id: i64,
    item: &str,
    value: Option<f64>,
    comment: Option<&str>,
) -> Result<bool> {
    ensure_pending(conn, review_id)?;
    let old: Option<(Option<f64>, Option<String>)> = conn
        .query_row(
            "SELECT value, comment FROM rating WHERE review_id = ?1 AND item = ?2",
            params![review_id, item],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match old {
        None => {
            conn.execute(
                "INSERT INTO rating(uuid, review_id, item, value, comment, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![new_uuid(), review_id, item, value, comment, now],
            )?;
            Ok(true)
        }
        Some((v, c)) => {
            let new_v = value.or(v);
            let new_c = comment.map(str::to_string).or(c.clone());
            if new_v == v && new_c == c {
                return Ok(false);
            }
            conn.execute(
                "UPDATE rating SET value = ?3, comment = ?4, updated_at = ?5 WHERE review_id = ?1 AND item = ?2",
                params![review_id, item, new_v, new_c, now],
            )?;
            Ok(true)
        }
    }
}

/// Set a review's overall comment; returns whether it changed.
pub fn set_summary(conn: &Connection, now: &str, review_id: i64, summary: &str) -> Result<bool> {
    ensure_pending(conn, review_id)?;
    let n = conn.execute(
        "UPDATE review SET summary = ?2, updated_at = ?3 WHERE id = ?1 AND summary IS NOT ?2",
        params![review_id, summary, now],
    )?;
    Ok(n > 0)
}

/// Submit a review.
pub fn submit(conn: &Connection, now: &str, review_id: i64) -> Result<()> {
    ensure_pending(conn, review_id)?;
    conn.execute(
        "UPDATE review SET state = 'submitted', submitted_at = ?2, updated_at = ?2 WHERE id = ?1 AND state = 'pending'",
        params![review_id, now],
    )?;
    Ok(())
}

fn outcome_id(conn: &Connection, now: &str, cycle_id: i64, subject_id: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO outcome(uuid, cycle_id, subject_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
         ON CONFLICT(cycle_id, subject_id) DO NOTHING",
        params![new_uuid(), cycle_id, subject_id, now],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM outcome WHERE cycle_id = ?1 AND subject_id = ?2",
        params![cycle_id, subject_id],
        |r| r.get(0),
    )?)
}

/// Store the computed score and level (keeping any calibration).
pub fn set_computed(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    subject_id: i64,
    score: Option<f64>,
    level: Option<f64>,
) -> Result<()> {
    let id = outcome_id(conn, now, cycle_id, subject_id)?;
    conn.execute(
        "UPDATE outcome SET computed_score = ?2, computed_level = ?3, updated_at = ?4 \
         WHERE id = ?1 AND (computed_score IS NOT ?2 OR computed_level IS NOT ?3)",
        params![id, score, level, now],
    )?;
    Ok(())
}

/// Set the calibrated level with its reason (the computed one is kept).
pub fn calibrate(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    subject_id: i64,
    level: f64,
    reason: &str,
) -> Result<()> {
    let id = outcome_id(conn, now, cycle_id, subject_id)?;
    conn.execute(
        "UPDATE outcome SET calibrated_level = ?2, calibration_reason = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, level, reason, now],
    )?;
    Ok(())
}

/// Set potential and recommendation (`None` leaves a field alone).
pub fn set_outcome(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    subject_id: i64,
    potential: Option<&str>,
    recommendation: Option<&str>,
) -> Result<()> {
    let id = outcome_id(conn, now, cycle_id, subject_id)?;
    conn.execute(
        "UPDATE outcome SET potential = coalesce(?2, potential), recommendation = coalesce(?3, recommendation), updated_at = ?4 WHERE id = ?1",
        params![id, potential, recommendation, now],
    )?;
    Ok(())
}

/// Add a development action.
pub fn add_action(
    conn: &Connection,
    now: &str,
    cycle_id: i64,
    subject_id: i64,
    text: &str,
    due: Option<NaiveDate>,
) -> Result<()> {
    crate::domain::names::validate_text("action", text, 2000)?;
    conn.execute(
        "INSERT INTO action(uuid, cycle_id, subject_id, text, due_date, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![new_uuid(), cycle_id, subject_id, text.trim(), due.map(|d| d.to_string()), now],
    )?;
    Ok(())
}

/// The outcome of a subject, if any.
pub fn outcome(conn: &Connection, cycle_id: i64, subject_id: i64) -> Result<Option<Outcome>> {
    let row = conn
        .query_row(
            "SELECT computed_score, computed_level, calibrated_level, calibration_reason, potential, recommendation \
             FROM outcome WHERE cycle_id = ?1 AND subject_id = ?2",
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
                })
            },
        )
        .optional()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, text, due_date FROM action WHERE cycle_id = ?1 AND subject_id = ?2 ORDER BY id",
    )?;
    let actions: Vec<ActionRow> = stmt
        .query_map(params![cycle_id, subject_id], |r| {
            Ok(ActionRow {
                id: r.get(0)?,
                text: r.get(1)?,
                due: opt_date(r, 2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
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

/// Record that the subject acknowledged their outcome; returns whether it changed.
pub fn acknowledge(conn: &Connection, now: &str, cycle_id: i64, person_id: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE participant SET acknowledged_at = ?3, updated_at = ?3 WHERE cycle_id = ?1 AND person_id = ?2 AND acknowledged_at IS NULL",
        params![cycle_id, person_id, now],
    )?;
    Ok(n > 0)
}
