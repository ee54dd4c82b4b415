//! Raw rows for `export` and `import`: every data table described once
//! ([`TABLES`]), read with foreign keys replaced by the referenced rows'
//! UUIDs, and written back with UUIDs mapped to this file's row ids.
//!
//! Identifiers in the SQL built here come from [`TABLES`] (static schema
//! names), never from input; values are always bound as parameters.

use super::conn::{Conn, OptionalExtension, Param, Row, params, params_from_iter};
use super::{PgSession, Sql};
use crate::error::Result;
use crate::store::exchange::{
    CheckinLine, ExchangeRepo, Kind, RawRow, Revs, Selection, TABLES, TableDef, Tombstone, Val,
};
use crate::store::{StoreError, StoreResult};
use std::collections::{HashMap, HashSet};

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// `SELECT t.id, t.uuid, <columns with references as UUIDs> FROM table t`.
fn select_sql(def: &TableDef) -> String {
    select_sql_with(def, "")
}

/// [`select_sql`] with more columns after the table's.
fn select_sql_with(def: &TableDef, more: &str) -> String {
    let mut cols = vec!["t.id".to_string(), "t.uuid".to_string()];
    for col in def.cols {
        match col.kind {
            Kind::Ref(target) => cols.push(format!(
                "(SELECT x.uuid FROM {} x WHERE x.id = t.{})",
                quoted(target),
                quoted(col.name)
            )),
            _ => cols.push(format!("t.{}", quoted(col.name))),
        }
    }
    format!(
        "SELECT {}{more} FROM {} t",
        cols.join(", "),
        quoted(def.name)
    )
}

fn read_row(table: usize, row: &Row) -> super::conn::Result<(i64, RawRow)> {
    let def = &TABLES[table];
    let id: i64 = row.get(0)?;
    let uuid: String = row.get(1)?;
    let mut vals = Vec::with_capacity(def.cols.len());
    for (i, col) in def.cols.iter().enumerate() {
        let v = match row.val(i + 2)? {
            #[allow(clippy::cast_precision_loss)]
            Val::Int(n) if col.kind == Kind::Real => Val::Real(*n as f64),
            v => v.clone(),
        };
        vals.push(v);
    }
    Ok((id, RawRow { table, uuid, vals }))
}

/// The person part of the filter of each table (`?2` is the person's id).
fn person_filter(table: &str) -> &'static str {
    match table {
        "period" => "true",
        "person" => "t.id = ?2",
        "goal" => "t.owner_person_id = ?2",
        "measure" => "t.goal_id IN (SELECT id FROM goal WHERE owner_person_id = ?2)",
        "checkin" => {
            "(t.author_id = ?2 OR t.goal_id IN (SELECT id FROM goal WHERE owner_person_id = ?2))"
        }
        "feedback" => "(t.from_id = ?2 OR t.to_id = ?2)",
        "participant" => "t.person_id = ?2",
        "review" => "(t.subject_id = ?2 OR t.reviewer_id = ?2)",
        "rating" => {
            "t.review_id IN (SELECT id FROM review WHERE subject_id = ?2 OR reviewer_id = ?2)"
        }
        "outcome" | "action" | "pip" => "t.subject_id = ?2",
        "acknowledgement" => "t.person_id = ?2",
        "pip_goal" | "pip_checkpoint" | "pip_step" => {
            "t.pip_id IN (SELECT id FROM pip WHERE subject_id = ?2)"
        }
        _ => "false",
    }
}

/// `WHERE` clause of the directly selected rows (`?1` since, `?2` person).
fn where_sql(table: &str) -> String {
    format!(
        " WHERE (CAST(?1 AS text) IS NULL OR t.updated_at >= ?1) AND (CAST(?2 AS bigint) IS NULL OR {})",
        person_filter(table)
    )
}

/// Tables that other tables reference: their selected rows are kept as id
/// sets (bounded by the size of the organisation, never by check-ins).
fn is_referenced(table: &str) -> bool {
    TABLES
        .iter()
        .flat_map(|t| t.cols.iter())
        .any(|c| matches!(c.kind, Kind::Ref(t) if t == table))
}

