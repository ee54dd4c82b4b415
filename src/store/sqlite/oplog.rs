//! The operation log and undo.
//!
//! Every write runs with TEMP triggers on each logged table that copy the
//! before-image of every inserted, updated or deleted row into `undo_entry`,
//! tagged with the current operation. Undo replays those entries in reverse,
//! which restores the previous state exactly (same rows, same ids, same
//! values and types) whatever the command did. The triggers are temporary
//! (per connection, never in the file's schema), so bulk loaders can run
//! without them and other tools that open the file see a plain schema.

use super::schema::{UNDO_COLUMNS, UNLOGGED_TABLES};
use super::{Sql, SqliteSession};
use crate::domain::CycleState;
use crate::error::{Error, Result};
use crate::store::exchange::Val;
use crate::store::oplog::{Audience, AudienceKind};
use crate::store::{
    Change, ChangeKind, OpEntry, OpLog, OpMeta, StoreError, StoreResult, UndoPreview,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

/// A logged table and its columns, in declaration order.
struct Logged {
    name: String,
    columns: Vec<String>,
}

/// Whether changes to `table` are kept for undo.
pub fn is_logged(table: &str) -> bool {
    !table.starts_with("sqlite_") && !UNLOGGED_TABLES.contains(&table)
}

fn logged_tables(conn: &Connection) -> StoreResult<Vec<Logged>> {
    // Every table's columns in one query.
    let mut stmt = conn.prepare_cached(
        "SELECT m.name, p.name FROM main.sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    collect_logged(rows)
}

/// The columns of the named tables only (cheaper than every table's).
fn some_logged_tables(conn: &Connection, names: &[&str]) -> StoreResult<Vec<Logged>> {
    let mut stmt =
        conn.prepare_cached("SELECT ?1, p.name FROM pragma_table_info(?1) p ORDER BY p.cid")?;
    let mut out = Vec::new();
    for name in names {
        let rows = stmt.query_map([name], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut t = collect_logged(rows)?;
        if t.is_empty() || !is_logged(name) {
            return Err(StoreError::internal(format!(
                "no logged table named {name}"
            )));
        }
        out.append(&mut t);
    }
    Ok(out)
}

fn collect_logged(
    rows: impl Iterator<Item = rusqlite::Result<(String, String)>>,
) -> StoreResult<Vec<Logged>> {
    let mut out: Vec<Logged> = Vec::new();
    for row in rows {
        let (table, column) = row?;
        if !is_logged(&table) {
            continue;
        }
        match out.last_mut() {
            Some(t) if t.name == table => t.columns.push(column),
            _ => out.push(Logged {
                name: table,
                columns: vec![column],
            }),
        }
    }
    for t in &out {
        if t.columns.len() > UNDO_COLUMNS {
            return Err(StoreError::internal(format!(
                "table {} has {} columns, more than the undo log holds ({UNDO_COLUMNS})",
                t.name,
                t.columns.len()
            )));
        }
    }
    Ok(out)
}

/// Identifiers here come from the schema itself, never from user input.
fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Create the TEMP undo triggers for the logged tables in `only`, or for
/// every logged table.
pub fn install_triggers(conn: &Connection, only: Option<&[&str]>) -> StoreResult<()> {
    let mut sql = String::new();
    let tables = match only {
        Some(names) => some_logged_tables(conn, names)?,
        None => logged_tables(conn)?,
    };
    for t in tables {
        let table = quoted(&t.name);
        let slots: Vec<String> = (0..t.columns.len()).map(|i| format!("c{i}")).collect();
        let olds: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("OLD.{}", quoted(c)))
            .collect();
        let op = "(SELECT max(id) FROM main.op)";
        let lit = t.name.replace('\'', "''");
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS \"undo_ins_{lit}\" AFTER INSERT ON main.{table} BEGIN \
               INSERT INTO main.undo_entry(op_id, tbl, action, row_id) VALUES ({op}, '{lit}', 'insert', NEW.rowid); END;\n\
             CREATE TEMP TRIGGER IF NOT EXISTS \"undo_upd_{lit}\" AFTER UPDATE ON main.{table} BEGIN \
               INSERT INTO main.undo_entry(op_id, tbl, action, row_id, {slots}) VALUES ({op}, '{lit}', 'update', OLD.rowid, {olds}); END;\n\
             CREATE TEMP TRIGGER IF NOT EXISTS \"undo_del_{lit}\" AFTER DELETE ON main.{table} BEGIN \
               INSERT INTO main.undo_entry(op_id, tbl, action, row_id, {slots}) VALUES ({op}, '{lit}', 'delete', OLD.rowid, {olds}); END;\n",
            slots = slots.join(", "),
            olds = olds.join(", "),
        ));
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Drop the TEMP undo triggers (so an undo on the same connection is not logged).
pub fn remove_triggers(conn: &Connection) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'undo\\_%' ESCAPE '\\'",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let sql: String = names
        .iter()
        .map(|n| format!("DROP TRIGGER IF EXISTS temp.{};\n", quoted(n)))
        .collect();
    conn.execute_batch(&sql)?;
    Ok(())
}

/// The setting naming the latest operation that cannot be undone.
const FLOOR_KEY: &str = "undo_floor";

/// Make operation `op_id` (and everything before it) impossible to undo.
pub fn set_floor(conn: &Connection, op_id: i64) -> StoreResult<()> {
    super::org::set_setting(conn, FLOOR_KEY, &op_id.to_string()).map(|_| ())
}

fn floor(conn: &Connection) -> StoreResult<i64> {
    Ok(super::org::setting(conn, FLOOR_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Record rows inserted by operation `op_id` (undo deletes them).
pub fn record_inserts(conn: &Connection, op_id: i64, rows: &[(String, i64)]) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO undo_entry(op_id, tbl, action, row_id) VALUES (?1, ?2, 'insert', ?3)",
    )?;
    for (table, row_id) in rows {
        stmt.execute(params![op_id, table, row_id])?;
    }
    Ok(())
}

/// Record the start of an operation; returns its id.
pub fn begin_op(conn: &Connection, meta: &OpMeta) -> StoreResult<i64> {
    conn.execute(
        "INSERT INTO op(uuid, at, actor, command) VALUES (?1, ?2, ?3, ?4)",
        params![crate::store::new_uuid(), meta.at, meta.actor, meta.command],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Finish an operation: store its summary, who it is about and whether it
/// can be undone; returns whether it changed anything.
pub fn finish_op(
    conn: &Connection,
    op_id: i64,
    summary: &str,
    audience: Option<&(Audience, String)>,
    irreversible: bool,
) -> StoreResult<bool> {
    let changed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM undo_entry WHERE op_id = ?1)",
        [op_id],
        |r| r.get(0),
    )?;
    let subject: Option<i64> = match audience {
        Some((a, _)) => super::org::person_id(conn, &a.subject)?,
        None => None,
    };
    conn.execute(
        "UPDATE op SET summary = ?2, audience = ?3, audience_subject = ?4, public_summary = ?5, \
         irreversible = ?6 WHERE id = ?1",
        params![
            op_id,
            summary,
            audience.map(|(a, _)| a.kind.as_str()),
            subject,
            audience.map(|(_, p)| p.as_str()),
            irreversible
        ],
    )?;
    Ok(changed)
}

const OP_SELECT: &str = "SELECT o.id, o.at, o.actor, o.command, o.summary, o.undone_at, o.audience, \
     p.handle, o.public_summary, o.irreversible FROM op o LEFT JOIN person p ON p.id = o.audience_subject";

fn op_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OpEntry> {
    let kind: Option<String> = r.get(6)?;
    let subject: Option<String> = r.get(7)?;
    let audience = match (kind.as_deref().and_then(AudienceKind::from_name), subject) {
        (Some(kind), Some(subject)) => Some(Audience { kind, subject }),
        // About someone since removed: no one but admins reads it whole.
        (Some(kind), None) => Some(Audience {
            kind,
            subject: String::new(),
        }),
        _ => None,
    };
    Ok(OpEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        command: r.get(3)?,
        summary: r.get(4)?,
        undone_at: r.get(5)?,
        audience,
        public_summary: r.get(8)?,
        irreversible: r.get(9)?,
    })
}

/// The operations, newest first.
pub fn list(conn: &Connection, limit: Option<usize>) -> StoreResult<Vec<OpEntry>> {
    let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let mut stmt = conn.prepare_cached(&format!("{OP_SELECT} ORDER BY o.id DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], op_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The latest operation that undo would revert (not undone, not
/// irreversible; run by `actor` when given), with what reverting it touches.
pub fn preview(conn: &Connection, actor: Option<&str>) -> StoreResult<Option<UndoPreview>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{OP_SELECT} WHERE o.undone_at IS NULL AND o.irreversible = 0 AND (?1 IS NULL OR o.actor = ?1) \
         ORDER BY o.id DESC LIMIT 1"
    ))?;
    let op = stmt.query_row([actor], op_row).optional()?;
    let Some(op) = op else { return Ok(None) };
    if op.id <= floor(conn)? {
        return Ok(Some(UndoPreview {
            op,
            changes: Vec::new(),
            bulk: true,
        }));
    }
    let mut stmt = conn.prepare(
        "SELECT tbl, action, count(*) FROM undo_entry e WHERE op_id = ?1 \
         AND tbl NOT IN ('revision', 'tombstone') \
         AND id = (SELECT min(id) FROM undo_entry f WHERE f.op_id = ?1 AND f.tbl = e.tbl AND f.row_id = e.row_id) \
         GROUP BY tbl, action ORDER BY tbl, action",
    )?;
    // The merge bookkeeping (field revisions, tombstones) goes back with
    // the data it describes and is not counted apart.
    const _: () = assert!(super::schema::BOOKKEEPING_TABLES.len() == 2);
    let rows: Vec<(String, String, i64)> = stmt
        .query_map([op.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let changes = rows
        .into_iter()
        .map(|(table, action, n)| Ok((table, change_kind(&action)?, n)))
        .collect::<StoreResult<_>>()?;
    Ok(Some(UndoPreview {
        op,
        changes,
        bulk: false,
    }))
}

/// Later operations, not undone, that changed a row operation `op_id` changed.
pub fn conflicts(conn: &Connection, op_id: i64) -> StoreResult<Vec<OpEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{OP_SELECT} WHERE o.undone_at IS NULL AND o.id > ?1 AND o.id IN \
         (SELECT b.op_id FROM undo_entry a JOIN undo_entry b ON b.tbl = a.tbl AND b.row_id = a.row_id \
          WHERE a.op_id = ?1 AND b.op_id > ?1) ORDER BY o.id"
    ))?;
    let rows = stmt.query_map([op_id], op_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Rows outside the operation's own additions that refer to a row it added
/// (undo would remove the row and so empty or remove theirs):
/// (table, row, referring table, referring row).
fn live_references(conn: &Connection, op_id: i64) -> StoreResult<Vec<(String, i64, String, i64)>> {
    let added: Vec<(String, i64)> = entries(conn, op_id)?
        .into_iter()
        .filter(|e| e.2 == ChangeKind::Insert)
        .map(|(_, t, _, r)| (t, r))
        .collect();
    let mut fks = conn.prepare_cached(
        "SELECT m.name, f.\"from\" FROM main.sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND f.\"table\" = ?1",
    )?;
    let mut out = Vec::new();
    for (table, row) in &added {
        let refs: Vec<(String, String)> = fks
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (other, column) in refs {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT rowid FROM main.{} WHERE {} = ?1",
                quoted(&other),
                quoted(&column)
            ))?;
            let ids: Vec<i64> = stmt
                .query_map([row], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids {
                if !added.iter().any(|(t, r)| *t == other && *r == id) {
                    out.push((table.clone(), *row, other.clone(), id));
                }
            }
        }
    }
    Ok(out)
}

/// Revert operation `op_id` inside the caller's transaction. Refused, with
/// nothing changed, when it was undone already, cannot be undone, a later
/// operation changed a row it changed, or later rows refer to a row it added.
pub fn undo(conn: &Connection, op_id: i64, at: &str) -> Result<()> {
    let op = conn
        .query_row(&format!("{OP_SELECT} WHERE o.id = ?1"), [op_id], op_row)
        .optional()
        .sql()?
        .ok_or_else(|| Error::not_found("operation", &op_id.to_string()))?;
    if op.undone_at.is_some() {
        return Err(Error::failed(format!(
            "operation {op_id} is undone already"
        )));
    }
    if op_id <= floor(conn)? {
        return Err(Error::failed(format!(
            "operation {op_id} loaded data in bulk and cannot be undone"
        )));
    }
    if op.irreversible {
        return Err(Error::failed(format!(
            "operation {op_id} ({}) erased data for good and cannot be undone",
            op.command
        )));
    }
    let later = conflicts(conn, op_id)?;
    if let Some(first) = later.first() {
        let ids: Vec<String> = later.iter().map(|o| o.id.to_string()).collect();
        return Err(Error::failed(format!(
            "cannot undo operation {op_id} ({}): later operation(s) {} changed the same records \
             (the first: {} by {} at {})",
            op.command,
            ids.join(", "),
            first.command,
            first.actor,
            first.at
        ))
        .with_hint("undo those first, or change the records back by hand"));
    }
    let refs = live_references(conn, op_id)?;
    if let Some((table, row, other, id)) = refs.first() {
        return Err(Error::failed(format!(
            "cannot undo operation {op_id} ({}): it added {table} #{row}, which {} later record(s) \
             refer to (the first: {other} #{id}); undo would empty or remove them",
            op.command,
            refs.len()
        ))
        .with_hint("remove those records first, or change what the operation did by hand"));
    }
    replay(conn, op_id, at)?;
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .sql()?;
    if violations > 0 {
        return Err(Error::failed(
            "undo would leave references to rows that no longer exist; nothing was changed",
        ));
    }
    Ok(())
}

/// Put back the before-images of an operation, newest first, and mark it undone.
fn replay(conn: &Connection, op_id: i64, at: &str) -> StoreResult<()> {
    conn.pragma_update(None, "defer_foreign_keys", true)?;
    // A finalized review cycle is read-only, and undo may not reach into one
    // (the schema's triggers refuse it). A cycle that this very operation
    // created is another matter: removing it restores the state before it
    // existed. Such a cycle is reopened first (the one change the triggers
    // allow), so that its rows can go with it.
    conn.execute(
        "UPDATE cycle SET state = ?2, reopened = reopened + 1 \
         WHERE state = ?3 AND id IN \
           (SELECT row_id FROM undo_entry WHERE op_id = ?1 AND tbl = 'cycle' AND action = 'insert')",
        params![
            op_id,
            CycleState::Draft.as_str(),
            CycleState::Finalized.as_str()
        ],
    )?;
    let tables = logged_tables(conn)?;
    for (entry, tbl, action, row_id) in entries(conn, op_id)?.into_iter().rev() {
        let Some(t) = tables.iter().find(|t| t.name == tbl) else {
            return Err(StoreError::internal(format!(
                "the undo log names an unknown table '{tbl}'"
            )));
        };
        let table = quoted(&t.name);
        let cols: Vec<String> = t.columns.iter().map(|c| quoted(c)).collect();
        let slots: Vec<String> = (0..t.columns.len()).map(|i| format!("c{i}")).collect();
        match action {
            ChangeKind::Insert => {
                conn.execute(
                    &format!("DELETE FROM main.{table} WHERE rowid = ?1"),
                    [row_id],
                )?;
            }
            ChangeKind::Update => {
                conn.execute(
                    &format!(
                        "UPDATE main.{table} SET ({}) = (SELECT {} FROM undo_entry WHERE id = ?1) WHERE rowid = ?2",
                        cols.join(", "),
                        slots.join(", ")
                    ),
                    params![entry, row_id],
                )?;
            }
            ChangeKind::Delete => {
                conn.execute(
                    &format!(
                        "INSERT INTO main.{table} ({}) SELECT {} FROM undo_entry WHERE id = ?1",
                        cols.join(", "),
                        slots.join(", ")
                    ),
                    [entry],
                )?;
            }
        }
    }
    conn.execute("DELETE FROM undo_entry WHERE op_id = ?1", [op_id])?;
    conn.execute(
        "UPDATE op SET undone_at = ?2 WHERE id = ?1",
        params![op_id, at],
    )?;
    Ok(())
}

/// The undo entries of an operation in the order they were recorded:
/// (entry id, table, action, row id).
fn entries(conn: &Connection, op_id: i64) -> StoreResult<Vec<(i64, String, ChangeKind, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, tbl, action, row_id FROM undo_entry WHERE op_id = ?1 ORDER BY id",
    )?;
    let rows: Vec<(i64, String, String, i64)> = stmt
        .query_map([op_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(id, tbl, action, row)| Ok((id, tbl, change_kind(&action)?, row)))
        .collect()
}

fn change_kind(action: &str) -> StoreResult<ChangeKind> {
    ChangeKind::from_name(action).ok_or_else(|| {
        StoreError::internal(format!("the undo log has an unknown action '{action}'"))
    })
}

/// The rows an operation changed with their before-images, read back from
/// the undo log's columns.
fn changes(conn: &Connection, op_id: i64) -> StoreResult<Vec<Change>> {
    let tables = logged_tables(conn)?;
    let mut out = Vec::new();
    for (entry, tbl, kind, row) in entries(conn, op_id)? {
        let before = match kind {
            ChangeKind::Insert => None,
            ChangeKind::Update | ChangeKind::Delete => {
                let width = tables
                    .iter()
                    .find(|t| t.name == tbl)
                    .map_or(0, |t| t.columns.len());
                let slots: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {} FROM undo_entry WHERE id = ?1",
                    slots.join(", ")
                ))?;
                let vals = stmt.query_row([entry], |r| {
                    (0..width)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                ValueRef::Null => Val::Null,
                                ValueRef::Integer(n) => Val::Int(n),
                                ValueRef::Real(f) => Val::Real(f),
                                ValueRef::Text(t) | ValueRef::Blob(t) => {
                                    Val::Text(String::from_utf8_lossy(t).into_owned())
                                }
                            })
                        })
                        .collect::<rusqlite::Result<Vec<Val>>>()
                })?;
                Some(vals)
            }
        };
        out.push(Change {
            table: tbl,
            kind,
            row,
            before,
        });
    }
    Ok(out)
}

