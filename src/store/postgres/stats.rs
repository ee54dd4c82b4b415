//! Aggregate queries for reports: counted in SQL, so reports never hold every
//! check-in in memory.

use super::PgSession;
use super::conn::{Conn, params};
use crate::domain::{ReviewKind, ReviewState};
use crate::store::stats::AuthorActivity;
use crate::store::{StatsRepo, StoreResult};
use chrono::NaiveDate;
use std::collections::HashMap;

fn day(d: Option<NaiveDate>, default: &str) -> String {
    d.map_or_else(|| default.to_string(), |d| d.to_string())
}

/// Per person (by handle): check-ins they wrote in [since, until], the number
/// of distinct ISO weeks with at least one, and their latest check-in day.
fn checkins_by_author(
    conn: &Conn,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> StoreResult<HashMap<String, AuthorActivity>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.handle, count(c.id), count(DISTINCT to_char(CAST(c.date AS date), 'IYYY-IW')), max(c.date) \
         FROM person p JOIN checkin c ON c.author_id = p.id \
         WHERE c.date >= ?1 AND c.date <= ?2 GROUP BY p.id",
    )?;
    let rows = stmt.query_map(
        params![day(since, "0000-01-01"), day(until, "9999-12-31")],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        },
    )?;
    let mut out = HashMap::new();
    for r in rows {
        let (h, n, weeks, last) = r?;
        out.insert(
            h,
            (n, weeks, last.as_deref().and_then(crate::time::read_day)),
        );
    }
    Ok(out)
}

/// Per person (by handle): pieces of feedback received in [since, until],
/// counting private ones only when `include_private`.
fn feedback_received(
    conn: &Conn,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    include_private: bool,
) -> StoreResult<HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.handle, count(f.id) FROM person p JOIN feedback f ON f.to_id = p.id \
         WHERE f.date >= ?1 AND f.date <= ?2 AND (?3 <> 0 OR f.private = 0) GROUP BY p.id",
    )?;
    let rows = stmt.query_map(
        params![
            day(since, "0000-01-01"),
            day(until, "9999-12-31"),
            include_private
        ],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )?;
    Ok(rows.collect::<super::conn::Result<_>>()?)
}

/// How many check-ins carry a value in [since, until], and over how many measures.
fn checkin_volume(
    conn: &Conn,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> StoreResult<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT count(*), count(DISTINCT measure_id) FROM checkin WHERE value IS NOT NULL AND date >= ?1 AND date <= ?2",
        params![day(since, "0000-01-01"), day(until, "9999-12-31")],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Per cycle: (name, state, reviews required (self + manager), submitted of those).
fn review_completion(conn: &Conn) -> StoreResult<Vec<(String, String, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.name, c.state, \
           (SELECT count(*) FROM participant x WHERE x.cycle_id = c.id) \
           + (SELECT count(*) FROM participant x JOIN person p ON p.id = x.person_id WHERE x.cycle_id = c.id AND p.manager_id IS NOT NULL), \
           (SELECT count(*) FROM review r WHERE r.cycle_id = c.id AND r.kind IN (?1, ?2) AND r.state = ?3) \
         FROM cycle c ORDER BY c.start_date, c.id",
    )?;
    let kinds = (
        ReviewKind::SelfReview.as_str(),
        ReviewKind::Manager.as_str(),
    );
    let rows = stmt.query_map(
        params![kinds.0, kinds.1, ReviewState::Submitted.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    Ok(rows.collect::<super::conn::Result<_>>()?)
}

impl StatsRepo for PgSession<'_> {
    fn checkins_by_author(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> StoreResult<HashMap<String, AuthorActivity>> {
        checkins_by_author(self.conn, since, until)
    }

    fn feedback_received(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        include_private: bool,
    ) -> StoreResult<HashMap<String, i64>> {
        feedback_received(self.conn, since, until, include_private)
    }

    fn checkin_volume(
        &self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> StoreResult<(i64, i64)> {
        checkin_volume(self.conn, since, until)
    }

    fn review_completion(&self) -> StoreResult<Vec<(String, String, i64, i64)>> {
        review_completion(self.conn)
    }
}
