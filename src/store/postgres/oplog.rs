//! The operation log and undo on PostgreSQL.
//!
//! While a write runs, `yardstick.op` (transaction-local) holds its
//! operation's id and the trigger `yardstick_undo_capture` on every logged
//! table copies the before-image of each inserted, updated or deleted row
//! into `undo_entry` (`to_jsonb(OLD)`). Undo replays the entries in
//! reverse with `jsonb_populate_record`, which restores the previous state
//! exactly (same rows, same ids, same values), with the foreign keys
//! deferred until the end.

use super::conn::{Conn, OptionalExtension, Row, Sql, params};
use super::{PgSession, floor, schema};
use crate::domain::CycleState;
use crate::error::{Error, Result};
use crate::store::exchange::Val;
use crate::store::oplog::{Audience, AudienceKind};
use crate::store::{
    Change, ChangeKind, OpEntry, OpLog, OpMeta, StoreError, StoreResult, UndoPreview, WriteScope,
};

/// Whether changes to `table` are kept for undo.
pub fn is_logged(table: &str) -> bool {
    !schema::UNLOGGED_TABLES.contains(&table)
}

/// A table name read from the database (the undo log, the catalog) as
/// one of yardstick's own: only those are ever formatted into SQL.
pub fn known_table(name: &str) -> StoreResult<&'static str> {
    schema::TABLES
        .iter()
        .find(|t| **t == name)
        .copied()
        .ok_or_else(|| {
            StoreError::internal(format!("the database names an unknown table '{name}'"))
        })
}