/// The rows of referenced tables that a selection needs: those it selects
/// directly and every row they (and the selected rows of the other tables)
/// refer to, so that the export imports on its own.
fn closure(conn: &Conn, sel: &Selection) -> StoreResult<HashMap<&'static str, HashSet<i64>>> {
    let mut sets: HashMap<&'static str, HashSet<i64>> = HashMap::new();
    let mut work: Vec<(&'static str, i64)> = Vec::new();
    let mut add = |sets: &mut HashMap<&'static str, HashSet<i64>>, t: &'static str, id: i64| {
        if sets.entry(t).or_default().insert(id) {
            work.push((t, id));
        }
    };
    for def in TABLES {
        let filter = where_sql(def.name);
        let table = quoted(def.name);
        if is_referenced(def.name) {
            let mut stmt = conn.prepare(&format!("SELECT t.id FROM {table} t{filter}"))?;
            let ids = stmt.query_map(params![sel.since, sel.person], |r| r.get(0))?;
            for id in ids {
                add(&mut sets, def.name, id?);
            }
        } else {
            for col in def.cols {
                if let Kind::Ref(target) = col.kind {
                    let column = quoted(col.name);
                    let mut stmt = conn.prepare(&format!(
                        "SELECT DISTINCT t.{column} FROM {table} t{filter} AND t.{column} IS NOT NULL"
                    ))?;
                    let ids = stmt.query_map(params![sel.since, sel.person], |r| r.get(0))?;
                    for id in ids {
                        add(&mut sets, target, id?);
                    }
                }
            }
        }
    }
    while let Some((t, id)) = work.pop() {
        let Some(def) = TABLES.iter().find(|d| d.name == t) else {
            continue;
        };
        for col in def.cols {
            if let Kind::Ref(target) = col.kind {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {} FROM {} WHERE id = ?1",
                    quoted(col.name),
                    quoted(def.name)
                ))?;
                let found: Option<Option<i64>> = stmt.query_row([id], |r| r.get(0)).optional()?;
                if let Some(Some(target_id)) = found {
                    if sets.entry(target).or_default().insert(target_id) {
                        work.push((target, target_id));
                    }
                }
            }
        }
    }
    Ok(sets)
}

/// Call `f` with every selected row, table by table in [`TABLES`] order and
/// by id within a table, streaming (one row in memory at a time, plus the id
/// sets of referenced tables when filtering).
pub fn for_each_row(
    conn: &Conn,
    sel: &Selection,
    mut f: impl FnMut(&RawRow) -> Result<()>,
) -> Result<()> {
    for_each(conn, sel, false, |row, _| f(row))
}

/// [`for_each_row`], with each row's field revisions.
fn for_each_record(
    conn: &Conn,
    sel: &Selection,
    mut f: impl FnMut(&RawRow, &Revs) -> Result<()>,
) -> Result<()> {
    let none = Revs::new();
    for_each(conn, sel, true, |row, revs| match revs {
        Some(text) => f(row, &super::revisions::parse(&text)?),
        None => f(row, &none),
    })
}

/// The rows (and with `revs`, each one's stored revisions as JSON text).
fn for_each(
    conn: &Conn,
    sel: &Selection,
    revs: bool,
    mut f: impl FnMut(&RawRow, Option<String>) -> Result<()>,
) -> Result<()> {
    let sets = if sel.is_all() {
        None
    } else {
        Some(closure(conn, sel)?)
    };
    for (ti, def) in TABLES.iter().enumerate() {
        let base = if revs {
            // The table's name is a static schema name, never input.
            select_sql_with(
                def,
                &format!(
                    ", (SELECT r.revs FROM revision r WHERE r.tbl = '{}' AND r.uuid = t.uuid)",
                    def.name
                ),
            )
        } else {
            select_sql(def)
        };
        let keep: Option<&HashSet<i64>> = match &sets {
            Some(s) if is_referenced(def.name) => Some(s.get(def.name).unwrap_or(&EMPTY)),
            _ => None,
        };
        // Private feedback leaves the file only when asked for.
        let private = if def.name == "feedback" && !sel.include_private {
            "t.private = 0"
        } else {
            "true"
        };
        let sql = match (&sets, keep) {
            (Some(_), None) => format!("{base}{} AND {private} ORDER BY t.id", where_sql(def.name)),
            _ => format!("{base} WHERE {private} ORDER BY t.id"),
        };
        let mut stmt = conn.prepare(&sql).sql()?;
        let args = if sets.is_some() && keep.is_none() {
            vec![sel.since.val(), sel.person.val()]
        } else {
            Vec::new()
        };
        // Check-ins grow with time: read them through a cursor, a batch at
        // a time; the other tables are bounded by the organisation's size.
        let mut rows = if def.name == "checkin" {
            stmt.stream(args).sql()?
        } else {
            stmt.query(args).sql()?
        };
        let width = def.cols.len() + 2;
        while let Some(row) = rows.next().sql()? {
            let (id, raw) = read_row(ti, row).sql()?;
            if keep.is_none_or(|k| k.contains(&id)) {
                let text: Option<String> = if revs { row.get(width).sql()? } else { None };
                f(&raw, text)?;
            }
        }
    }
    Ok(())
}

