//! Writes: one logged operation in one transaction. Writers take turns on
//! the one row of `yardstick_lock` (`SELECT … FOR UPDATE`, waiting at most
//! the busy timeout), which gives every read-modify-write the isolation
//! SQLite's `BEGIN IMMEDIATE` gives it, so no write can fail on a
//! serialization conflict; readers are never blocked. The operation's id
//! is set in the transaction-local `yardstick.op`, which the undo triggers
//! read to log every changed row's before-image.

use super::conn::{Conn, Sql, params};
use super::{PgSession, oplog, revisions};
use crate::error::Result;
use crate::store::oplog::Audience;
use crate::store::{OpMeta, Session, StoreError, StoreResult, WriteScope};
use std::collections::HashSet;
use std::time::Duration;

/// How many times a transaction that lost a serialization conflict or a
/// deadlock is tried again (only where the work can be run again: undo).
const RETRIES: usize = 3;

/// Begin a write transaction and take the writers' lock.
fn begin(conn: &Conn, busy_timeout: Duration) -> StoreResult<()> {
    conn.begin("BEGIN ISOLATION LEVEL READ COMMITTED").sql()?;
    let ms = busy_timeout.as_millis().max(1).to_string() + "ms";
    let locked = conn
        .execute("SELECT set_config('lock_timeout', ?1, true)", params![ms])
        .and_then(|_| {
            conn.query_row(
                "SELECT id FROM yardstick_lock WHERE id = 1 FOR UPDATE",
                params![],
                |r| r.get::<_, i64>(0),
            )
        })
        .sql();
    match locked {
        Ok(_) => {
            conn.set_guarded(true);
            Ok(())
        }
        Err(e) => {
            let _ = conn.finish(false);
            Err(match e {
                StoreError::Locked { .. } => StoreError::Locked {
                    message: format!(
                        "the database is busy with another yardstick write (waited {:.1} s)",
                        busy_timeout.as_secs_f64()
                    ),
                },
                e => e,
            })
        }
    }
}

fn end(conn: &Conn, commit: bool) -> StoreResult<()> {
    conn.set_guarded(false);
    conn.finish(commit).sql()
}

/// Whether an error is a lost serialization conflict or deadlock.
fn retriable(e: &crate::Error) -> bool {
    matches!(
        e.store_error(),
        Some(StoreError::Conflict { detail }) if detail.starts_with("another command changed")
    )
}

/// Run `f` in a write transaction that logs nothing (undo), committing on
/// success; a lost serialization conflict is tried again a few times.
pub(super) fn in_transaction(
    conn: &Conn,
    busy_timeout: Duration,
    mut f: impl FnMut(&Conn) -> Result<()>,
) -> Result<()> {
    let mut tries = 0;
    loop {
        tries += 1;
        begin(conn, busy_timeout)?;
        let result = f(conn).and_then(|()| end(conn, true).map_err(Into::into));
        match result {
            Ok(()) => return Ok(()),
            Err(e) => {
                let _ = end(conn, false);
                if tries <= RETRIES && retriable(&e) {
                    continue;
                }
                return Err(e);
            }
        }
    }
}

/// Run `f` as one logged operation in one transaction. If `f` fails,
/// nothing is written. If it changes nothing, the transaction is rolled
/// back and no operation is logged.
pub(super) fn write(
    conn: &Conn,
    busy_timeout: Duration,
    meta: &OpMeta,
    scope: WriteScope,
    f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
) -> Result<bool> {
    begin(conn, busy_timeout)?;
    match write_logged(conn, meta, scope, f) {
        Ok(true) => {
            end(conn, true)?;
            Ok(true)
        }
        Ok(false) => {
            end(conn, false)?;
            Ok(false)
        }
        Err(e) => {
            let _ = end(conn, false);
            Err(e)
        }
    }
}

fn write_logged(
    conn: &Conn,
    meta: &OpMeta,
    scope: WriteScope,
    f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
) -> Result<bool> {
    let op_id = oplog::begin_op(conn, meta)?;
    let mut session = PgSession {
        conn,
        write: Some(WriteState {
            op_id,
            summary: String::new(),
            audience: None,
            irreversible: false,
            changed: false,
            bulk: false,
            given: HashSet::new(),
        }),
    };
    f(&mut session)?;
    let state = session
        .write
        .take()
        .ok_or_else(|| StoreError::internal("a write session lost its state"))?;
    if !state.bulk {
        let unrecorded = oplog::strays(conn, op_id, scope)?;
        if !unrecorded.is_empty() {
            return Err(StoreError::internal(format!(
                "`{}` changed {} without keeping undo history for it; nothing was written",
                meta.command,
                unrecorded.join(", ")
            ))
            .into());
        }
        if scope != WriteScope::Inserts {
            revisions::record(conn, op_id, &meta.at, &meta.actor, &state.given)?;
        }
    }
    let changed = oplog::finish_op(
        conn,
        op_id,
        &state.summary,
        state.audience.as_ref(),
        state.irreversible,
    )? || state.changed;
    oplog::stop_logging(conn)?;
    Ok(changed)
}

/// Run `f` in a transaction that is always rolled back (a dry run). It
/// takes no writers' lock and logs nothing.
pub(super) fn rehearse(
    conn: &Conn,
    f: &mut dyn FnMut(&mut dyn Session) -> Result<()>,
) -> Result<()> {
    conn.begin("BEGIN ISOLATION LEVEL READ COMMITTED").sql()?;
    conn.set_guarded(true);
    let mut session = PgSession {
        conn,
        write: Some(WriteState::rehearsal()),
    };
    let result = f(&mut session);
    end(conn, false)?;
    result
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
            given: HashSet::new(),
        }
    }
}

impl PgSession<'_> {
    fn state(&mut self) -> StoreResult<&mut WriteState> {
        self.write
            .as_mut()
            .ok_or_else(|| StoreError::internal("a write was attempted in a read session"))
    }
}

impl Session for PgSession<'_> {
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
        let op_id = state.op_id;
        state.changed = true;
        state.bulk = true;
        oplog::stop_logging(conn)?;
        // A bulk load runs without a savepoint per statement.
        conn.set_guarded(false);
        oplog::set_floor(conn, op_id)?;
        Ok(())
    }
}
