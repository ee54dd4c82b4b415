//! Check-ins on PostgreSQL.

use super::PgSession;
use super::conn::{Conn, OptionalExtension, Param, Row, params};
use super::rows::json_ids;
use crate::domain::checkin::Checkin;
use crate::store::checkins::{CheckinFilter, NewCheckin};
use crate::store::exchange::Val;
use crate::store::{CheckinRepo, StoreResult, new_uuid};
use crate::time::read_day;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A hot query: its plan must search an index, never scan every check-in
/// (checked by `tests/store.rs`).
pub const LATEST_SQL: &str = "SELECT date, value FROM checkin WHERE measure_id = ?1 AND value IS NOT NULL ORDER BY date DESC, id DESC LIMIT 1";

/// A hot query: its plan must search an index, never scan every check-in
/// (checked by `tests/store.rs`). Every measure's valued check-ins of the
/// forecast window (`?1`, e.g. `-91 days`) up to its latest one: one seek
/// for the latest date and one range read per measure, measures first.
pub const RECENT_SQL: &str = "SELECT c.measure_id, c.date, c.value, c.id FROM measure m \
     JOIN checkin c ON c.measure_id = m.id \
     WHERE (CAST(?2 AS jsonb) IS NULL OR m.goal_id IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST(?2 AS jsonb)))) \
     AND c.value IS NOT NULL AND c.date <= ?3 AND c.date >= to_char(CAST((SELECT max(x.date) FROM checkin x \
     WHERE x.measure_id = m.id AND x.value IS NOT NULL AND x.date <= ?3) AS date) + CAST(?1 AS interval), 'YYYY-MM-DD')";

/// A hot query: its plan must search an index, never scan every check-in
/// (checked by `tests/store.rs`).
pub const HISTORY_SQL: &str = "SELECT date, value FROM checkin WHERE measure_id = ?1 AND date >= ?2 AND value IS NOT NULL ORDER BY date, id";

/// A hot query: its plan must search an index, never scan every check-in
/// (checked by `tests/store.rs`).
pub const LAST_BY_GOAL_SQL: &str = "SELECT g.id, (SELECT max(c.date) FROM checkin c WHERE c.goal_id = g.id) AS last FROM goal g \
     WHERE CAST(?1 AS jsonb) IS NULL OR g.id IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST(?1 AS jsonb)))";

/// A hot query: its plan must search an index, never scan every check-in
/// (checked by `tests/store.rs`).
pub const LAST_STATUS_SQL: &str = "SELECT g.id, (SELECT d.status FROM checkin d WHERE d.goal_id = g.id AND d.status IS NOT NULL \
     ORDER BY d.date DESC, d.id DESC LIMIT 1) FROM goal g \
     WHERE CAST(?1 AS jsonb) IS NULL OR g.id IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST(?1 AS jsonb)))";

const SELECT: &str = "SELECT c.id, c.uuid, c.goal_id, g.key, c.measure_id, m.name, m.unit, c.date, c.value, c.confidence, \
     c.status, c.note, a.handle, c.created_at FROM checkin c JOIN goal g ON g.id = c.goal_id \
     LEFT JOIN measure m ON m.id = c.measure_id LEFT JOIN person a ON a.id = c.author_id";

fn row(r: &Row) -> super::conn::Result<Checkin> {
    Ok(Checkin {
        id: r.get(0)?,
        uuid: r.get(1)?,
        goal_id: r.get(2)?,
        goal: r.get(3)?,
        measure_id: r.get(4)?,
        measure: r.get(5)?,
        unit: r.get(6)?,
        date: super::rows::date(r, 7)?,
        value: r.get(8)?,
        confidence: r.get(9)?,
        status: r.get(10)?,
        note: r.get(11)?,
        author: r.get(12)?,
        created_at: r.get(13)?,
    })
}

fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".into()
    } else {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn list(conn: &Conn, f: &CheckinFilter) -> StoreResult<Vec<Checkin>> {
    let mut clauses = vec!["true".to_string()];
    let mut args: Vec<Box<dyn Param>> = Vec::new();
    if let Some(g) = f.goal {
        args.push(Box::new(g));
        clauses.push(format!("c.goal_id = ?{}", args.len()));
    }
    if let Some(m) = f.measure {
        args.push(Box::new(m));
        clauses.push(format!("c.measure_id = ?{}", args.len()));
    }
    // Ids come from the store, never from user text.
    if let Some(p) = &f.people {
        let l = id_list(p);
        clauses.push(format!(
            "(g.owner_person_id IN ({l}) OR c.author_id IN ({l}))"
        ));
    }
    if let Some(t) = &f.teams {
        let l = id_list(t);
        clauses.push(format!(
            "(g.owner_team_id IN ({l}) OR g.owner_person_id IN (SELECT id FROM person WHERE team_id IN ({l})))"
        ));
    }
    if let Some(d) = f.since {
        args.push(Box::new(d.to_string()));
        clauses.push(format!("c.date >= ?{}", args.len()));
    }
    if let Some(d) = f.until {
        args.push(Box::new(d.to_string()));
        clauses.push(format!("c.date <= ?{}", args.len()));
    }
    let limit = f.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
    args.push(Box::new(limit));
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY c.date DESC, c.id DESC LIMIT ?{}",
        clauses.join(" AND "),
        args.len()
    );
    let mut stmt = conn.prepare(&sql)?;
    let refs: Vec<&dyn Param> = args.iter().map(|a| a.as_ref()).collect();
    Ok(stmt
        .query_map(refs.as_slice(), row)?
        .collect::<super::conn::Result<_>>()?)
}

/// Rows per multi-row INSERT of a bulk load (10 parameters each, well
/// under SQLite's limit).
const BATCH_ROWS: usize = 200;