/// Identifiers here come from the schema itself, never from user input.
pub fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The columns of a table and their SQL types, in declaration order
/// (read once per connection).
pub fn columns(conn: &Conn, table: &str) -> StoreResult<Vec<(String, String)>> {
    let table = known_table(table)?;
    if let Some(c) = conn.columns.borrow().get(table) {
        return Ok(c.clone());
    }
    let cols: Vec<(String, String)> = conn
        .query_map(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
            params![table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .sql()?;
    if cols.is_empty() || !is_logged(table) {
        return Err(StoreError::internal(format!(
            "no logged table named {table}"
        )));
    }
    conn.columns
        .borrow_mut()
        .insert(table.to_string(), cols.clone());
    Ok(cols)
}

/// A before-image (JSON) as the row's values in column order, typed by
/// the columns' SQL types.
pub fn image_values(conn: &Conn, table: &str, image: &str) -> StoreResult<Vec<Val>> {
    let cols = columns(conn, table)?;
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(image)
        .map_err(|e| StoreError::internal(format!("an undo entry is not a row image: {e}")))?;
    cols.iter()
        .map(|(name, ty)| {
            let v = json.get(name).unwrap_or(&serde_json::Value::Null);
            Ok(match (v, ty.as_str()) {
                (serde_json::Value::Null, _) => Val::Null,
                (serde_json::Value::Number(n), "bigint" | "integer" | "smallint") => {
                    Val::Int(n.as_i64().ok_or_else(|| {
                        StoreError::internal(format!("bad whole number {n} in an undo entry"))
                    })?)
                }
                (serde_json::Value::Number(n), _) => Val::Real(n.as_f64().ok_or_else(|| {
                    StoreError::internal(format!("bad number {n} in an undo entry"))
                })?),
                (serde_json::Value::String(s), _) => Val::Text(s.clone()),
                (serde_json::Value::Bool(b), _) => Val::Int(i64::from(*b)),
                (other, _) => Val::Text(other.to_string()),
            })
        })
        .collect()
}

/// Stop logging changes for the rest of this transaction.
pub fn stop_logging(conn: &Conn) -> StoreResult<()> {
    conn.execute("SELECT set_config('yardstick.op', '', true)", params![])
        .sql()?;
    Ok(())
}

/// Make operation `op_id` (and everything before it) impossible to undo.
pub fn set_floor(conn: &Conn, op_id: i64) -> StoreResult<()> {
    super::org::set_setting(conn, super::FLOOR_KEY, &op_id.to_string()).map(|_| ())
}

/// Record the start of an operation and start logging its changes; returns its id.
pub fn begin_op(conn: &Conn, meta: &OpMeta) -> StoreResult<i64> {
    let id = conn
        .insert(
            "INSERT INTO op(uuid, at, actor, command) VALUES (?1, ?2, ?3, ?4)",
            params![crate::store::new_uuid(), meta.at, meta.actor, meta.command],
        )
        .sql()?;
    conn.execute(
        "SELECT set_config('yardstick.op', ?1, true)",
        params![id.to_string()],
    )
    .sql()?;
    Ok(id)
}

/// The tables a write changed outside its declaration: for
/// [`WriteScope::Tables`] any other table (the merge bookkeeping aside),
/// for [`WriteScope::Inserts`] any table with a row updated or deleted.
pub fn strays(conn: &Conn, op_id: i64, scope: WriteScope) -> StoreResult<Vec<String>> {
    if scope == WriteScope::Any {
        return Ok(Vec::new());
    }
    let touched: Vec<(String, bool)> = conn
        .query_map(
            "SELECT tbl, bool_or(action <> 'insert') FROM undo_entry WHERE op_id = ?1 \
             GROUP BY tbl ORDER BY tbl",
            params![op_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .sql()?;
    Ok(touched
        .into_iter()
        .filter(|(t, changed)| match scope {
            WriteScope::Any => false,
            WriteScope::Tables(declared) => {
                !declared.contains(&t.as_str()) && !["revision", "tombstone"].contains(&t.as_str())
            }
            WriteScope::Inserts => *changed,
        })
        .map(|(t, _)| t)
        .collect())
}

/// Finish an operation: set its summary; returns whether it changed anything.
pub fn finish_op(
    conn: &Conn,
    op_id: i64,
    summary: &str,
    audience: Option<&(Audience, String)>,
    irreversible: bool,
) -> StoreResult<bool> {
    let changed: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM undo_entry WHERE op_id = ?1)",
            params![op_id],
            |r| r.get(0),
        )
        .sql()?;
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
    )
    .sql()?;
    Ok(changed)
}

const OP_SELECT: &str = "SELECT o.id, o.at, o.actor, o.command, o.summary, o.undone_at, o.audience, \
     p.handle, o.public_summary, o.irreversible FROM op o LEFT JOIN person p ON p.id = o.audience_subject";

fn op_row(r: &Row) -> super::conn::Result<OpEntry> {
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
pub fn list(conn: &Conn, limit: Option<usize>) -> StoreResult<Vec<OpEntry>> {
    let limit = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
    conn.query_map(
        &format!("{OP_SELECT} ORDER BY o.id DESC LIMIT ?1::bigint"),
        params![limit],
        op_row,
    )
    .sql()
}

/// The latest operation that undo would revert (not undone, not
/// irreversible; run by `actor` when given), with what reverting it touches.
pub fn preview(conn: &Conn, actor: Option<&str>) -> StoreResult<Option<UndoPreview>> {
    let op = conn
        .query_row(
            &format!(
                "{OP_SELECT} WHERE o.undone_at IS NULL AND o.irreversible = 0 \
                 AND (?1::text IS NULL OR o.actor = ?1::text) ORDER BY o.id DESC LIMIT 1"
            ),
            params![actor],
            op_row,
        )
        .optional()
        .sql()?;
    let Some(op) = op else { return Ok(None) };
    if op.id <= floor(conn)? {
        return Ok(Some(UndoPreview {
            op,
            changes: Vec::new(),
            bulk: true,
        }));
    }
    // The merge bookkeeping (field revisions, tombstones) goes back with
    // the data it describes and is not counted apart.
    let rows: Vec<(String, String, i64)> = conn
        .query_map(
            "SELECT tbl, action, count(*) FROM undo_entry e WHERE op_id = ?1 \
             AND tbl NOT IN ('revision', 'tombstone') \
             AND id = (SELECT min(id) FROM undo_entry f WHERE f.op_id = ?1 AND f.tbl = e.tbl AND f.row_id = e.row_id) \
             GROUP BY tbl, action ORDER BY tbl, action",
            params![op.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .sql()?;
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
/// Read through `yardstick_undo_conflicts` (SECURITY DEFINER): on a team
/// server a member may not read other people's operations, but undo must
/// still refuse over them (who ran one is `(hidden)` when it is about a
/// confidential record).
pub fn conflicts(conn: &Conn, op_id: i64) -> StoreResult<Vec<OpEntry>> {
    conn.query_map(
        "SELECT id, at, actor, command FROM yardstick_undo_conflicts(?1::bigint)",
        params![op_id],
        |r| {
            Ok(OpEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                command: r.get(3)?,
                summary: String::new(),
                undone_at: None,
                audience: None,
                public_summary: None,
                irreversible: false,
            })
        },
    )
    .sql()
}

/// The foreign keys that refer to `table`: (referring table, column).
fn referring_keys(conn: &Conn, table: &str) -> StoreResult<Vec<(String, String)>> {
    conn.query_map(
        "SELECT cl.relname::text, a.attname::text FROM pg_constraint c \
         JOIN pg_class cl ON cl.oid = c.conrelid \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         WHERE c.contype = 'f' AND c.confrelid = to_regclass(quote_ident(?1::text)) ORDER BY 1, 2",
        params![table],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .sql()
}

/// Rows outside the operation's own additions that refer to a row it added
/// (undo would remove the row and so empty or remove theirs):
/// (table, row, referring table, referring row).
fn live_references(conn: &Conn, op_id: i64) -> StoreResult<Vec<(String, i64, String, i64)>> {
    let added: Vec<(String, i64)> = entries(conn, op_id)?
        .into_iter()
        .filter(|e| e.2 == ChangeKind::Insert)
        .map(|(_, t, _, r)| (t, r))
        .collect();
    let mut out = Vec::new();
    let mut keys: std::collections::HashMap<String, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for (table, row) in &added {
        if !keys.contains_key(table) {
            keys.insert(table.clone(), referring_keys(conn, table)?);
        }
        for (other, column) in keys.get(table).into_iter().flatten() {
            let other_table = known_table(other)?;
            // The column is one of that table's own, as the catalog names it.
            // (The login mapping is not logged: its one reference is fixed.)
            let known_column = if is_logged(other_table) {
                columns(conn, other_table)?
                    .into_iter()
                    .any(|(c, _)| c == *column)
            } else {
                other_table == "login" && column == "person_id"
            };
            if !known_column {
                return Err(StoreError::internal(format!(
                    "the catalog names an unknown column {other}.{column}"
                )));
            }
            if !is_logged(other_table) {
                // A login mapped to a person this operation added.
                let mapped: bool = conn
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM login WHERE person_id = ?1)",
                        params![row],
                        |r| r.get(0),
                    )
                    .sql()?;
                if mapped {
                    out.push((table.clone(), *row, other.clone(), 0));
                }
                continue;
            }
            let ids: Vec<i64> = conn
                .query_map(
                    &format!(
                        "SELECT id FROM {} WHERE {} = ?1",
                        quoted(other_table),
                        quoted(column)
                    ),
                    params![row],
                    |r| r.get(0),
                )
                .sql()?;
            for id in ids {
                if !added.iter().any(|(t, r)| t == other && *r == id) {
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
pub fn undo(conn: &Conn, op_id: i64, at: &str) -> Result<()> {
    let op = conn
        .query_row(
            &format!("{OP_SELECT} WHERE o.id = ?1"),
            params![op_id],
            op_row,
        )
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
    if let Err(e) = conn.batch("SET CONSTRAINTS ALL IMMEDIATE").sql() {
        return Err(match e {
            StoreError::Conflict { .. } => Error::failed(
                "undo would leave references to rows that no longer exist; nothing was changed",
            ),
            e => e.into(),
        });
    }
    Ok(())
}

/// Put back the before-images of an operation, newest first, and mark it undone.
fn replay(conn: &Conn, op_id: i64, at: &str) -> StoreResult<()> {
    // Nothing undo does is itself logged.
    stop_logging(conn)?;
    conn.batch("SET CONSTRAINTS ALL DEFERRED").sql()?;
    // A finalized review cycle is read-only, and undo may not reach into one
    // (the guard triggers refuse it). A cycle that this very operation
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
    )
    .sql()?;
    for (entry, tbl, action, row_id) in entries(conn, op_id)?.into_iter().rev() {
        let tbl = known_table(&tbl)?;
        let cols = columns(conn, tbl)?;
        let table = quoted(tbl);
        let names: Vec<String> = cols.iter().map(|(c, _)| quoted(c)).collect();
        match action {
            ChangeKind::Insert => {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE id = ?1"),
                    params![row_id],
                )
                .sql()?;
            }
            ChangeKind::Update => {
                let n = conn.execute(
                    &format!(
                        "UPDATE {table} SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{table}, \
                         (SELECT image FROM undo_entry WHERE id = ?1))) WHERE id = ?2",
                        cols = names.join(", "),
                    ),
                    params![entry, row_id],
                )
                .sql()?;
                if n != 1 {
                    // On a team server, a row the acting person may not
                    // change (row-level security) is skipped silently by
                    // UPDATE: refuse instead of half-undoing.
                    return Err(StoreError::Refused {
                        message: format!(
                            "undo cannot put back {tbl} #{row_id}: the server's access policy does not let you change it; nothing was changed"
                        ),
                    });
                }
            }
            ChangeKind::Delete => {
                conn.execute(
                    &format!(
                        "INSERT INTO {table} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{table}, \
                         (SELECT image FROM undo_entry WHERE id = ?1))",
                        cols = names.join(", "),
                    ),
                    params![entry],
                )
                .sql()?;
            }
        }
    }
    conn.execute("DELETE FROM undo_entry WHERE op_id = ?1", params![op_id])
        .sql()?;
    conn.execute(
        "UPDATE op SET undone_at = ?2 WHERE id = ?1",
        params![op_id, at],
    )
    .sql()?;
    Ok(())
}

/// The undo entries of an operation in the order they were recorded:
/// (entry id, table, action, row id).
pub fn entries(conn: &Conn, op_id: i64) -> StoreResult<Vec<(i64, String, ChangeKind, i64)>> {
    let rows: Vec<(i64, String, String, i64)> = conn
        .query_map(
            "SELECT id, tbl, action, row_id FROM undo_entry WHERE op_id = ?1 ORDER BY id",
            params![op_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .sql()?;
    rows.into_iter()
        .map(|(id, tbl, action, row)| Ok((id, tbl, change_kind(&action)?, row)))
        .collect()
}

fn change_kind(action: &str) -> StoreResult<ChangeKind> {
    ChangeKind::from_name(action).ok_or_else(|| {
        StoreError::internal(format!("the undo log has an unknown action '{action}'"))
    })
}

/// The before-image kept by undo entry `entry`, as values.
pub fn entry_image(conn: &Conn, tbl: &str, entry: i64) -> StoreResult<Option<Vec<Val>>> {
    let image: Option<String> = conn
        .query_row(
            "SELECT image::text FROM undo_entry WHERE id = ?1",
            params![entry],
            |r| r.get(0),
        )
        .optional()
        .sql()?
        .flatten();
    image.map(|i| image_values(conn, tbl, &i)).transpose()
}

/// The rows an operation changed with their before-images.
fn changes(conn: &Conn, op_id: i64) -> StoreResult<Vec<Change>> {
    let mut out = Vec::new();
    for (entry, tbl, kind, row) in entries(conn, op_id)? {
        let before = match kind {
            ChangeKind::Insert => None,
            ChangeKind::Update | ChangeKind::Delete => entry_image(conn, &tbl, entry)?,
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

/// Erase every trace of one row from the undo log, so that its contents
/// leave the database. Returns how many operations held the row.
pub fn purge_row_history(conn: &Conn, table: &str, row_id: i64) -> StoreResult<usize> {
    super::revisions::before_purge(conn, table, row_id)?;
    let n: i64 = conn
        .query_row(
            "SELECT count(DISTINCT op_id) FROM undo_entry WHERE tbl = ?1 AND row_id = ?2",
            params![table, row_id],
            |r| r.get(0),
        )
        .sql()?;
    conn.execute(
        "DELETE FROM undo_entry WHERE tbl = ?1 AND row_id = ?2",
        params![table, row_id],
    )
    .sql()?;
    Ok(usize::try_from(n).unwrap_or(0))
}

impl OpLog for PgSession<'_> {
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
