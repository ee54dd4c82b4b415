//! The SQLite backend: everything that knows SQLite. Opening (pragmas,
//! identity checks), migrations, one module per aggregate implementing its
//! repository for [`SqliteSession`], the operation log and undo.
//!
//! Rules kept here:
//! - every pragma is set explicitly on open;
//! - a write is one `BEGIN IMMEDIATE` transaction, logged as one operation;
//! - reads never write: a read connection is `query_only` and never copies
//!   the `-wal` into the file (see [`open_reader`]), and an out-of-date file
//!   is read through an upgraded in-memory copy instead of being migrated;
//! - files are created 0600 and never half-made (see [`open`]);
//! - every SQLite error is classified once, into a [`StoreError`].

mod appraise;
mod checkins;
mod exchange;
mod feedback;
mod followup;
pub mod maintenance;
pub mod open;
mod oplog;
mod org;
mod plan;
mod revisions;
mod rows;
pub mod schema;
mod stats;
mod write;

use super::{Backend, DEFAULT_BUSY_TIMEOUT, Missing, OpMeta, Session, StoreError, StoreResult};
use crate::error::Result;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The hot queries whose plans `tests/store.rs` checks search an index.
pub mod hot {
    pub use super::checkins::{
        HISTORY_SQL, LAST_BY_GOAL_SQL, LAST_STATUS_SQL, LATEST_SQL, RECENT_SQL,
    };
}

/// `?` for a rusqlite result in a function that returns [`Result`]: the
/// error is classified as a [`StoreError`] first.
trait Sql<T> {
    fn sql(self) -> StoreResult<T>;
}

impl<T> Sql<T> for rusqlite::Result<T> {
    fn sql(self) -> StoreResult<T> {
        self.map_err(StoreError::from)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            // A guard trigger's RAISE(ABORT, message) speaks for itself.
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER {
                return StoreError::Refused {
                    message: msg.clone().unwrap_or_else(|| "refused by a trigger".into()),
                };
            }
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            {
                let list = msg.as_deref().unwrap_or("");
                let list = list
                    .strip_prefix("UNIQUE constraint failed: ")
                    .unwrap_or(list);
                return StoreError::Clash {
                    columns: list
                        .split(", ")
                        .map(|c| c.rsplit('.').next().unwrap_or(c).to_string())
                        .collect(),
                    detail: e.to_string(),
                };
            }
        }
        match e.sqlite_error_code() {
            Some(C::ConstraintViolation) => StoreError::Conflict {
                detail: e.to_string(),
            },
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Locked {
                message: "the database is locked by another process".into(),
            },
            Some(C::DatabaseCorrupt | C::NotADatabase) => StoreError::Unavailable {
                message: format!("the database is corrupt: {e}"),
                hint: Some("restore it from a backup".into()),
                source: Some(Box::new(e)),
            },
            Some(
                C::SystemIoFailure
                | C::DiskFull
                | C::CannotOpen
                | C::PermissionDenied
                | C::ReadOnly
                | C::FileLockingProtocolFailed
                | C::NoLargeFileSupport
                | C::OutOfMemory
                | C::OperationInterrupted,
            ) => StoreError::Unavailable {
                message: format!("database error: {e}"),
                hint: None,
                source: Some(Box::new(e)),
            },
            _ => match e {
                // A stored value that cannot be read as what it should be
                // is damage to the file, not a bug.
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::InvalidColumnType(..) => StoreError::Unavailable {
                    message: format!("the database holds a value yardstick cannot read: {e}"),
                    hint: Some(
                        "run `yardstick doctor`; restore from a backup if it reports damage".into(),
                    ),
                    source: Some(Box::new(e)),
                },
                _ => StoreError::Internal {
                    message: format!("database statement failed: {e}"),
                    source: Some(Box::new(e)),
                },
            },
        }
    }
}

/// Classify an SQLite error on a given file, naming the file.
fn from_sqlite(e: rusqlite::Error, path: &Path) -> StoreError {
    use rusqlite::ErrorCode as C;
    let shown = path.display();
    let unavailable =
        |message: String, hint: Option<&str>, e: rusqlite::Error| StoreError::Unavailable {
            message,
            hint: hint.map(str::to_string),
            source: Some(Box::new(e)),
        };
    match e.sqlite_error_code() {
        Some(C::NotADatabase) => unavailable(
            format!("{shown} is not a yardstick database (not an SQLite file)"),
            None,
            e,
        ),
        Some(C::DatabaseCorrupt) => unavailable(
            format!("the database {shown} is corrupt"),
            Some("restore it from a backup; yardstick did not change it"),
            e,
        ),
        Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Locked {
            message: format!("the database {shown} is locked by another process"),
        },
        Some(C::CannotOpen | C::PermissionDenied | C::ReadOnly) => unavailable(
            format!("cannot open the database {shown}: {e}"),
            Some("check that the file exists and that you may read and write it"),
            e,
        ),
        Some(C::DiskFull) => unavailable(
            format!("the disk holding {shown} is full; nothing was written"),
            None,
            e,
        ),
        _ => unavailable(format!("database error on {shown}: {e}"), None, e),
    }
}

