//! Field revisions and tombstones (schema 8), kept from the undo log.
//!
//! Every logged write already keeps the before-image of each row it
//! updates or deletes (`undo_entry`). When the write's own work is done,
//! [`record`] reads those entries once: a row of an exchanged table that
//! was updated gets a new revision for each field whose value changed
//! (compared with its first before-image), and a row that was deleted
//! leaves a tombstone holding the revisions its fields had. So every
//! command's writes are tracked, without any repository knowing, and an
//! insert-only write (a check-in) costs nothing here: it has no such
//! entries. The two tables are logged like any other, so `undo` restores
//! them together with the data (an undone edit never happened).

use super::conn::{Conn as Connection, OptionalExtension, Sql, params};
use super::oplog;
use crate::domain::revisions::{FieldRev, Revs, Tombstone};
use crate::store::exchange::{TABLES, Val as Value, table_index};
use crate::store::{StoreError, StoreResult};
use std::collections::{BTreeMap, HashSet};

/// Stored revisions (JSON) as values.
pub fn parse(text: &str) -> StoreResult<Revs> {
    serde_json::from_str(text).map_err(|e| StoreError::Unavailable {
        message: format!("the database holds field revisions yardstick cannot read: {e}"),
        hint: Some("run `yardstick doctor`; restore from a backup if it reports damage".into()),
        source: None,
    })
}

fn to_json(revs: &Revs) -> StoreResult<String> {
    serde_json::to_string(revs)
        .map_err(|e| StoreError::internal(format!("cannot write field revisions: {e}")))
}

/// The revisions of a row (empty when every field is as created).
pub fn load(conn: &Connection, tbl: &str, uuid: &str) -> StoreResult<Revs> {
    let text: Option<String> = conn
        .query_row(
            "SELECT revs FROM revision WHERE tbl = ?1 AND uuid = ?2",
            params![tbl, uuid],
            |r| r.get(0),
        )
        .optional()
        .sql()?;
    match text {
        Some(t) => parse(&t),
        None => Ok(Revs::new()),
    }
}

/// Store the revisions of a row (none: remove its entry).
pub fn save(conn: &Connection, tbl: &str, uuid: &str, revs: &Revs) -> StoreResult<()> {
    if revs.is_empty() {
        conn.execute(
            "DELETE FROM revision WHERE tbl = ?1 AND uuid = ?2",
            params![tbl, uuid],
        )
        .sql()?;
        return Ok(());
    }
    let text = to_json(revs)?;
    // Unchanged revisions are not rewritten (no undo entry, no change).
    conn.execute(
        "INSERT INTO revision(tbl, uuid, revs) VALUES (?1, ?2, ?3) \
         ON CONFLICT(tbl, uuid) DO UPDATE SET revs = excluded.revs WHERE revision.revs <> excluded.revs",
        params![tbl, uuid, text],
    )
    .sql()?;
    Ok(())
}

/// Remember (or replace) a deletion.
pub fn put_tombstone(conn: &Connection, tbl: &str, t: &Tombstone) -> StoreResult<()> {
    let seen = to_json(&t.seen)?;
    conn.execute(
        "INSERT INTO tombstone(tbl, uuid, rev, deleted_at, deleted_by, seen) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(tbl, uuid) DO UPDATE SET rev = excluded.rev, deleted_at = excluded.deleted_at, \
           deleted_by = excluded.deleted_by, seen = excluded.seen",
        params![tbl, t.uuid, t.rev, t.deleted_at, t.deleted_by, seen],
    )
    .sql()?;
    Ok(())
}

fn has_tombstone(conn: &Connection, tbl: &str, uuid: &str) -> StoreResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM tombstone WHERE tbl = ?1 AND uuid = ?2",
            params![tbl, uuid],
            |_| Ok(()),
        )
        .optional()
        .sql()?
        .is_some())
}

/// What one write did to one row, from its undo entries.
struct Touched {
    /// Its first entry (holding the before-image of the row as it was).
    first: i64,
    /// Whether the write inserted it.
    inserted: bool,
}

