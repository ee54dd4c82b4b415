//! Writes: one logged operation in one `BEGIN IMMEDIATE` transaction, with
//! its undo history kept by triggers or, for insert-only writes, by SQLite's
//! update hook, which also refuses any change a write did not declare.

use super::{Store, locked_or, oplog};
use crate::error::{Error, Result};
use rusqlite::hooks::Action;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

/// What a write records in the operation log.
#[derive(Debug, Clone)]
pub struct OpMeta {
    /// Who is acting (a handle, or the OS user name).
    pub actor: String,
    /// The command, e.g. `plan add`.
    pub command: String,
    /// The timestamp to record (RFC 3339, from the clock).
    pub at: String,
}

/// The result of a write: the closure's value and whether anything changed.
#[derive(Debug)]
pub struct Written<T> {
    /// What the closure returned.
    pub value: T,
    /// Whether any row changed (a write that changes nothing is rolled back and not logged).
    pub changed: bool,
}

impl Store {
    /// Run `f` as one logged operation in one IMMEDIATE transaction. If `f`
    /// fails, nothing is written. If it changes nothing, the transaction is
    /// rolled back and no operation is logged.
    pub fn write<T>(
        &mut self,
        meta: &OpMeta,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<Written<T>> {
        self.write_in(meta, Undo::AllTables, f)
    }

    /// [`Store::write`] for a command that changes only `tables`: only their
    /// undo triggers are created, which keeps a small write fast (creating
    /// a trigger costs about as much as a whole check-in). If the command
    /// changes any other logged table after all, it fails and writes nothing.
    pub fn write_touching<T>(
        &mut self,
        meta: &OpMeta,
        tables: &[&str],
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<Written<T>> {
        self.write_in(meta, Undo::Tables(tables), f)
    }

    /// [`Store::write`] for a command that only inserts rows (a new
    /// check-in, a piece of feedback): undoing it deletes them, so no
    /// before-images and no triggers are needed; each inserted row is
    /// recorded from SQLite's update hook. If the command updates or deletes
    /// anything after all, it fails and writes nothing.
    pub fn write_inserting<T>(
        &mut self,
        meta: &OpMeta,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<Written<T>> {
        self.write_in(meta, Undo::InsertsOnly, f)
    }

    fn write_in<T>(
        &mut self,
        meta: &OpMeta,
        undo: Undo<'_>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<Written<T>> {
        let seen = Arc::new(Mutex::new(Seen {
            keep_inserts: matches!(undo, Undo::InsertsOnly),
            ..Seen::default()
        }));
        let hook = Arc::clone(&seen);
        self.conn.update_hook(Some(
            move |action: Action, db: &str, table: &str, row_id: i64| {
                if db == "main" && oplog::is_logged(table) {
                    lock(&hook).see(action, table, row_id);
                }
            },
        ))?;
        let result = self.write_logged(meta, undo, &seen, f);
        self.conn.update_hook(None::<fn(Action, &str, &str, i64)>)?;
        result
    }

    fn write_logged<T>(
        &mut self,
        meta: &OpMeta,
        undo: Undo<'_>,
        seen: &Arc<Mutex<Seen>>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<Written<T>> {
        let path = self.path.clone().unwrap_or_default();
        let timeout = self.busy_timeout;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| locked_or(e, &path, timeout))?;
        match undo {
            Undo::AllTables => oplog::install_triggers(&tx, None)?,
            Undo::Tables(tables) => oplog::install_triggers(&tx, Some(tables))?,
            Undo::InsertsOnly => {}
        }
        let op_id = oplog::begin_op(&tx, meta)?;
        let mut handle = Tx {
            tx,
            op_id,
            summary: String::new(),
            changed: false,
            bulk: false,
            seen: Arc::clone(seen),
        };
        let value = f(&mut handle)?;
        let Tx {
            tx,
            summary,
            changed: marked,
            bulk,
            ..
        } = handle;
        if !bulk {
            let seen = lock(seen);
            let unrecorded: Vec<&str> = match undo {
                Undo::AllTables => Vec::new(),
                Undo::Tables(declared) => seen
                    .tables
                    .iter()
                    .map(String::as_str)
                    .filter(|t| !declared.contains(t))
                    .collect(),
                Undo::InsertsOnly => seen
                    .changed_not_inserted
                    .iter()
                    .map(String::as_str)
                    .collect(),
            };
            if !unrecorded.is_empty() {
                return Err(Error::failed(format!(
                    "internal error: `{}` changed {} without keeping undo history for it; nothing was written",
                    meta.command,
                    unrecorded.join(", ")
                ))
                .with_hint("please report this; the command works again once its table list is fixed"));
            }
            oplog::record_inserts(&tx, op_id, &seen.inserts)?;
        }
        let changed = oplog::finish_op(&tx, op_id, &summary)? || marked;
        if !matches!(undo, Undo::InsertsOnly) {
            oplog::remove_triggers(&tx)?;
        }
        if changed {
            tx.commit().map_err(|e| locked_or(e, &path, timeout))?;
        } else {
            tx.rollback()?;
        }
        Ok(Written { value, changed })
    }
}

/// How a write keeps its undo history.
#[derive(Clone, Copy)]
enum Undo<'a> {
    /// Before-images through triggers on every logged table.
    AllTables,
    /// Triggers on these tables only; changing any other table fails the write.
    Tables(&'a [&'a str]),
    /// The write only inserts: each new row is recorded from the update hook.
    InsertsOnly,
}

/// What the update hook saw a write change (logged tables only).
#[derive(Default)]
struct Seen {
    /// Every table with a changed row.
    tables: BTreeSet<String>,
    /// Whether to keep each inserted row (for [`Undo::InsertsOnly`]).
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

/// A write transaction with its operation.
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
    op_id: i64,
    summary: String,
    changed: bool,
    bulk: bool,
    seen: Arc<Mutex<Seen>>,
}

impl Tx<'_> {
    /// Set the one-line summary shown by `log` and `undo`.
    pub fn set_summary(&mut self, summary: impl Into<String>) {
        self.summary = summary.into();
    }

    /// The id of this operation in the log.
    pub fn op_id(&self) -> i64 {
        self.op_id
    }

    /// Load in bulk: stop keeping before-images for the rest of this
    /// operation, which makes it, and everything before it, impossible to
    /// undo (`undo` stops there and says so). For `demo`, which fills a new
    /// file with up to millions of rows.
    pub fn bulk(&mut self) -> Result<()> {
        lock(&self.seen).off = true;
        oplog::remove_triggers(&self.tx)?;
        oplog::set_floor(&self.tx, self.op_id)?;
        self.changed = true;
        self.bulk = true;
        Ok(())
    }

    /// Say that this operation changed data even though it left nothing in
    /// the undo log (a purge erases its own before-images).
    pub fn mark_changed(&mut self) {
        self.changed = true;
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.tx
    }
}
