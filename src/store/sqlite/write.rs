//! Writes: one logged operation in one `BEGIN IMMEDIATE` transaction, with
//! its undo history kept by triggers or, for insert-only writes, by SQLite's
//! update hook, which also refuses any change a write did not declare.

use super::schema::BOOKKEEPING_TABLES;
use super::{Sql, SqliteDb, SqliteSession, locked_or, oplog, revisions};
use crate::error::Result;
use crate::store::oplog::Audience;
use crate::store::{OpMeta, Session, StoreError, StoreResult, WriteScope};
use rusqlite::TransactionBehavior;
use rusqlite::hooks::Action;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

/// Run `f` as one logged operation in one IMMEDIATE transaction. If `f`
/// fails, nothing is written. If it changes nothing, the transaction is
/// rolled back and no operation is logged.
pub(super) fn write(
    db: &mut SqliteDb,
    meta: &OpMeta,
    scope: WriteScope,
    f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
) -> Result<bool> {
    let seen = Arc::new(Mutex::new(Seen {
        keep_inserts: scope == WriteScope::Inserts,
        ..Seen::default()
    }));
    let hook = Arc::clone(&seen);
    db.conn
        .update_hook(Some(
            move |action: Action, name: &str, table: &str, row_id: i64| {
                if name == "main" && oplog::is_logged(table) {
                    lock(&hook).see(action, table, row_id);
                }
            },
        ))
        .sql()?;
    let result = write_logged(db, meta, scope, &seen, f);
    db.conn
        .update_hook(None::<fn(Action, &str, &str, i64)>)
        .sql()?;
    result
}

fn write_logged(
    db: &mut SqliteDb,
    meta: &OpMeta,
    scope: WriteScope,
    seen: &Arc<Mutex<Seen>>,
    f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
) -> Result<bool> {
    let path = db.path.clone().unwrap_or_default();
    let timeout = db.busy_timeout;
    let tx = db
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| locked_or(e, &path, timeout))?;
    match scope {
        WriteScope::Any => oplog::install_triggers(&tx, None)?,
        WriteScope::Tables(tables) => oplog::install_triggers(&tx, Some(tables))?,
        WriteScope::Inserts => {}
    }
    let op_id = oplog::begin_op(&tx, meta)?;
    let mut session = SqliteSession {
        conn: &tx,
        write: Some(WriteState {
            op_id,
            summary: String::new(),
            audience: None,
            irreversible: false,
            changed: false,
            bulk: false,
            seen: Some(Arc::clone(seen)),
            given: HashSet::new(),
        }),
    };
    f(&mut session)?;
    let state = session
        .write
        .take()
        .ok_or_else(|| StoreError::internal("a write session lost its state"))?;
    if !state.bulk {
        let seen = lock(seen);
        let unrecorded: Vec<&str> = match scope {
            WriteScope::Any => Vec::new(),
            // The merge bookkeeping installs its own undo triggers before
            // it writes (see `revisions`).
            WriteScope::Tables(declared) => seen
                .tables
                .iter()
                .map(String::as_str)
                .filter(|t| !declared.contains(t) && !BOOKKEEPING_TABLES.contains(t))
                .collect(),
            WriteScope::Inserts => seen
                .changed_not_inserted
                .iter()
                .map(String::as_str)
                .collect(),
        };
        if !unrecorded.is_empty() {
            return Err(StoreError::internal(format!(
                "`{}` changed {} without keeping undo history for it; nothing was written",
                meta.command,
                unrecorded.join(", ")
            ))
            .into());
        }
        oplog::record_inserts(&tx, op_id, &seen.inserts)?;
        drop(seen);
        if scope != WriteScope::Inserts {
            // Field revisions and tombstones, from the undo entries just
            // kept (an insert-only write has none to give).
            revisions::record(&tx, op_id, &meta.at, &meta.actor, &state.given)?;
        }
    }
    let changed = oplog::finish_op(
        &tx,
        op_id,
        &state.summary,
        state.audience.as_ref(),
        state.irreversible,
    )? || state.changed;
    if scope != WriteScope::Inserts {
        oplog::remove_triggers(&tx)?;
    }
    if changed {
        tx.commit().map_err(|e| locked_or(e, &path, timeout))?;
    } else {
        tx.rollback().sql()?;
    }
    Ok(changed)
}

