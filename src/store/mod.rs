//! The storage interface: what the application needs from a database, and
//! nothing of how a backend provides it.
//!
//! - A [`Session`] is one view of the data: a read, or a write transaction.
//!   It is the sum of one repository trait per aggregate ([`OrgRepo`],
//!   [`PlanRepo`], [`CheckinRepo`], [`FeedbackRepo`], [`CycleRepo`],
//!   [`FollowUpRepo`]), the
//!   raw rows of the exchange format ([`ExchangeRepo`]), the aggregate
//!   queries of reports ([`StatsRepo`]) and the operation log ([`OpLog`]).
//!   Reads take `&self`, writes `&mut self`: a read session is handed out
//!   as `&dyn Session` and cannot write.
//! - A [`Backend`] is an open database: it hands out read sessions, runs a
//!   write as one logged operation in one transaction, rehearses a write on a
//!   throwaway copy, and undoes an operation.
//! - [`Store`] wraps a backend for callers, with typed helpers over the
//!   object-safe backend methods.
//!
//! The contract every backend keeps (the conformance suite in
//! [`conformance`] checks it): a write is all or nothing; a write that
//! changes nothing is not logged; every logged write keeps the before-image
//! of each row it changes ([`OpLog::op_changes`]), and undo restores the
//! previous state exactly; reads never write.
//!
//! `sqlite/` is the one backend today: everything that knows SQLite lives
//! there. Rules about what may change live in the application layer, not
//! here: a repository stores and finds; it does not decide.

pub mod checkins;
pub mod conformance;
pub mod cycles;
mod error;
pub mod exchange;
pub mod feedback;
pub mod followup;
pub mod maintenance;
pub mod oplog;
pub mod org;
pub mod plan;
pub mod postgres;
pub mod sqlite;
pub mod stats;

pub use crate::domain::records::SCHEMA_VERSION;
pub use checkins::CheckinRepo;
pub use cycles::CycleRepo;
pub use error::{BoxError, StoreError, StoreResult};
pub use exchange::ExchangeRepo;
pub use feedback::FeedbackRepo;
pub use followup::FollowUpRepo;
pub use oplog::{Change, ChangeKind, OpEntry, OpLog, UndoPreview};
pub use org::OrgRepo;
pub use plan::PlanRepo;
pub use stats::StatsRepo;

use crate::error::Result;
use std::path::Path;
use std::time::Duration;

/// How long a command waits for another process's write lock by default.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What to do when the database does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Refuse with exit 3 (an explicit `--db` path that is not there).
    Refuse,
    /// Create it (init, and writes to the default personal database).
    Create,
    /// Read as if empty, creating nothing (reads of the default personal database).
    Empty,
}

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

/// What a write is declared to change. A backend may use the declaration
/// to keep its undo history cheaply; a write that changes anything outside
/// its declaration fails and writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteScope {
    /// Any table.
    Any,
    /// These tables only (logical table names, as in the exchange format).
    Tables(&'static [&'static str]),
    /// New rows only (a check-in, a piece of feedback): undo deletes them.
    Inserts,
}

/// One view of the data: a read, or a write inside a transaction.
pub trait Session:
    OrgRepo
    + PlanRepo
    + CheckinRepo
    + FeedbackRepo
    + CycleRepo
    + FollowUpRepo
    + ExchangeRepo
    + StatsRepo
    + OpLog
{
    /// Set the one-line summary that `log` and `undo` show for this write.
    fn set_summary(&mut self, summary: &str);

    /// Say that this write changed data even though it left nothing in the
    /// undo history (a purge erases its own before-images).
    fn mark_changed(&mut self);

    /// Say who this write is about and what anyone else may read of it:
    /// `log` shows the summary whole only to those who may see that record,
    /// and `public_summary` (no names, no values) to everyone else.
    fn set_audience(&mut self, audience: oplog::Audience, public_summary: &str);

    /// Make this operation one that undo cannot revert (a purge): undo
    /// passes over it.
    fn set_irreversible(&mut self);

    /// Load in bulk from here on: keep no before-images, which makes this
    /// operation, and every one before it, impossible to undo (`undo` stops
    /// there and says so). For `demo`, which fills a new database.
    fn bulk_load(&mut self) -> StoreResult<()>;
}

/// An open database behind the storage interface. Object-safe: callers use
/// the typed helpers of [`Store`].
pub trait Backend {
    /// A read session (never writes).
    fn read(&self) -> Box<dyn Session + '_>;

    /// Run `f` as one logged operation in one transaction; returns whether
    /// anything changed. If `f` fails nothing is written; if it changes
    /// nothing the transaction is rolled back and nothing is logged.
    fn write(
        &mut self,
        meta: &OpMeta,
        scope: WriteScope,
        f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
    ) -> Result<bool>;

    /// Run `f` in a write session whose changes are thrown away (a dry run),
    /// without taking the database's write lock.
    fn rehearse(&self, f: &mut dyn FnMut(&mut dyn Session) -> Result<()>) -> Result<()>;

