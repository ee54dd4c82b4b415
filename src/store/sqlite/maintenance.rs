//! Maintenance of a database file: an online backup and a health report.
//!
//! Both open the file the way reads do (its header checked first, the
//! connection `query_only`, never checkpointing the `-wal` into the file)
//! and never write to it. They read the file as it is, whatever its schema
//! version: a file from an earlier yardstick is backed up as it is and
//! reported with its own version, not upgraded.
//!
//! - [`backup`] copies the file with SQLite's online backup API, a few pages
//!   per step, inside one read transaction: in WAL mode writers carry on
//!   meanwhile, and the copy is one consistent snapshot. The copy is built in
//!   a private (0600) temporary file beside the target, checked with
//!   `PRAGMA integrity_check`, synced, and linked into place only if the
//!   target does not exist, so an existing file is never overwritten and a
//!   half-made copy is never visible.
//! - [`doctor`] gathers the file's identity, pragmas, the integrity and
//!   foreign-key checks and row counts. A check that SQLite cannot even run
//!   on a damaged file is reported as failed rather than aborting the report.

use super::schema::{APPLICATION_ID, SCHEMA_VERSION};
use super::{SqliteDb, from_sqlite, open, open_reader};
use crate::error::{Error, Result};
use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use std::path::Path;
use std::time::Duration;

/// Pages copied per backup step (4 KiB pages: about 400 KiB per step).
const PAGES_PER_STEP: std::os::raw::c_int = 100;

/// How long to wait before retrying a step that found the file busy.
const BUSY_PAUSE: Duration = Duration::from_millis(10);

/// `PRAGMA integrity_check`, collecting at most 50 problems.
const INTEGRITY_CHECK: &str = "PRAGMA integrity_check(50)";

/// What a finished backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// Pages in the copy.
    pub pages: u64,
    /// Bytes in the copy.
    pub bytes: u64,
}

/// One table and its number of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// The table's name.
    pub name: String,
    /// Its rows, or why they could not be counted.
    pub rows: std::result::Result<i64, String>,
}

/// What [`doctor`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// The file's size in bytes (main file only).
    pub size: u64,
    /// `PRAGMA user_version` of the file.
    pub schema_version: i64,
    /// The schema version this build writes.
    pub schema_expected: i64,
    /// Whether `PRAGMA application_id` says yardstick.
    pub application_id_ok: bool,
    /// `PRAGMA journal_mode` (`wal` for a file yardstick wrote).
    pub journal_mode: String,
    /// `PRAGMA synchronous` of yardstick's connections, by name.
    pub synchronous: String,
    /// `PRAGMA foreign_keys` of yardstick's connections.
    pub foreign_keys: bool,
    /// `PRAGMA secure_delete` of yardstick's connections.
    pub secure_delete: bool,
    /// `PRAGMA busy_timeout` in milliseconds.
    pub busy_timeout_ms: i64,
    /// `PRAGMA page_size`.
    pub page_size: i64,
    /// `PRAGMA page_count`.
    pub page_count: i64,
    /// `PRAGMA freelist_count`.
    pub freelist_count: i64,
    /// `sqlite_version()` of the SQLite built into yardstick.
    pub sqlite_version: String,
    /// `["ok"]`, or the problems `PRAGMA integrity_check` found (or the
    /// error that stopped it).
    pub integrity: Vec<String>,
    /// Rows reported by `PRAGMA foreign_key_check`, or the error that stopped it.
    pub foreign_key_violations: std::result::Result<i64, String>,
    /// Row counts per table, by name.
    pub tables: Vec<TableCount>,
    /// Operations in the log and how many of them are undone, or the error
    /// that stopped counting them.
    pub operations: std::result::Result<(i64, i64), String>,
}

impl Health {
    /// Whether the integrity check passed.
    pub fn integrity_ok(&self) -> bool {
        self.integrity.len() == 1 && self.integrity[0] == "ok"
    }

    /// What is wrong, one line per problem (empty when healthy).
    pub fn problems(&self) -> Vec<String> {
        let health = self;
        let mut problems = Vec::new();
        if !health.integrity_ok() {
            let shown: Vec<&str> = health
                .integrity
                .iter()
                .take(3)
                .map(String::as_str)
                .collect();
            let more = match health.integrity.len().saturating_sub(shown.len()) {
                0 => String::new(),
                n => format!(" (and {n} more problem(s) in the report)"),
            };
            problems.push(format!("integrity check: {}{more}", shown.join("; ")));
        }
        match &health.foreign_key_violations {
            Ok(0) => {}
            Ok(n) => problems.push(format!("{n} foreign-key violation(s)")),
            Err(e) => problems.push(format!("foreign-key check failed: {e}")),
        }
        if !health.application_id_ok {
            problems.push("not a yardstick application id".into());
        }
        for t in &health.tables {
            if let Err(e) = &t.rows {
                problems.push(format!("table {} cannot be read: {e}", t.name));
            }
        }
        if let Err(e) = &health.operations {
            problems.push(format!("the operation log cannot be read: {e}"));
        }
        problems
    }