/// What the update hook saw a write change (logged tables only).
#[derive(Default)]
struct Seen {
    /// Every table with a changed row.
    tables: BTreeSet<String>,
    /// Whether to keep each inserted row (for [`WriteScope::Inserts`]).
    keep_inserts: bool,
    /// The inserted rows, in order.
    inserts: Vec<(String, i64)>,
    /// Tables with an updated or deleted row, when only inserts were expected.
    changed_not_inserted: BTreeSet<String>,
    /// A bulk load: stop looking.
    off: bool,
}

impl Seen {
    fn see(&mut self, action: Action, table: &str, row_id: i64) {
        if self.off {
            return;
        }
        if !self.tables.contains(table) {
            self.tables.insert(table.to_string());
        }
        if self.keep_inserts {
            if action == Action::SQLITE_INSERT {
                self.inserts.push((table.to_string(), row_id));
            } else if !self.changed_not_inserted.contains(table) {
                self.changed_not_inserted.insert(table.to_string());
            }
        }
    }
}

fn lock(seen: &Mutex<Seen>) -> std::sync::MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The state of a write session: its operation and what it did.
pub(super) struct WriteState {
    op_id: i64,
    summary: String,
    /// Who the operation is about, and what anyone else reads of it.
    audience: Option<(Audience, String)>,
    /// Undo cannot revert it.
    irreversible: bool,
    changed: bool,
    bulk: bool,
    /// What the update hook saw (none in a rehearsal).
    seen: Option<Arc<Mutex<Seen>>>,
    /// Rows whose field revisions the write set itself (a merge), by
    /// table and UUID: no revision is recorded for them.
    pub(super) given: HashSet<(&'static str, String)>,
}

impl WriteState {
    /// A rehearsal's state: nothing is logged and everything is thrown away.
    pub(super) fn rehearsal() -> WriteState {
        WriteState {
            op_id: 0,
            summary: String::new(),
            audience: None,
            irreversible: false,
            changed: false,
            bulk: false,
            seen: None,
            given: HashSet::new(),
        }
    }
}

impl SqliteSession<'_> {
    fn state(&mut self) -> StoreResult<&mut WriteState> {
        self.write
            .as_mut()
            .ok_or_else(|| StoreError::internal("a write was attempted in a read session"))
    }
}

impl Session for SqliteSession<'_> {
    fn set_summary(&mut self, summary: &str) {
        if let Some(w) = self.write.as_mut() {
            w.summary = summary.to_string();
        }
    }

    fn mark_changed(&mut self) {
        if let Some(w) = self.write.as_mut() {
            w.changed = true;
        }
    }

    fn set_audience(&mut self, audience: Audience, public_summary: &str) {
        if let Some(w) = self.write.as_mut() {
            w.audience = Some((audience, public_summary.to_string()));
        }
    }

    fn set_irreversible(&mut self) {
        if let Some(w) = self.write.as_mut() {
            w.irreversible = true;
        }
    }

    fn bulk_load(&mut self) -> StoreResult<()> {
        let conn = self.conn;
        let state = self.state()?;
        if let Some(seen) = &state.seen {
            lock(seen).off = true;
        }
        let op_id = state.op_id;
        state.changed = true;
        state.bulk = true;
        oplog::remove_triggers(conn)?;
        oplog::set_floor(conn, op_id)?;
        // A page cache big enough for the check-in indexes of an
        // organisation-sized load.
        conn.pragma_update(None, "cache_size", -131_072)?;
        Ok(())
    }
}