    /// Revert operation `op_id`, which must be the latest one not undone.
    fn undo(&mut self, op_id: i64, at: &str) -> Result<()>;

    /// The file this database lives in, if any.
    fn path(&self) -> Option<&Path>;

    /// On a team server: who the session's login is (`None` for a file).
    fn server_identity(&self) -> Result<Option<postgres::server::Identity>> {
        Ok(None)
    }
}

/// An open database.
pub struct Store {
    backend: Box<dyn Backend>,
}

impl Store {
    /// Wrap a backend.
    pub fn new(backend: Box<dyn Backend>) -> Store {
        Store { backend }
    }

    /// Open a database file (or a PostgreSQL URL, see [`is_url`]) for
    /// reading. Never writes to it, not even a migration.
    pub fn open_read(path: &Path, missing: Missing, busy_timeout: Duration) -> Result<Store> {
        if let Some(url) = url_of(path) {
            return Ok(Store::new(Box::new(postgres::PgDb::open(
                url,
                false,
                missing,
                busy_timeout,
            )?)));
        }
        Ok(Store::new(Box::new(sqlite::SqliteDb::open_read(
            path,
            missing,
            busy_timeout,
        )?)))
    }

    /// Open a database file (or a PostgreSQL URL) for writing: checks the
    /// file, creates it (on a server: the schema) when allowed, and brings
    /// the schema up to date.
    pub fn open_write(path: &Path, missing: Missing, busy_timeout: Duration) -> Result<Store> {
        if let Some(url) = url_of(path) {
            return Ok(Store::new(Box::new(postgres::PgDb::open(
                url,
                true,
                missing,
                busy_timeout,
            )?)));
        }
        Ok(Store::new(Box::new(sqlite::SqliteDb::open_write(
            path,
            missing,
            busy_timeout,
        )?)))
    }

    /// A private in-memory database with the current schema (tests, empty reads).
    pub fn open_memory() -> Result<Store> {
        Ok(Store::new(Box::new(sqlite::SqliteDb::open_memory()?)))
    }

    /// A read session.
    pub fn read(&self) -> Box<dyn Session + '_> {
        self.backend.read()
    }

    /// Run `f` as one logged operation (see [`Backend::write`]).
    pub fn write<T>(
        &mut self,
        meta: &OpMeta,
        scope: WriteScope,
        f: impl FnOnce(&mut dyn Session) -> Result<T>,
    ) -> Result<Written<T>> {
        let mut f = Some(f);
        let mut value = None;
        let changed = self.backend.write(meta, scope, &mut |s| {
            let f = f
                .take()
                .ok_or_else(|| crate::Error::internal("a write ran twice"))?;
            value = Some(f(s)?);
            Ok(())
        })?;
        let value = value.ok_or_else(|| crate::Error::internal("a write did not run"))?;
        Ok(Written { value, changed })
    }

    /// Run `f` in a write session whose changes are thrown away.
    pub fn rehearse<T>(&self, f: impl FnOnce(&mut dyn Session) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut value = None;
        self.backend.rehearse(&mut |s| {
            let f = f
                .take()
                .ok_or_else(|| crate::Error::internal("a rehearsal ran twice"))?;
            value = Some(f(s)?);
            Ok(())
        })?;
        value.ok_or_else(|| crate::Error::internal("a rehearsal did not run"))
    }

    /// Revert operation `op_id` (which must be the latest not undone).
    pub fn undo(&mut self, op_id: i64, at: &str) -> Result<()> {
        self.backend.undo(op_id, at)
    }

    /// The file this database lives in, if any.
    pub fn path(&self) -> Option<&Path> {
        self.backend.path()
    }

    /// On a team server: who the session's login is (`None` for a file).
    pub fn server_identity(&self) -> Result<Option<postgres::server::Identity>> {
        self.backend.server_identity()
    }
}

/// Check that an existing file is a yardstick database this build can
/// open (exit 3 otherwise), without opening it.
pub fn check_file(path: &Path) -> Result<()> {
    sqlite::open::check_header(path).map(|_| ())
}

/// Whether `--db` names a PostgreSQL server (`postgres://` or
/// `postgresql://`) rather than a file.
pub fn is_url(db: &Path) -> bool {
    url_of(db).is_some()
}

fn url_of(db: &Path) -> Option<&str> {
    db.to_str().filter(|s| postgres::connect::is_url(s))
}

/// Whether the server `--db` names holds a yardstick schema already
/// (false for a file: ask the file system).
pub fn server_initialised(db: &Path) -> Result<bool> {
    match url_of(db) {
        Some(url) => postgres::initialised(url),
        None => Ok(false),
    }
}

/// `--db` as it may be shown: a URL without its password.
pub fn shown(db: &Path) -> String {
    match url_of(db) {
        Some(url) => postgres::connect::redact(url),
        None => db.display().to_string(),
    }
}

/// A fresh version-4 UUID as text.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
