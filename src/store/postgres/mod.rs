//! The PostgreSQL backend (the team server): the storage interface over a
//! PostgreSQL database, with the SQLite backend's semantics (the
//! conformance suite is the contract).
//!
//! - Connecting ([`connect`]): a `postgres://` URL completed from the
//!   libpq environment, TLS through rustls.
//! - The schema ([`schema`]): the SQLite file's tables and representation,
//!   migrations keyed by `yardstick_schema` under an advisory lock, a
//!   database holding other applications' tables refused.
//! - Writes ([`write`]): one transaction each, writers taking turns on one
//!   locked row (as SQLite writers take turns on the file), the operation
//!   logged with every row's before-image by plpgsql triggers, field
//!   revisions and tombstones kept from that log; a write that changes
//!   nothing rolls back and is not logged.
//! - Undo ([`oplog`]): the before-images put back, newest first, with the
//!   foreign keys deferred; refused when a later operation touched the same
//!   rows or the cycle is finalized (the guard triggers).
//! - The repositories: one module per aggregate, written against the small
//!   layer in [`conn`] (`?N` parameters, SQLite-like dynamic values).
//!
//! Every PostgreSQL error is classified once, in [`classify`].

mod appraise;
mod checkins;
pub mod conn;
pub mod connect;
mod exchange;
mod feedback;
mod followup;
mod oplog;
mod org;
mod plan;
mod revisions;
mod rows;
pub mod schema;
pub mod server;
mod stats;
mod trust_sql;
mod write;

use super::{Backend, Missing, OpMeta, Session, StoreError, StoreResult};
use crate::error::Result;
use conn::{Conn, Sql, params};
use std::path::Path;
use std::time::Duration;

/// The SQLSTATE of yardstick's guard triggers (a finalized cycle, a
/// frozen appraisal record).
pub const GUARD_SQLSTATE: &str = "YS001";

/// Classify a PostgreSQL error into a [`StoreError`].
pub fn classify(e: postgres::Error) -> StoreError {
    let Some(db) = e.as_db_error() else {
        if e.is_closed() {
            return StoreError::Unavailable {
                message: "the connection to the PostgreSQL server was lost".into(),
                hint: Some(
                    "nothing was written; check the server and run the command again".into(),
                ),
                source: Some(Box::new(e)),
            };
        }
        return StoreError::Internal {
            message: format!("database statement failed: {e}"),
            source: Some(Box::new(e)),
        };
    };
    let code = db.code().code();
    let message = db.message().to_string();
    if code == GUARD_SQLSTATE {
        return StoreError::Refused { message };
    }
    match code {
        "23505" => {
            // "Key (a, b)=(…) already exists.": the columns, never the values.
            let columns: Vec<String> = db
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split_once(")=").map(|(c, _)| c))
                .map(|c| c.split(", ").map(str::to_string).collect())
                .unwrap_or_default();
            let table = db.table().unwrap_or_default();
            let detail = format!(
                "UNIQUE constraint failed: {}",
                columns
                    .iter()
                    .map(|c| format!("{table}.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            StoreError::Clash { columns, detail }
        }
        "23503" => StoreError::Conflict {
            detail: "FOREIGN KEY constraint failed".into(),
        },
        "23502" | "23514" | "23P01" => StoreError::Conflict { detail: message },
        "40001" | "40P01" => StoreError::Conflict {
            detail: "another command changed the same records at the same time; nothing was written, run the command again".into(),
        },
        "55P03" => StoreError::Locked {
            message: "the database is locked by another yardstick command".into(),
        },
        "42501" => StoreError::Refused {
            message: format!("the server refused: {message}"),
        },
        c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57") || c.starts_with("58") || c == "25006" => {
            StoreError::Unavailable {
                message: format!("database error: {message}"),
                hint: None,
                source: Some(Box::new(e)),
            }
        }
        _ => StoreError::Internal {
            message: format!("database statement failed: {message}"),
            source: Some(Box::new(e)),
        },
    }
}

/// An open PostgreSQL database.
pub struct PgDb {
    conn: Conn,
    busy_timeout: Duration,
}

/// A session over the connection: a read, or (with its write state) a
/// write inside the backend's transaction.
pub struct PgSession<'c> {
    conn: &'c Conn,
    write: Option<write::WriteState>,
}

/// What the database holds, before anything is changed.
struct Found {
    /// The schema version, if yardstick's version table is there.
    version: Option<i64>,
    /// Tables in the schema that are not yardstick's.
    foreign: Vec<String>,
}

fn inspect(conn: &Conn) -> StoreResult<Found> {
    let tables: Vec<String> = conn
        .query_map(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY 1",
            params![],
            |r| r.get(0),
        )
        .sql()?;
    let has_version = tables.iter().any(|t| t == schema::VERSION_TABLE);
    let foreign: Vec<String> = tables
        .into_iter()
        .filter(|t| {
            t != schema::VERSION_TABLE
                && !schema::TABLES.contains(&t.as_str())
                && !schema::VIEWS.contains(&t.as_str())
        })
        .collect();
    let version = if has_version {
        conn.query_row(
            "SELECT max(version)::bigint FROM yardstick_schema",
            params![],
            |r| r.get::<_, Option<i64>>(0),
        )
        .sql()?
    } else {
        None
    };
    Ok(Found { version, foreign })
}

/// Whether yardstick's version table exists in the schema although the
/// login cannot see it (no privileges: a login not granted the member group).
fn hidden_schema(conn: &Conn) -> StoreResult<bool> {
    conn.query_row(
            "SELECT to_regclass(quote_ident(current_schema()) || '.yardstick_schema') IS NOT NULL \
             AND NOT has_table_privilege(to_regclass(quote_ident(current_schema()) || '.yardstick_schema'), 'SELECT')",
            params![],
            |r| r.get(0),
        )
        .sql()
}

