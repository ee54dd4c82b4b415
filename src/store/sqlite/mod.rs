//! SQLite storage: opening (pragmas, identity checks), migrations, one module
//! per aggregate, the operation log and undo. The only place with SQL.
//!
//! Rules kept here:
//! - every pragma is set explicitly on open;
//! - a write is one `BEGIN IMMEDIATE` transaction, logged as one operation;
//! - reads never write: a read connection is `query_only`, and an out-of-date
//!   file is read through an upgraded in-memory copy instead of being migrated;
//! - files are created 0600 and never half-made (see [`open`]).

pub mod appraise;
pub mod checkins;
pub mod exchange;
pub mod feedback;
pub mod maintenance;
pub mod open;
pub mod oplog;
pub mod org;
pub mod plan;
pub mod rows;
pub mod schema;
pub mod stats;
mod write;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

pub use oplog::{OpEntry, UndoPreview};
pub use write::{OpMeta, Tx, Written};

/// How long a command waits for another process's write lock by default.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What to do when the database file does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Refuse with exit 3 (an explicit `--db` path that is not there).
    Refuse,
    /// Create it (init, and writes to the default personal database).
    Create,
    /// Read as if empty, creating nothing (reads of the default personal database).
    Empty,
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    busy_timeout: Duration,
}

impl Store {
    /// Open for reading. Never writes to the file, not even a migration.
    pub fn open_read(path: &Path, missing: Missing, busy_timeout: Duration) -> Result<Store> {
        if !path.exists() {
            return match missing {
                Missing::Refuse => Err(missing_file(path)),
                Missing::Create | Missing::Empty => {
                    let mut store = Store::open_memory()?;
                    store.path = Some(path.to_path_buf());
                    store.conn.pragma_update(None, "query_only", true)?;
                    Ok(store)
                }
            };
        }
        let header = open::check_header(path)?;
        let conn = if header.user_version < schema::SCHEMA_VERSION {
            // Out of date: read an upgraded copy in memory; the file is upgraded by the next write.
            let mut mem = Connection::open_in_memory()?;
            mem.restore(
                rusqlite::MAIN_DB,
                path,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|e| from_sqlite(e, path))?;
            apply_pragmas(&mem, busy_timeout, false)?;
            migrate(&mut mem, path)?;
            mem
        } else {
            let mut conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| from_sqlite(e, path))?;
            trace_sql(&mut conn)?;
            apply_pragmas(&conn, busy_timeout, false).map_err(|e| e.context(path.display()))?;
            verify_identity(&conn, path)?;
            conn
        };
        conn.pragma_update(None, "query_only", true)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            busy_timeout,
        })
    }

    /// Open for writing: checks the file, creates it when allowed, and brings
    /// the schema up to date under an IMMEDIATE lock.
    pub fn open_write(path: &Path, missing: Missing, busy_timeout: Duration) -> Result<Store> {
        if !path.exists() {
            match missing {
                Missing::Refuse => return Err(missing_file(path)),
                Missing::Create | Missing::Empty => {
                    if let Some(dir) = path.parent() {
                        if missing == Missing::Empty || missing == Missing::Create {
                            open::ensure_private_dir(dir)?;
                        }
                    }
                    open::create_database(path, |temp| {
                        let mut conn = Connection::open(temp).map_err(|e| from_sqlite(e, temp))?;
                        apply_pragmas(&conn, busy_timeout, true)?;
                        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
                        migrate(&mut conn, temp)?;
                        conn.close().map_err(|(_, e)| from_sqlite(e, temp))
                    })?;
                }
            }
        }
        open::check_header(path)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| from_sqlite(e, path))?;
        trace_sql(&mut conn)?;
        apply_pragmas(&conn, busy_timeout, true).map_err(|e| e.context(path.display()))?;
        verify_identity(&conn, path)?;
        migrate(&mut conn, path)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            busy_timeout,
        })
    }

    /// A private in-memory database with the current schema (tests, empty reads).
    pub fn open_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        apply_pragmas(&conn, DEFAULT_BUSY_TIMEOUT, false)?;
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        migrate(&mut conn, Path::new(":memory:"))?;
        Ok(Store {
            conn,
            path: None,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
        })
    }

    /// The connection, for the read functions of the aggregate modules.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The file this store reads, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// What `undo` would revert: the latest operation not yet undone.
    pub fn undo_preview(&self) -> Result<Option<UndoPreview>> {
        oplog::preview(&self.conn)
    }

    /// Revert the operation `op_id` (which must be the latest not undone).
    pub fn undo(&mut self, op_id: i64, at: &str) -> Result<()> {
        let path = self.path.clone().unwrap_or_default();
        let timeout = self.busy_timeout;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| locked_or(e, &path, timeout))?;
        oplog::undo(&tx, op_id, at)?;
        tx.commit().map_err(|e| locked_or(e, &path, timeout))
    }
}

fn missing_file(path: &Path) -> Error {
    Error::database(format!("database {} does not exist", path.display()))
        .with_hint("create it with `yardstick init --db PATH`, or check --db / YARDSTICK_DB")
}