/// Insert up to [`BATCH_ROWS`] check-ins in one statement.
fn insert_batch(conn: &Conn, now: &str, rows: &[(String, NewCheckin)]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let tuples: Vec<String> = (0..rows.len())
        .map(|i| {
            let p = i * 9;
            format!(
                "(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?1, ?1)",
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7,
                p + 8,
                p + 9,
                p + 10
            )
        })
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO checkin(uuid, goal_id, measure_id, date, value, confidence, status, note, author_id, created_at, updated_at) VALUES {}",
        tuples.join(", ")
    ))?;
    let mut vals: Vec<Val> = vec![now.val()];
    for (uuid, c) in rows {
        vals.push(uuid.val());
        vals.push(c.goal_id.val());
        vals.push(c.measure_id.val());
        vals.push(c.date.to_string().val());
        vals.push(c.value.val());
        vals.push(c.confidence.val());
        vals.push(c.status.val());
        vals.push(c.note.val());
        vals.push(c.author_id.val());
    }
    stmt.execute(vals)?;
    Ok(())
}

impl CheckinRepo for PgSession<'_> {
    fn insert_checkin(&mut self, now: &str, c: &NewCheckin) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
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
        Ok(self.conn.last_insert_rowid())
    }

    fn insert_checkins(&mut self, now: &str, rows: &[(String, NewCheckin)]) -> StoreResult<()> {
        for chunk in rows.chunks(BATCH_ROWS) {
            insert_batch(self.conn, now, chunk)?;
        }
        Ok(())
    }

    fn checkin(&self, id: i64) -> StoreResult<Option<Checkin>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE c.id = ?1"))?;
        Ok(stmt.query_row([id], row).optional()?)
    }

    fn list_checkins(&self, filter: &CheckinFilter) -> StoreResult<Vec<Checkin>> {
        list(self.conn, filter)
    }

    fn update_checkin(&mut self, now: &str, c: &Checkin) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE checkin SET date = ?2, value = ?3, confidence = ?4, status = ?5, note = ?6, updated_at = ?7 WHERE id = ?1",
            )?
            .execute(params![
                c.id,
                c.date.to_string(),
                c.value,
                c.confidence,
                c.status,
                c.note,
                now
            ])?;
        Ok(())
    }

    fn delete_checkin(&mut self, id: i64) -> StoreResult<()> {
        self.conn
            .execute("DELETE FROM checkin WHERE id = ?1", [id])?;
        Ok(())
    }

    fn count_checkins(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM checkin", [], |r| r.get(0))?)
    }

    fn latest_value(&self, measure: i64) -> StoreResult<Option<(NaiveDate, f64)>> {
        let mut stmt = self.conn.prepare_cached(LATEST_SQL)?;
        let row: Option<(String, f64)> = stmt
            .query_row([measure], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(d, v)| read_day(&d).map(|d| (d, v))))
    }

    fn recent_points(
        &self,
        window_days: i64,
        goals: Option<&[i64]>,
        until: Option<NaiveDate>,
    ) -> StoreResult<HashMap<i64, Vec<(NaiveDate, f64)>>> {
        let window = format!("-{window_days} days");
        let until = until.map_or_else(|| "9999-12-31".to_string(), |d| d.to_string());
        let mut stmt = self.conn.prepare_cached(RECENT_SQL)?;
        let mut rows = stmt.query(params![window, goals.map(json_ids), until])?;
        let mut by_measure: HashMap<i64, Vec<(NaiveDate, i64, f64)>> = HashMap::new();
        while let Some(r) = rows.next()? {
            let Some(date) = r.get::<_, Option<String>>(1)?.as_deref().and_then(read_day) else {
                continue;
            };
            by_measure
                .entry(r.get(0)?)
                .or_default()
                .push((date, r.get(3)?, r.get(2)?));
        }
        Ok(by_measure
            .into_iter()
            .map(|(m, mut points)| {
                points.sort_unstable_by_key(|p| (p.0, p.1));
                (m, points.into_iter().map(|(d, _, v)| (d, v)).collect())
            })
            .collect())
    }

    fn history(
        &self,
        measure: i64,
        since: Option<NaiveDate>,
    ) -> StoreResult<Vec<(NaiveDate, f64)>> {
        let mut stmt = self.conn.prepare_cached(HISTORY_SQL)?;
        let since = since.map_or_else(|| "0000-01-01".to_string(), |d| d.to_string());
        let rows = stmt.query_map(params![measure, since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (d, v) = r?;
            if let Some(d) = read_day(&d) {
                out.push((d, v));
            }
        }
        Ok(out)
    }

    fn last_checkin_by_goal(&self, goals: Option<&[i64]>) -> StoreResult<HashMap<i64, NaiveDate>> {
        // One indexed seek per goal on checkin(goal_id, date), never a scan
        // of every check-in.
        let mut stmt = self.conn.prepare_cached(LAST_BY_GOAL_SQL)?;
        let rows = stmt.query_map([goals.map(json_ids)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        let mut out = HashMap::new();
        for r in rows {
            let (g, d) = r?;
            if let Some(d) = d.as_deref().and_then(read_day) {
                out.insert(g, d);
            }
        }
        Ok(out)
    }

    fn last_status_by_goal(&self, goals: Option<&[i64]>) -> StoreResult<HashMap<i64, String>> {
        // Per goal, one seek in the partial index of check-ins with a status.
        let mut stmt = self.conn.prepare_cached(LAST_STATUS_SQL)?;
        let rows = stmt.query_map([goals.map(json_ids)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        let mut out = HashMap::new();
        for r in rows {
            let (g, st) = r?;
            if let Some(st) = st {
                out.insert(g, st);
            }
        }
        Ok(out)
    }
}