/// Erase every trace of one row from the undo log, so that with
/// `secure_delete` its contents leave the file. Other rows' history is
/// untouched: the operations that also changed them can still be undone
/// (the erased row is simply no longer part of what they revert). Returns
/// how many operations held the row.
pub fn purge_row_history(conn: &Connection, table: &str, row_id: i64) -> StoreResult<usize> {
    super::revisions::before_purge(conn, table, row_id)?;
    let n: i64 = conn.query_row(
        "SELECT count(DISTINCT op_id) FROM undo_entry WHERE tbl = ?1 AND row_id = ?2",
        params![table, row_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "DELETE FROM undo_entry WHERE tbl = ?1 AND row_id = ?2",
        params![table, row_id],
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

impl OpLog for SqliteSession<'_> {
    fn list_ops(&self, limit: Option<usize>) -> StoreResult<Vec<OpEntry>> {
        list(self.conn, limit)
    }

    fn undo_preview(&self, actor: Option<&str>) -> StoreResult<Option<UndoPreview>> {
        preview(self.conn, actor)
    }

    fn undo_conflicts(&self, op: i64) -> StoreResult<Vec<OpEntry>> {
        conflicts(self.conn, op)
    }

    fn op_changes(&self, op: i64) -> StoreResult<Vec<Change>> {
        changes(self.conn, op)
    }

    fn purge_row_history(&mut self, table: &str, row: i64) -> StoreResult<usize> {
        purge_row_history(self.conn, table, row)
    }
}