/// With `YARDSTICK_TRACE_SQL=FILE`, append every statement the connection
/// runs to FILE, one per line (the SQL text as written, with `?` for the
/// values: statements take their values as parameters, so the trace holds
/// none of the data). For diagnosing speed, and for the test that checks
/// the query plans of what real commands run.
fn trace_sql(conn: &mut Connection) -> Result<()> {
    let Some(path) = std::env::var_os("YARDSTICK_TRACE_SQL").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| {
            Error::invalid(format!(
                "cannot open YARDSTICK_TRACE_SQL file {}: {e}",
                Path::new(&path).display()
            ))
        })?;
    let file = Mutex::new(file);
    conn.trace_v2(
        rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
        Some(move |event: rusqlite::trace::TraceEvent<'_>| {
            if let rusqlite::trace::TraceEvent::Stmt(stmt, _) = event {
                use std::io::Write;
                let line = stmt.sql().replace(['\n', '\r'], " ");
                let mut f = file.lock().unwrap_or_else(PoisonError::into_inner);
                // A trace that cannot be written is not a reason to fail the command.
                let _ = writeln!(f, "{line}");
            }
        }),
    )?;
    Ok(())
}

fn apply_pragmas(conn: &Connection, busy_timeout: Duration, write: bool) -> Result<()> {
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "secure_delete", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "trusted_schema", false)?;
    // Check every b-tree page's cells as it is read: damage is reported
    // (exit 3) instead of being built upon by a write.
    conn.pragma_update(None, "cell_size_check", true)?;
    if write {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(Error::database(format!(
                "cannot switch the database to WAL mode (it is in {mode} mode)"
            )));
        }
    }
    Ok(())
}

fn verify_identity(conn: &Connection, path: &Path) -> Result<()> {
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| from_sqlite(e, path))?;
    if app != schema::APPLICATION_ID {
        return Err(Error::database(format!(
            "{} is an SQLite database of another application, not a yardstick database",
            path.display()
        )));
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| from_sqlite(e, path))?;
    if version > schema::SCHEMA_VERSION {
        return Err(open::newer_version(path, version));
    }
    Ok(())
}

/// Apply pending migrations under an IMMEDIATE lock, re-reading the version
/// inside it so concurrent first runs apply each migration once.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current == schema::SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| locked_or(e, path, DEFAULT_BUSY_TIMEOUT))?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > schema::SCHEMA_VERSION {
        return Err(open::newer_version(path, version));
    }
    for (i, sql) in schema::MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.execute_batch(sql).map_err(|e| {
            Error::database(format!("migration to schema version {} failed: {e}", i + 1))
        })?;
    }
    tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)?;
    tx.commit()
        .map_err(|e| locked_or(e, path, DEFAULT_BUSY_TIMEOUT))
}

fn locked_or(e: rusqlite::Error, path: &Path, timeout: Duration) -> Error {
    if is_busy(&e) {
        Error::database(format!(
            "the database {} is locked by another process (waited {:.1} s)",
            path.display(),
            timeout.as_secs_f64()
        ))
        .with_hint("retry when the other yardstick command has finished; nothing was written")
    } else {
        from_sqlite(e, path)
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Map an SQLite error on a given file to a clear exit-3 error.
pub fn from_sqlite(e: rusqlite::Error, path: &Path) -> Error {
    use rusqlite::ErrorCode as C;
    let shown = path.display();
    match e.sqlite_error_code() {
        Some(C::NotADatabase) => Error::database(format!(
            "{shown} is not a yardstick database (not an SQLite file)"
        )),
        Some(C::DatabaseCorrupt) => Error::database(format!("the database {shown} is corrupt"))
            .with_hint("restore it from a backup; yardstick did not change it"),
        Some(C::DatabaseBusy | C::DatabaseLocked) => Error::database(format!(
            "the database {shown} is locked by another process"
        ))
        .with_hint("retry when the other yardstick command has finished; nothing was written"),
        Some(C::CannotOpen | C::PermissionDenied | C::ReadOnly) => {
            Error::database(format!("cannot open the database {shown}: {e}"))
                .with_hint("check that the file exists and that you may read and write it")
        }
        Some(C::DiskFull) => Error::database(format!(
            "the disk holding {shown} is full; nothing was written"
        )),
        _ => Error::database(format!("database error on {shown}: {e}")),
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        // A guard trigger's RAISE(ABORT, message) speaks for itself.
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e {
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER {
                return Error::failed(msg.clone());
            }
        }
        match e.sqlite_error_code() {
            Some(C::ConstraintViolation) => {
                Error::failed(format!("the change conflicts with existing data: {e}"))
            }
            Some(C::DatabaseBusy | C::DatabaseLocked) => Error::database(
                "the database is locked by another process",
            )
            .with_hint("retry when the other yardstick command has finished; nothing was written"),
            Some(C::DatabaseCorrupt | C::NotADatabase) => {
                Error::database(format!("the database is corrupt: {e}"))
                    .with_hint("restore it from a backup")
            }
            _ => Error::database(format!("database error: {e}")),
        }
    }
}

/// A fresh version-4 UUID as text.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