    /// Whether every check passed and every table could be read.
    pub fn healthy(&self) -> bool {
        self.integrity_ok()
            && self.application_id_ok
            && matches!(self.foreign_key_violations, Ok(0))
            && self.tables.iter().all(|t| t.rows.is_ok())
            && self.operations.is_ok()
    }
}

/// Open an existing yardstick file for reading as it is: the header checked
/// before SQLite touches it, then its identity, the connection opened as
/// every read is ([`open_reader`]). Errors are exit 3, like every command's.
fn open_existing(path: &Path, busy_timeout: Duration) -> Result<SqliteDb> {
    if !path.exists() {
        return Err(super::missing_file(path).into());
    }
    open::check_header(path)?;
    let db = open_reader(path, busy_timeout)?;
    super::verify_identity(&db.conn, path)?;
    Ok(db)
}

/// Copy the database at `source` to the new file `target` (0600), online and
/// consistent; `progress(done, total)` is called with pages after each step.
/// `target` must not exist: an existing file is never overwritten (exit 1).
pub fn backup(
    source: &Path,
    target: &Path,
    busy_timeout: Duration,
    mut progress: impl FnMut(u64, u64),
) -> Result<BackupInfo> {
    let shown = target.display();
    if target.symlink_metadata().is_ok() {
        return Err(Error::failed(format!(
            "{shown} already exists; a backup never overwrites a file"
        ))
        .with_hint("choose a new file name, or remove the old file first"));
    }
    let src = open_existing(source, busy_timeout)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::failed(format!(
            "cannot write {shown}: directory {} does not exist",
            dir.display()
        ))
        .with_hint("create the directory first or choose another path"));
    }
    let temp = crate::tempfiles::create_in(dir, crate::tempfiles::Kind::Backup).map_err(|e| {
        Error::failed(format!(
            "cannot create a temporary file in {}: {e}",
            dir.display()
        ))
    })?;
    let info = copy_into(&src.conn, source, temp.path(), &mut progress)?;
    drop(src);
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::failed(format!("cannot write {shown}: {e}")))?;
    match temp.persist_noclobber(target) {
        Ok(_) => {}
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::failed(format!(
                "{shown} already exists; a backup never overwrites a file"
            ))
            .with_hint("choose a new file name, or remove the old file first"));
        }
        Err(e) => {
            return Err(Error::failed(format!("cannot write {shown}: {}", e.error)));
        }
    }
    sync_dir(dir);
    Ok(info)
}

/// Copy `src` into the (empty) file at `dest` page by page within one read
/// transaction, then check the copy's integrity.
fn copy_into(
    src: &Connection,
    source: &Path,
    dest: &Path,
    progress: &mut impl FnMut(u64, u64),
) -> Result<BackupInfo> {
    let mut dst = Connection::open(dest).map_err(|e| from_sqlite(e, dest))?;
    // The copy is thrown away unless it completes, so it needs no journal.
    dst.pragma_update(None, "journal_mode", "OFF")
        .map_err(|e| from_sqlite(e, dest))?;
    dst.pragma_update(None, "synchronous", "OFF")
        .map_err(|e| from_sqlite(e, dest))?;
    // One read transaction on the source for the whole copy: in WAL mode it
    // pins one snapshot (so other processes' commits neither block the copy
    // nor restart it) and blocks no writer.
    src.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM main.sqlite_schema;")
        .map_err(|e| from_sqlite(e, source))?;
    let copied = step_all(src, &mut dst, source, progress);
    let ended = src.execute_batch("COMMIT");
    let pages = copied?;
    ended.map_err(|e| from_sqlite(e, source))?;
    let problems = integrity(&dst).map_err(|e| from_sqlite(e, dest))?;
    if problems.len() != 1 || problems[0] != "ok" {
        return Err(Error::database(format!(
            "the copy of {} failed its integrity check: {}",
            source.display(),
            problems.join("; ")
        ))
        .with_hint(
            "run `yardstick doctor` on the database; nothing was written at the backup's path",
        ));
    }
    dst.close().map_err(|(_, e)| from_sqlite(e, dest))?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupInfo { pages, bytes })
}