/// A lock not granted within the timeout, or another error on the file.
fn locked_or(e: rusqlite::Error, path: &Path, timeout: Duration) -> StoreError {
    if matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    ) {
        StoreError::Locked {
            message: format!(
                "the database {} is locked by another process (waited {:.1} s)",
                path.display(),
                timeout.as_secs_f64()
            ),
        }
    } else {
        from_sqlite(e, path)
    }
}

/// An open SQLite database.
pub struct SqliteDb {
    conn: Connection,
    path: Option<PathBuf>,
    busy_timeout: Duration,
    /// For a read: the `-wal` this connection may tidy away when it closes
    /// (see [`open_reader`]).
    tidy_wal: Option<PathBuf>,
}

impl Drop for SqliteDb {
    fn drop(&mut self) {
        before_reader_closes(&self.conn, self.tidy_wal.as_deref());
    }
}

/// Open an existing database file so that reading it never changes it.
///
/// SQLite's last connection to close a WAL database normally checkpoints:
/// it copies the `-wal` into the database file and deletes it. A read must
/// not do that, so this connection has checkpoint-on-close turned off, and
/// `query_only` on. When the file has a `-wal` holding data (a crash, a copy,
/// another process at work), it is also opened read-only: neither the file
/// nor the `-wal` can change; SQLite may create or update the `-shm` index
/// beside them, which holds no data. Otherwise it is opened as usual, and if
/// the `-wal` is still empty when the read ends (nothing to copy), the
/// checkpoint is allowed again so that SQLite removes the empty `-wal` and
/// `-shm` it made, as before (see [`before_reader_closes`]).
fn open_reader(path: &Path, busy_timeout: Duration) -> Result<SqliteDb> {
    // SQLite names the -wal after the database's real path.
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let wal = side_path(&real, "-wal");
    let wal_has_data = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    let mode = if wal_has_data {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    };
    let conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| from_sqlite(e, path))?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
        .map_err(|e| from_sqlite(e, path))?;
    // From here on, dropping `db` closes the connection the reader's way.
    let mut db = SqliteDb {
        conn,
        path: Some(path.to_path_buf()),
        busy_timeout,
        tidy_wal: (!wal_has_data).then_some(wal),
    };
    trace_sql(&mut db.conn)?;
    apply_pragmas(&db.conn, busy_timeout, false).map_err(|e| e.context(path.display()))?;
    db.conn
        .pragma_update(None, "query_only", true)
        .map_err(|e| from_sqlite(e, path))?;
    Ok(db)
}

/// Called just before a read connection closes: only if its `-wal` is empty
/// (or gone) may SQLite checkpoint on close, which then copies nothing and
/// removes the empty `-wal` and `-shm`. A `-wal` holding data is left as it
/// is, for the next write to checkpoint.
fn before_reader_closes(conn: &Connection, tidy_wal: Option<&Path>) {
    let Some(wal) = tidy_wal else {
        return;
    };
    if std::fs::metadata(wal).map_or(true, |m| m.len() == 0) {
        let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false);
    }
}

/// `path` with `suffix` appended (`-wal`, `-shm`).
fn side_path(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// A session over an SQLite connection: a read, or (with its write state)
/// a write inside the caller's transaction.
pub struct SqliteSession<'c> {
    conn: &'c Connection,
    write: Option<write::WriteState>,
}

impl SqliteDb {
    /// Open for reading. Never writes to the file, not even a migration.
    pub fn open_read(path: &Path, missing: Missing, busy_timeout: Duration) -> Result<SqliteDb> {
        if !path.exists() {
            return match missing {
                Missing::Refuse => Err(missing_file(path).into()),
                Missing::Create | Missing::Empty => {
                    let mut db = SqliteDb::open_memory()?;
                    db.path = Some(path.to_path_buf());
                    db.conn.pragma_update(None, "query_only", true).sql()?;
                    Ok(db)
                }
            };
        }
        let header = open::check_header(path)?;
        let file = open_reader(path, busy_timeout)?;
        if header.user_version >= schema::SCHEMA_VERSION {
            verify_identity(&file.conn, path)?;
            return Ok(file);
        }
        // Out of date: read an upgraded copy in memory; the file is upgraded by the next write.
        let mut mem = Connection::open_in_memory().sql()?;
        {
            let copy = rusqlite::backup::Backup::new(&file.conn, &mut mem)
                .map_err(|e| from_sqlite(e, path))?;
            // All pages in one step; busy only once the busy timeout has passed.
            match copy.step(-1).map_err(|e| from_sqlite(e, path))? {
                rusqlite::backup::StepResult::Done => {}
                _ => {
                    return Err(StoreError::Locked {
                        message: format!(
                            "the database {} is locked by another process",
                            path.display()
                        ),
                    }
                    .into());
                }
            }
        }
        drop(file);
        apply_pragmas(&mem, busy_timeout, false)?;
        migrate(&mut mem, path)?;
        mem.pragma_update(None, "query_only", true).sql()?;
        Ok(SqliteDb {
            conn: mem,
            path: Some(path.to_path_buf()),
            busy_timeout,
            tidy_wal: None,
        })
    }