static EMPTY: std::sync::LazyLock<HashSet<i64>> = std::sync::LazyLock::new(HashSet::new);

/// A row by UUID: its id and its exchange form.
fn find(conn: &Conn, table: usize, uuid: &str) -> StoreResult<Option<(i64, RawRow)>> {
    let def = &TABLES[table];
    let mut stmt = conn.prepare_cached(&format!("{} WHERE t.uuid = ?1", select_sql(def)))?;
    Ok(stmt.query_row([uuid], |r| read_row(table, r)).optional()?)
}

/// A row by the values of some of its columns (names checked against
/// [`TABLES`] by the caller).
fn find_by(
    conn: &Conn,
    table: usize,
    columns: &[&str],
    values: &[Val],
) -> StoreResult<Option<(i64, RawRow)>> {
    let def = &TABLES[table];
    let clause: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("t.{} = ?{}", quoted(c), i + 1))
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "{} WHERE {} ORDER BY t.id LIMIT 1",
        select_sql(def),
        clause.join(" AND ")
    ))?;
    Ok(stmt
        .query_row(params_from_iter(values.iter()), |r| read_row(table, r))
        .optional()?)
}

/// The id of the row of `table` (a name) with this UUID.
fn id_of(conn: &Conn, table: &str, uuid: &str) -> StoreResult<Option<i64>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT id FROM {} WHERE uuid = ?1", quoted(table)))?;
    Ok(stmt.query_row([uuid], |r| r.get(0)).optional()?)
}

/// Insert a row; `vals` are database values (references already mapped to
/// ids). Returns the new row's id.
fn insert(conn: &Conn, table: usize, uuid: &str, vals: &[Val]) -> super::conn::Result<i64> {
    let def = &TABLES[table];
    let names: Vec<String> = std::iter::once("uuid")
        .chain(def.cols.iter().map(|c| c.name))
        .map(quoted)
        .collect();
    let slots: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quoted(def.name),
        names.join(", "),
        slots.join(", ")
    ))?;
    let uuid = Val::Text(uuid.to_string());
    stmt.execute(params_from_iter(std::iter::once(&uuid).chain(vals.iter())))?;
    Ok(conn.last_insert_rowid())
}

/// Replace every column of row `id` with `vals` (database values).
fn update(conn: &Conn, table: usize, id: i64, vals: &[Val]) -> super::conn::Result<()> {
    let def = &TABLES[table];
    let sets: Vec<String> = def
        .cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = ?{}", quoted(c.name), i + 2))
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE {} SET {} WHERE id = ?1",
        quoted(def.name),
        sets.join(", ")
    ))?;
    let id = Val::Int(id);
    stmt.execute(params_from_iter(std::iter::once(&id).chain(vals.iter())))?;
    Ok(())
}

/// Set one column of row `id`.
fn set_column(
    conn: &Conn,
    table: usize,
    id: i64,
    column: &str,
    value: &Val,
) -> super::conn::Result<()> {
    let def = &TABLES[table];
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE {} SET {} = ?2 WHERE id = ?1",
        quoted(def.name),
        quoted(column)
    ))?;
    stmt.execute(params![id, value])?;
    Ok(())
}