/// Record the field revisions and tombstones of operation `op_id`, made at
/// `at` by `by`: see the module's documentation. Rows whose revisions the
/// write set itself (`given`: a merge) are left as it set them.
pub fn record(
    conn: &Connection,
    op_id: i64,
    at: &str,
    by: &str,
    given: &HashSet<(&'static str, String)>,
) -> StoreResult<()> {
    let mut touched: BTreeMap<(usize, i64), Touched> = BTreeMap::new();
    for (id, tbl, action, row) in oplog::entries(conn, op_id)? {
        let Some(table) = table_index(&tbl) else {
            continue;
        };
        touched.entry((table, row)).or_insert(Touched {
            first: id,
            inserted: action == crate::store::ChangeKind::Insert,
        });
    }
    if touched.is_empty() {
        return Ok(());
    }
    let mut order: Vec<(&(usize, i64), &Touched)> = touched.iter().collect();
    order.sort_by_key(|(_, t)| t.first);
    for (&(table, row), t) in order {
        if t.inserted {
            // New in this write: every field is at its origin.
            continue;
        }
        let def = &TABLES[table];
        let width = def.cols.len() + 2;
        let Some(before) = oplog::entry_image(conn, def.name, t.first)? else {
            continue;
        };
        let Some(Value::Text(uuid)) = before.get(1).cloned() else {
            continue;
        };
        if given.contains(&(def.name, uuid.clone())) {
            continue;
        }
        let now: Option<Vec<Value>> = conn
            .query_row(
                &format!("SELECT * FROM {} WHERE id = ?1", oplog::quoted(def.name)),
                params![row],
                |r| (0..width).map(|i| r.get::<_, Value>(i)).collect(),
            )
            .optional()
            .sql()?;
        let mut revs = load(conn, def.name, &uuid)?;
        match now {
            None => {
                save(conn, def.name, &uuid, &Revs::new())?;
                if !has_tombstone(conn, def.name, &uuid)? {
                    put_tombstone(
                        conn,
                        def.name,
                        &Tombstone {
                            table,
                            uuid: uuid.clone(),
                            rev: crate::store::new_uuid(),
                            deleted_at: at.to_string(),
                            deleted_by: Some(by.to_string()),
                            seen: revs,
                        },
                    )?;
                }
            }
            Some(now) => {
                let changed: Vec<&str> = def
                    .cols
                    .iter()
                    .enumerate()
                    .filter(|(k, c)| c.name != "updated_at" && before.get(k + 2) != now.get(k + 2))
                    .map(|(_, c)| c.name)
                    .collect();
                if changed.is_empty() {
                    continue;
                }
                let rev = crate::store::new_uuid();
                for name in changed {
                    let next = FieldRev::edit(rev.clone(), at, by, revs.get(name));
                    revs.insert(name.to_string(), next);
                }
                save(conn, def.name, &uuid, &revs)?;
            }
        }
    }
    Ok(())
}

/// Before the history of a deleted row is erased (`rm --purge`): leave its
/// tombstone now, since [`record`] will no longer find the row in the undo
/// log. The deletion travels like any other; the tombstone holds no
/// content (the table, UUID, who and when, and revision ids).
pub fn before_purge(conn: &Connection, tbl: &str, row: i64) -> StoreResult<()> {
    let Some(table) = table_index(tbl) else {
        return Ok(());
    };
    let def = &TABLES[table];
    let still_there = conn
        .query_row(
            &format!("SELECT 1 FROM {} WHERE id = ?1", oplog::quoted(def.name)),
            params![row],
            |_| Ok(()),
        )
        .optional()
        .sql()?
        .is_some();
    if still_there {
        return Ok(());
    }
    let uuid: Option<String> = conn
        .query_row(
            "SELECT image->>'uuid' FROM undo_entry WHERE tbl = ?1 AND row_id = ?2 AND action = 'delete' \
             ORDER BY id DESC LIMIT 1",
            params![tbl, row],
            |r| r.get(0),
        )
        .optional()
        .sql()?
        .flatten();
    let Some(uuid) = uuid else {
        return Ok(());
    };
    if has_tombstone(conn, def.name, &uuid)? {
        return Ok(());
    }
    let (at, by): (String, String) = conn
        .query_row(
            "SELECT at, actor FROM op ORDER BY id DESC LIMIT 1",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .sql()?;
    let seen = load(conn, def.name, &uuid)?;
    save(conn, def.name, &uuid, &Revs::new())?;
    put_tombstone(
        conn,
        def.name,
        &Tombstone {
            table,
            uuid,
            rev: crate::store::new_uuid(),
            deleted_at: at,
            deleted_by: Some(by),
            seen,
        },
    )
}