fn step_all(
    src: &Connection,
    dst: &mut Connection,
    source: &Path,
    progress: &mut impl FnMut(u64, u64),
) -> Result<u64> {
    let backup = Backup::new(src, dst).map_err(|e| from_sqlite(e, source))?;
    let mut waited = Duration::ZERO;
    loop {
        let step = backup
            .step(PAGES_PER_STEP)
            .map_err(|e| from_sqlite(e, source))?;
        let p = backup.progress();
        let total = u64::try_from(p.pagecount).unwrap_or(0);
        let done = total.saturating_sub(u64::try_from(p.remaining).unwrap_or(0));
        progress(done, total);
        match step {
            StepResult::Done => return Ok(total),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked => {
                if waited >= Duration::from_secs(30) {
                    return Err(Error::database(format!(
                        "the database {} stayed locked; the backup gave up",
                        source.display()
                    ))
                    .with_hint("retry when the other yardstick command has finished"));
                }
                std::thread::sleep(BUSY_PAUSE);
                waited += BUSY_PAUSE;
            }
            _ => {}
        }
    }
}

/// Make the new directory entry durable (best effort).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// `PRAGMA integrity_check`: `["ok"]` or the problems found.
fn integrity(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(INTEGRITY_CHECK)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut problems = Vec::new();
    for row in rows {
        // One row may hold several lines, headed by "*** in database main ***".
        problems.extend(
            row?.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("***"))
                .map(str::to_string),
        );
    }
    if problems.is_empty() {
        problems.push("ok".into());
    }
    Ok(problems)
}

/// Report on the health of the database at `path` without writing to it.
/// A file that is not a yardstick database at all is an error (exit 3);
/// a damaged one gives a report whose [`Health::healthy`] is false.
pub fn doctor(path: &Path, busy_timeout: Duration) -> Result<Health> {
    let db = open_existing(path, busy_timeout)?;
    let conn = &db.conn;
    let err = |e: rusqlite::Error| crate::Error::from(from_sqlite(e, path));
    let int = |name: &str| -> Result<i64> {
        conn.pragma_query_value(None, name, |r| r.get::<_, i64>(0))
            .map_err(err)
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let app: i64 = int("application_id")?;
    let schema_version = int("user_version")?;
    let journal_mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .map_err(err)?;
    let synchronous = match int("synchronous")? {
        0 => "OFF".to_string(),
        1 => "NORMAL".to_string(),
        2 => "FULL".to_string(),
        3 => "EXTRA".to_string(),
        n => n.to_string(),
    };
    let foreign_keys = int("foreign_keys")? != 0;
    let secure_delete = int("secure_delete")? != 0;
    let busy_timeout_ms = int("busy_timeout")?;
    let page_size = int("page_size")?;
    let page_count = int("page_count")?;
    let freelist_count = int("freelist_count")?;
    let sqlite_version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .map_err(err)?;
    let integrity = integrity(conn).unwrap_or_else(|e| vec![e.to_string()]);
    let foreign_key_violations = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(|e| e.to_string());
    let tables = table_counts(conn);
    let operations = conn
        .query_row("SELECT count(*), count(undone_at) FROM main.op", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(|e| e.to_string());
    Ok(Health {
        size,
        schema_version,
        schema_expected: SCHEMA_VERSION,
        application_id_ok: app == i64::from(APPLICATION_ID),
        journal_mode,
        synchronous,
        foreign_keys,
        secure_delete,
        busy_timeout_ms,
        page_size,
        page_count,
        freelist_count,
        sqlite_version,
        integrity,
        foreign_key_violations,
        tables,
        operations,
    })
}

/// Rows in every table of the file's schema. A table that cannot be read is
/// listed with the error.
fn table_counts(conn: &Connection) -> Vec<TableCount> {
    let names: rusqlite::Result<Vec<String>> = conn
        .prepare(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        });
    let names = match names {
        Ok(n) => n,
        Err(e) => {
            return vec![TableCount {
                name: "sqlite_schema".into(),
                rows: Err(e.to_string()),
            }];
        }
    };
    names
        .into_iter()
        .map(|name| {
            // A table name cannot be a parameter; this one comes from the
            // file's own schema and is quoted as an identifier.
            let sql = format!(
                "SELECT count(*) FROM main.\"{}\"",
                name.replace('"', "\"\"")
            );
            let rows = conn
                .query_row(&sql, [], |r| r.get(0))
                .map_err(|e| e.to_string());
            TableCount { name, rows }
        })
        .collect()
}