/// Stream the selected check-ins in the order they were recorded (by row id:
/// no sort, so memory stays flat), for the spreadsheet export.
pub fn for_each_checkin(
    conn: &Conn,
    sel: &Selection,
    mut f: impl FnMut(&CheckinLine) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT t.date, coalesce(op.handle, ot.handle), g.key, g.title, m.name, m.unit, t.value, \
         t.confidence, t.status, t.note, a.handle, t.uuid \
         FROM checkin t JOIN goal g ON g.id = t.goal_id \
         LEFT JOIN person op ON op.id = g.owner_person_id \
         LEFT JOIN team ot ON ot.id = g.owner_team_id \
         LEFT JOIN measure m ON m.id = t.measure_id \
         LEFT JOIN person a ON a.id = t.author_id{} ORDER BY t.id",
        where_sql("checkin")
    );
    let mut stmt = conn.prepare(&sql).sql()?;
    let mut rows = stmt.stream(params![sel.since, sel.person]).sql()?;
    while let Some(r) = rows.next().sql()? {
        let line = checkin_line(r).sql()?;
        f(&line)?;
    }
    Ok(())
}

fn checkin_line(r: &Row) -> super::conn::Result<CheckinLine> {
    {
        let line = CheckinLine {
            date: r.get(0)?,
            owner: r.get(1)?,
            goal_key: r.get(2)?,
            goal_title: r.get(3)?,
            measure: r.get(4)?,
            unit: r.get(5)?,
            value: r.get(6)?,
            confidence: r.get(7)?,
            status: r.get(8)?,
            note: r.get(9)?,
            author: r.get(10)?,
            uuid: r.get(11)?,
        };
        Ok(line)
    }
}

/// The columns of the data tables in the file's schema that [`TABLES`] does
/// not describe, or describes in another order (empty when they agree).
fn schema_drift(conn: &Conn) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    let names: Vec<String> = conn
        .query_map(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_name NOT IN ('op', 'undo_entry', 'setting', 'revision', 'tombstone', \
             'yardstick_lock', 'yardstick_schema', 'login', 'review_shown', 'rating_shown') ORDER BY 1",
            params![],
            |r| r.get(0),
        )?;
    for name in names {
        let Some(def) = TABLES.iter().find(|t| t.name == name) else {
            out.push(format!("table {name} is not exported"));
            continue;
        };
        let actual: Vec<String> = conn.query_map(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
            params![name],
            |r| r.get(0),
        )?;
        let expected: Vec<&str> = ["id", "uuid"]
            .into_iter()
            .chain(def.cols.iter().map(|c| c.name))
            .collect();
        if actual != expected {
            out.push(format!(
                "table {name}: columns {actual:?}, exchange expects {expected:?}"
            ));
        }
    }
    Ok(out)
}

/// The remembered deletions selected by `sel` (deleted on or after
/// `since`; with a person, deleted by them), oldest first.
fn for_each_tombstone(
    conn: &Conn,
    sel: &Selection,
    mut f: impl FnMut(&Tombstone) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn
        .prepare(
            "SELECT tbl, uuid, rev, deleted_at, deleted_by, seen FROM tombstone \
             WHERE (CAST(?1 AS text) IS NULL OR deleted_at >= ?1) \
               AND (CAST(?2 AS bigint) IS NULL OR deleted_by = (SELECT handle FROM person WHERE id = ?2)) \
             ORDER BY id",
        )
        .sql()?;
    let mut rows = stmt.query(params![sel.since, sel.person]).sql()?;
    while let Some(r) = rows.next().sql()? {
        if let Some(t) = tombstone_row(r)? {
            f(&t)?;
        }
    }
    Ok(())
}

/// A tombstone row (none for a table this build does not exchange).
fn tombstone_row(r: &Row) -> StoreResult<Option<Tombstone>> {
    let tbl: String = r.get(0)?;
    let Some(table) = crate::store::exchange::table_index(&tbl) else {
        return Ok(None);
    };
    let seen: String = r.get(5)?;
    Ok(Some(Tombstone {
        table,
        uuid: r.get(1)?,
        rev: r.get(2)?,
        deleted_at: r.get(3)?,
        deleted_by: r.get(4)?,
        seen: super::revisions::parse(&seen)?,
    }))
}

fn tombstone(conn: &Conn, table: usize, uuid: &str) -> StoreResult<Option<Tombstone>> {
    let mut stmt = conn.prepare_cached(
        "SELECT tbl, uuid, rev, deleted_at, deleted_by, seen FROM tombstone WHERE tbl = ?1 AND uuid = ?2",
    )?;
    let mut rows = stmt.query(params![TABLES[table].name, uuid])?;
    match rows.next()? {
        Some(r) => tombstone_row(r),
        None => Ok(None),
    }
}