    /// Open for writing: checks the file, creates it when allowed, and brings
    /// the schema up to date under an IMMEDIATE lock.
    pub fn open_write(path: &Path, missing: Missing, busy_timeout: Duration) -> Result<SqliteDb> {
        if !path.exists() {
            match missing {
                Missing::Refuse => return Err(missing_file(path).into()),
                Missing::Create | Missing::Empty => {
                    if let Some(dir) = path.parent() {
                        open::ensure_private_dir(dir)?;
                    }
                    open::create_database(path, |temp| {
                        let mut conn = Connection::open(temp).map_err(|e| from_sqlite(e, temp))?;
                        apply_pragmas(&conn, busy_timeout, true)?;
                        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
                            .sql()?;
                        migrate(&mut conn, temp)?;
                        conn.close().map_err(|(_, e)| from_sqlite(e, temp).into())
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
        Ok(SqliteDb {
            conn,
            path: Some(path.to_path_buf()),
            busy_timeout,
            tidy_wal: None,
        })
    }

    /// A private in-memory database with the current schema.
    pub fn open_memory() -> Result<SqliteDb> {
        let mut conn = Connection::open_in_memory().sql()?;
        apply_pragmas(&conn, DEFAULT_BUSY_TIMEOUT, false)?;
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .sql()?;
        migrate(&mut conn, Path::new(":memory:"))?;
        Ok(SqliteDb {
            conn,
            path: None,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            tidy_wal: None,
        })
    }
}

impl Backend for SqliteDb {
    fn read(&self) -> Box<dyn Session + '_> {
        Box::new(SqliteSession {
            conn: &self.conn,
            write: None,
        })
    }

    fn write(
        &mut self,
        meta: &OpMeta,
        scope: super::WriteScope,
        f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
    ) -> Result<bool> {
        write::write(self, meta, scope, f)
    }

    fn rehearse(&self, f: &mut dyn FnMut(&mut dyn Session) -> Result<()>) -> Result<()> {
        // A private copy in memory: the rehearsal takes no lock on the file
        // and leaves it untouched.
        let mut mem = Connection::open_in_memory().sql()?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut mem).sql()?;
            backup
                .run_to_completion(1 << 12, Duration::ZERO, None)
                .sql()?;
        }
        mem.pragma_update(None, "foreign_keys", true).sql()?;
        let tx = mem.transaction().sql()?;
        let mut session = SqliteSession {
            conn: &tx,
            write: Some(write::WriteState::rehearsal()),
        };
        f(&mut session)?;
        tx.rollback().sql()?;
        Ok(())
    }

    fn undo(&mut self, op_id: i64, at: &str) -> Result<()> {
        let path = self.path.clone().unwrap_or_default();
        let timeout = self.busy_timeout;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| locked_or(e, &path, timeout))?;
        oplog::undo(&tx, op_id, at)?;
        tx.commit().map_err(|e| locked_or(e, &path, timeout))?;
        Ok(())
    }

    fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

fn missing_file(path: &Path) -> StoreError {
    StoreError::unavailable(format!("database {} does not exist", path.display()))
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
            crate::Error::invalid(format!(
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
    )
    .sql()?;
    Ok(())
}

fn apply_pragmas(conn: &Connection, busy_timeout: Duration, write: bool) -> Result<()> {
    conn.busy_timeout(busy_timeout).sql()?;
    conn.pragma_update(None, "foreign_keys", true).sql()?;
    conn.pragma_update(None, "secure_delete", true).sql()?;
    conn.pragma_update(None, "synchronous", "NORMAL").sql()?;
    conn.pragma_update(None, "temp_store", "MEMORY").sql()?;
    conn.pragma_update(None, "trusted_schema", false).sql()?;
    // Check every b-tree page's cells as it is read: damage is reported
    // (exit 3) instead of being built upon by a write.
    conn.pragma_update(None, "cell_size_check", true).sql()?;
    if write {
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .sql()?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(StoreError::unavailable(format!(
                "cannot switch the database to WAL mode (it is in {mode} mode)"
            ))
            .into());
        }
    }
    Ok(())
}

fn verify_identity(conn: &Connection, path: &Path) -> Result<()> {
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| from_sqlite(e, path))?;
    if app != schema::APPLICATION_ID {
        return Err(StoreError::unavailable(format!(
            "{} is an SQLite database of another application, not a yardstick database",
            path.display()
        ))
        .into());
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
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .sql()?;
    if current == schema::SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| locked_or(e, path, DEFAULT_BUSY_TIMEOUT))?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .sql()?;
    if version > schema::SCHEMA_VERSION {
        return Err(open::newer_version(path, version));
    }
    for (i, sql) in schema::MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.execute_batch(sql).map_err(|e| {
            StoreError::unavailable(format!("migration to schema version {} failed: {e}", i + 1))
        })?;
    }
    tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)
        .sql()?;
    tx.commit()
        .map_err(|e| locked_or(e, path, DEFAULT_BUSY_TIMEOUT))?;
    Ok(())
}