fn foreign_tables(shown: &str, foreign: &[String]) -> StoreError {
    let mut list: Vec<&str> = foreign.iter().map(String::as_str).take(5).collect();
    if foreign.len() > 5 {
        list.push("…");
    }
    StoreError::unavailable(format!(
        "the database {shown} holds tables of another application ({}), not a yardstick database",
        list.join(", ")
    ))
    .with_hint(
        "give yardstick a database (or a schema, via search_path) of its own; nothing was changed",
    )
}

fn newer(shown: &str, version: i64) -> StoreError {
    StoreError::unavailable(format!(
        "the database {shown} has schema version {version}, newer than this yardstick understands ({})",
        schema::SCHEMA_VERSION
    ))
    .with_hint("upgrade yardstick; nothing was changed")
}

fn not_initialised(shown: &str) -> StoreError {
    StoreError::unavailable(format!("the database {shown} has no yardstick schema"))
        .with_hint("create it with `yardstick init --db URL` (the database must exist: createdb)")
}

impl PgDb {
    /// Connect to `url` and check (for a write, create or upgrade) its schema.
    pub fn open(url: &str, write: bool, missing: Missing, busy_timeout: Duration) -> Result<PgDb> {
        let target = connect::resolve(url)?;
        let client = connect::connect(&target)?;
        let db = PgDb {
            conn: Conn::new(client),
            busy_timeout,
        };
        let shown = target.shown;
        let found = inspect(&db.conn)?;
        if !found.foreign.is_empty() {
            return Err(foreign_tables(&shown, &found.foreign).into());
        }
        if found.version.is_none() && hidden_schema(&db.conn)? {
            // yardstick's tables are there, but this login may not use them.
            let role: String = db
                .conn
                .query_row("SELECT session_user::text", params![], |r| r.get(0))
                .sql()?;
            return Err(server::unmapped(&role).with_hint(format!(
                "this login has no access to the team server {shown}; an admin maps it: yardstick server grant HANDLE --role {role}"
            )));
        }
        match found.version {
            Some(v) if v > schema::SCHEMA_VERSION => Err(newer(&shown, v).into()),
            Some(v) if v == schema::SCHEMA_VERSION => Ok(db),
            Some(_) if write => {
                db.migrate(&shown)?;
                Ok(db)
            }
            Some(v) => Err(StoreError::unavailable(format!(
                "the database {shown} has schema version {v}; this yardstick uses {}",
                schema::SCHEMA_VERSION
            ))
            .with_hint("run any write command (or `yardstick init --db URL`) to upgrade it")
            .into()),
            None if write && missing == Missing::Create => {
                db.migrate(&shown)?;
                Ok(db)
            }
            None => Err(not_initialised(&shown).into()),
        }
    }

    /// Apply pending migrations in one transaction under the advisory
    /// lock, re-reading the version (and the tables) inside it.
    fn migrate(&self, shown: &str) -> Result<()> {
        self.conn.begin("BEGIN").sql()?;
        let result = self.migrate_locked(shown);
        match result {
            Ok(()) => self.conn.finish(true).sql()?,
            Err(e) => {
                let _ = self.conn.finish(false);
                return Err(e);
            }
        }
        self.conn.clear_cache();
        Ok(())
    }

    fn migrate_locked(&self, shown: &str) -> Result<()> {
        self.conn
            .execute(
                "SELECT pg_advisory_xact_lock(?1)",
                params![schema::MIGRATION_LOCK],
            )
            .sql()?;
        let found = inspect(&self.conn)?;
        if !found.foreign.is_empty() {
            return Err(foreign_tables(shown, &found.foreign).into());
        }
        let current = found.version.unwrap_or(0);
        if current > schema::SCHEMA_VERSION {
            return Err(newer(shown, current).into());
        }
        self.conn.batch(schema::VERSION_DDL).sql()?;
        for m in schema::MIGRATIONS.iter().filter(|m| m.version > current) {
            self.conn.batch(m.sql).map_err(|e| {
                StoreError::unavailable(format!(
                    "migration to schema version {} failed: {}",
                    m.version,
                    StoreError::from(e)
                ))
            })?;
            self.conn
                .execute_plain(
                    "INSERT INTO yardstick_schema(version) VALUES (?1::integer)",
                    params![m.version],
                )
                .sql()?;
        }
        Ok(())
    }
}

impl Backend for PgDb {
    fn read(&self) -> Box<dyn Session + '_> {
        Box::new(PgSession {
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
        write::write(&self.conn, self.busy_timeout, meta, scope, f)
    }

    fn rehearse(&self, f: &mut dyn FnMut(&mut dyn Session) -> Result<()>) -> Result<()> {
        write::rehearse(&self.conn, f)
    }

    fn undo(&mut self, op_id: i64, at: &str) -> Result<()> {
        write::in_transaction(&self.conn, self.busy_timeout, |conn| {
            oplog::undo(conn, op_id, at)
        })
    }

    fn path(&self) -> Option<&Path> {
        None
    }

    fn server_identity(&self) -> Result<Option<server::Identity>> {
        self.identity().map(Some)
    }
}

/// Whether the database has a yardstick schema already (for `init`'s message).
pub fn initialised(url: &str) -> Result<bool> {
    let target = connect::resolve(url)?;
    let client = connect::connect(&target)?;
    let conn = Conn::new(client);
    Ok(inspect(&conn)?.version.is_some())
}

/// The setting naming the latest operation that cannot be undone.
const FLOOR_KEY: &str = "undo_floor";

fn floor(conn: &Conn) -> StoreResult<i64> {
    Ok(org::setting(conn, FLOOR_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}