impl ExchangeRepo for PgSession<'_> {
    fn for_each_record(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&RawRow, &Revs) -> Result<()>,
    ) -> Result<()> {
        for_each_record(self.conn, selection, f)
    }

    fn for_each_tombstone(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&Tombstone) -> Result<()>,
    ) -> Result<()> {
        for_each_tombstone(self.conn, selection, f)
    }

    fn revisions(&self, table: usize, uuid: &str) -> StoreResult<Revs> {
        super::revisions::load(self.conn, TABLES[table].name, uuid)
    }

    fn set_revisions(&mut self, table: usize, uuid: &str, revs: &Revs) -> StoreResult<()> {
        super::revisions::save(self.conn, TABLES[table].name, uuid, revs)?;
        if let Some(w) = self.write.as_mut() {
            w.given.insert((TABLES[table].name, uuid.to_string()));
        }
        Ok(())
    }

    fn tombstone(&self, table: usize, uuid: &str) -> StoreResult<Option<Tombstone>> {
        tombstone(self.conn, table, uuid)
    }

    fn put_tombstone(&mut self, t: &Tombstone) -> StoreResult<()> {
        super::revisions::put_tombstone(self.conn, TABLES[t.table].name, t)
    }

    fn remove_tombstone(&mut self, table: usize, uuid: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM tombstone WHERE tbl = ?1 AND uuid = ?2")?
            .execute(params![TABLES[table].name, uuid])?;
        Ok(())
    }

    fn delete_row(&mut self, table: usize, id: i64) -> StoreResult<()> {
        let def = &TABLES[table];
        self.conn
            .prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", quoted(def.name)))?
            .execute([id])?;
        Ok(())
    }

    fn referring(&self, table: usize, column: &str, id: i64) -> StoreResult<Vec<String>> {
        let def = TABLES
            .get(table)
            .filter(|d| d.col(column).is_some())
            .ok_or_else(|| StoreError::internal(format!("no column {column} to look up by")))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT uuid FROM {} WHERE {} = ?1 ORDER BY id",
            quoted(def.name),
            quoted(column)
        ))?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn for_each_row(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&RawRow) -> Result<()>,
    ) -> Result<()> {
        for_each_row(self.conn, selection, f)
    }

    fn for_each_checkin_line(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&CheckinLine) -> Result<()>,
    ) -> Result<()> {
        for_each_checkin(self.conn, selection, f)
    }

    fn find_row(&self, table: usize, uuid: &str) -> StoreResult<Option<(i64, RawRow)>> {
        find(self.conn, table, uuid)
    }

    fn find_row_by(
        &self,
        table: usize,
        columns: &[&str],
        values: &[Val],
    ) -> StoreResult<Option<(i64, RawRow)>> {
        let known = TABLES
            .get(table)
            .is_some_and(|d| columns.iter().all(|c| d.col(c).is_some()));
        if !known || columns.is_empty() || columns.len() != values.len() {
            return Err(StoreError::internal(format!(
                "cannot look a row up by {columns:?}"
            )));
        }
        find_by(self.conn, table, columns, values)
    }

    fn row_id(&self, table: &str, uuid: &str) -> StoreResult<Option<i64>> {
        id_of(self.conn, table, uuid)
    }

    fn insert_row(&mut self, table: usize, uuid: &str, vals: &[Val]) -> StoreResult<i64> {
        Ok(insert(self.conn, table, uuid, vals)?)
    }

    fn update_row(&mut self, table: usize, id: i64, vals: &[Val]) -> StoreResult<()> {
        Ok(update(self.conn, table, id, vals)?)
    }

    fn set_row_column(
        &mut self,
        table: usize,
        id: i64,
        column: &str,
        value: &Val,
    ) -> StoreResult<()> {
        if !TABLES
            .get(table)
            .is_some_and(|d| d.cols.iter().any(|c| c.name == column))
        {
            return Err(StoreError::internal(format!("no column {column} to set")));
        }
        Ok(set_column(self.conn, table, id, column, value)?)
    }

    fn schema_drift(&self) -> StoreResult<Vec<String>> {
        schema_drift(self.conn)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    #[test]
    fn tables_match_the_schema() {
        let store = crate::store::Store::open_memory().unwrap();
        assert_eq!(store.read().schema_drift().unwrap(), Vec::<String>::new());
    }
}
