//! The team server's logins: who is acting (the person mapped to the
//! session's login), and what `server init`, `grant`, `revoke`, `status`
//! and `doctor` do to the group roles, the grants and the mapping.
//!
//! Role names reach SQL only as bound parameters or, where SQL needs an
//! identifier (`CREATE ROLE`, `GRANT … TO`), validated by [`role_name`]
//! and quoted by [`quote_ident`].

use super::conn::{Conn, OptionalExtension, Sql, params};
use super::{PgDb, schema};
use crate::error::{Error, Result};
use crate::store::StoreError;

/// The group role every mapped login is granted: the privileges on
/// yardstick's tables (row-level security decides which rows).
pub const MEMBER_ROLE: &str = "yardstick_member";
/// The group role admin logins are granted besides (a member of
/// `yardstick_member`; may change the login mapping).
pub const ADMIN_ROLE: &str = "yardstick_admin";

/// Who the session's login is on this database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No login is mapped yet (`server init` has not run): the database is
    /// used like a file, with `--as` and `me`.
    Unsecured,
    /// The login maps to this person.
    Person {
        /// The login (PostgreSQL role).
        role: String,
        /// The person's handle.
        handle: String,
        /// Whether the login is an admin.
        admin: bool,
    },
    /// The login maps to no one.
    Unmapped {
        /// The login (PostgreSQL role).
        role: String,
    },
}

/// One mapped login.
#[derive(Debug, Clone)]
pub struct Login {
    /// The PostgreSQL role.
    pub role: String,
    /// The person's handle.
    pub handle: String,
    /// The person's name.
    pub name: String,
    /// Whether the login is an admin.
    pub admin: bool,
    /// Whether the role exists on the server and can log in.
    pub can_login: bool,
    /// When it was granted, and by whom.
    pub granted_at: String,
    /// The login that granted it.
    pub granted_by: String,
}

/// What `server status` and `doctor` report.
#[derive(Debug, Clone)]
pub struct Status {
    /// The schema version found.
    pub version: i64,
    /// The version this yardstick writes.
    pub expected_version: i64,
    /// Each table: (name, RLS enabled, RLS forced, policies).
    pub tables: Vec<(String, bool, bool, Vec<String>)>,
    /// The group roles that exist.
    pub roles: Vec<(String, bool)>,
    /// Tables and views the member group lacks a privilege on.
    pub missing_grants: Vec<String>,
    /// The mapped logins.
    pub logins: Vec<Login>,
    /// The session's login.
    pub session_role: String,
}

impl Status {
    /// What is wrong, one line each (empty when the server is as yardstick set it up).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.version != self.expected_version {
            out.push(format!(
                "schema version {} (this yardstick uses {})",
                self.version, self.expected_version
            ));
        }
        for (t, enabled, forced, policies) in &self.tables {
            if !enabled {
                out.push(format!("row-level security is off on table {t}"));
            } else if !forced {
                out.push(format!("row-level security is not forced on table {t}"));
            }
            if !policies.iter().any(|p| p == "admin_all") {
                out.push(format!("table {t} has no admin_all policy"));
            }
        }
        for t in schema::TABLES {
            if !self.tables.iter().any(|(n, ..)| n == t) {
                out.push(format!("table {t} is missing"));
            }
        }
        for (r, exists) in &self.roles {
            if !exists {
                out.push(format!(
                    "group role {r} does not exist (run `yardstick server init`)"
                ));
            }
        }
        for g in &self.missing_grants {
            out.push(format!(
                "{MEMBER_ROLE} lacks {g} (run `yardstick server init` again)"
            ));
        }
        if !self.logins.iter().any(|l| l.admin) {
            out.push("no login is mapped as an admin".to_string());
        }
        for l in &self.logins {
            if !l.can_login {
                out.push(format!(
                    "login {} (person {}) does not exist on the server or cannot log in",
                    l.role, l.handle
                ));
            }
        }
        out
    }
}

/// Whether `name` may be a login's role name: 1–63 bytes, a lowercase
/// letter or `_` first, then lowercase letters, digits, `_`, `.`, `-`; not
/// `pg_…` (reserved) nor one of yardstick's group roles.
pub fn role_name(name: &str) -> Result<&str> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if !first_ok || !rest_ok || name.len() > 63 {
        return Err(Error::invalid(format!("'{name}' is not a valid login name"))
            .with_hint("a login name is 1–63 characters: a lowercase letter or _ first, then lowercase letters, digits, _ . -"));
    }
    if name.starts_with("pg_") || name == MEMBER_ROLE || name == ADMIN_ROLE || name == "public" {
        return Err(Error::invalid(format!(
            "'{name}' is reserved and cannot be a person's login"
        )));
    }
    Ok(name)
}

/// An SQL identifier, double-quoted with its quotes doubled.
pub fn quote_ident(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Who the session's login is.
pub fn identity(conn: &Conn) -> Result<Identity> {
    let any: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM login)", params![], |r| {
            r.get(0)
        })
        .sql()?;
    let role: String = conn
        .query_row("SELECT session_user::text", params![], |r| r.get(0))
        .sql()?;
    if !any {
        return Ok(Identity::Unsecured);
    }
    let found: Option<(String, bool)> = conn
        .query_row(
            "SELECT p.handle, l.admin FROM login l JOIN person p ON p.id = l.person_id \
             WHERE l.role_name = ?1",
            params![role.clone()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .sql()?;
    Ok(match found {
        Some((handle, admin)) => Identity::Person {
            role,
            handle,
            admin,
        },
        None => Identity::Unmapped { role },
    })
}

impl PgDb {
    /// Who the session's login is.
    pub fn identity(&self) -> Result<Identity> {
        identity(&self.conn)
    }

    /// Create the group roles if needed, grant them what yardstick's
    /// tables need, and map the session's login to `handle` as an admin.
    pub fn secure(&self, handle: &str, now: &str) -> Result<()> {
        self.in_tx(|conn| {
            let can: bool = conn
                .query_row(
                    "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user",
                    params![],
                    |r| r.get(0),
                )
                .sql()?;
            let missing = missing_roles(conn)?;
            if !missing.is_empty() && !can {
                return Err(Error::failed(format!(
                    "the group role(s) {} do not exist and this login may not create roles",
                    missing.join(", ")
                ))
                .with_hint("run `yardstick server init` once as a role with CREATEROLE (or a superuser)"));
            }
            // Constant names: no data in this SQL.
            conn.batch(
                "DO $do$ BEGIN \
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yardstick_member') THEN \
                   CREATE ROLE yardstick_member NOLOGIN; END IF; \
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yardstick_admin') THEN \
                   CREATE ROLE yardstick_admin NOLOGIN; END IF; \
                 END $do$",
            )
            .sql()?;
            grant_privileges(conn)?;
            let person: Option<i64> = conn
                .query_row("SELECT id FROM person WHERE handle = ?1", params![handle], |r| {
                    r.get(0)
                })
                .optional()
                .sql()?;
            let person = person.ok_or_else(|| Error::not_found("person", handle))?;
            let role: String = conn
                .query_row("SELECT session_user::text", params![], |r| r.get(0))
                .sql()?;
            let taken: Option<String> = conn
                .query_row(
                    "SELECT role_name FROM login WHERE person_id = ?1 AND role_name <> ?2",
                    params![person, role.clone()],
                    |r| r.get(0),
                )
                .optional()
                .sql()?;
            if let Some(other) = taken {
                return Err(Error::failed(format!(
                    "{handle} is mapped to the login {other} already"
                ))
                .with_hint("run `yardstick server revoke` for it first, or init as that login"));
            }
            conn.execute_plain(
                "INSERT INTO login(role_name, person_id, admin, granted_at, granted_by) \
                 VALUES (?1, ?2, true, ?3, ?1) \
                 ON CONFLICT (role_name) DO UPDATE SET person_id = excluded.person_id, admin = true",
                params![role.clone(), person, now],
            )
            .sql()?;
            // The initialising login may grant both groups to others.
            let q = quote_ident(&role);
            let is_super: bool = conn
                .query_row("SELECT rolsuper FROM pg_roles WHERE rolname = ?1", params![role.clone()], |r| r.get(0))
                .sql()?;
            if !is_super {
                conn.batch(&format!(
                    "GRANT {MEMBER_ROLE}, {ADMIN_ROLE} TO {q} WITH ADMIN OPTION"
                ))
                .sql()?;
            }
            Ok(())
        })
    }

    /// Map `handle` to the login `role` (created LOGIN without a password
    /// when it does not exist), granting the member (or admin) group.
    pub fn grant(&self, handle: &str, role: &str, admin: bool, now: &str) -> Result<bool> {
        let role = role_name(role)?.to_string();
        self.in_tx(|conn| {
            require_admin(conn)?;
            let person: Option<i64> = conn
                .query_row("SELECT id FROM person WHERE handle = ?1", params![handle], |r| {
                    r.get(0)
                })
                .optional()
                .sql()?;
            let person = person.ok_or_else(|| {
                Error::not_found("person", handle)
                    .with_hint("add them first: yardstick people add HANDLE --name NAME")
            })?;
            let other: Option<String> = conn
                .query_row(
                    "SELECT role_name FROM login WHERE person_id = ?1 AND role_name <> ?2",
                    params![person, role.clone()],
                    |r| r.get(0),
                )
                .optional()
                .sql()?;
            if let Some(other) = other {
                return Err(Error::failed(format!(
                    "{handle} is mapped to the login {other} already"
                ))
                .with_hint(format!("run `yardstick server revoke {handle}` first")));
            }
            let holder: Option<String> = conn
                .query_row(
                    "SELECT p.handle FROM login l JOIN person p ON p.id = l.person_id \
                     WHERE l.role_name = ?1 AND l.person_id <> ?2",
                    params![role.clone(), person],
                    |r| r.get(0),
                )
                .optional()
                .sql()?;
            if let Some(h) = holder {
                return Err(Error::failed(format!(
                    "the login {role} is mapped to {h} already"
                )));
            }
            let exists: Option<bool> = conn
                .query_row(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = ?1",
                    params![role.clone()],
                    |r| r.get(0),
                )
                .optional()
                .sql()?;
            let q = quote_ident(&role);
            let created = match exists {
                None => {
                    conn.batch(&format!("CREATE ROLE {q} LOGIN")).map_err(|e| {
                        Error::from(StoreError::from(e)).context(format!(
                            "creating the login {role} (the connecting role needs CREATEROLE, or create it yourself: CREATE ROLE {q} LOGIN)"
                        ))
                    })?;
                    true
                }
                Some(_) => false,
            };
            conn.batch(&format!("GRANT {MEMBER_ROLE} TO {q}")).sql()?;
            if admin {
                conn.batch(&format!("GRANT {ADMIN_ROLE} TO {q}")).sql()?;
            } else if exists.is_some() {
                conn.batch(&format!("REVOKE {ADMIN_ROLE} FROM {q}")).sql()?;
            }
            conn.execute_plain(
                "INSERT INTO login(role_name, person_id, admin, granted_at, granted_by) \
                 VALUES (?1, ?2, ?3::bigint = 1, ?4, session_user) \
                 ON CONFLICT (role_name) DO UPDATE SET admin = excluded.admin, \
                 granted_at = excluded.granted_at, granted_by = excluded.granted_by",
                params![role.clone(), person, admin, now],
            )
            .sql()?;
            if !admin {
                ensure_an_admin(conn)?;
            }
            Ok(created)
        })
    }

    /// Remove `handle`'s login mapping and its group memberships (the role
    /// itself stays: it may own other things on the server). Returns the login.
    pub fn revoke(&self, handle: &str) -> Result<String> {
        self.in_tx(|conn| {
            require_admin(conn)?;
            let role: Option<String> = conn
                .query_row(
                    "SELECT l.role_name FROM login l JOIN person p ON p.id = l.person_id \
                     WHERE p.handle = ?1",
                    params![handle],
                    |r| r.get(0),
                )
                .optional()
                .sql()?;
            let role =
                role.ok_or_else(|| Error::failed(format!("{handle} has no login on this server")))?;
            conn.execute(
                "DELETE FROM login WHERE role_name = ?1",
                params![role.clone()],
            )
            .sql()?;
            ensure_an_admin(conn)?;
            let q = quote_ident(&role);
            let exists: bool = conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)",
                    params![role.clone()],
                    |r| r.get(0),
                )
                .sql()?;
            if exists {
                conn.batch(&format!("REVOKE {MEMBER_ROLE}, {ADMIN_ROLE} FROM {q}"))
                    .sql()?;
            }
            Ok(role)
        })
    }

    /// The schema version, row-level security, policies, roles, grants and logins.
    pub fn status(&self) -> Result<Status> {
        status(&self.conn)
    }

    fn in_tx<T>(&self, f: impl FnOnce(&Conn) -> Result<T>) -> Result<T> {
        self.conn.begin("BEGIN").sql()?;
        match f(&self.conn) {
            Ok(v) => {
                self.conn.finish(true).sql()?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.finish(false);
                Err(e)
            }
        }
    }
}

fn missing_roles(conn: &Conn) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for r in [MEMBER_ROLE, ADMIN_ROLE] {
        let exists: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)",
                params![r],
                |x| x.get(0),
            )
            .sql()?;
        if !exists {
            out.push(r.to_string());
        }
    }
    Ok(out)
}

/// The privileges of the groups: the member reads and writes yardstick's
/// tables (rows decided by the policies), reads the views, the version
/// table and the login mapping; the admin group also changes the mapping.
fn grant_privileges(conn: &Conn) -> Result<()> {
    let schema: String = conn
        .query_row("SELECT current_schema()::text", params![], |r| r.get(0))
        .sql()?;
    let s = quote_ident(&schema);
    let mut sql = format!(
        "GRANT USAGE ON SCHEMA {s} TO {MEMBER_ROLE};\n\
         GRANT {MEMBER_ROLE} TO {ADMIN_ROLE};\n\
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {MEMBER_ROLE};\n\
         GRANT SELECT ON {s}.{v} TO {MEMBER_ROLE};\n",
        v = quote_ident(schema::VERSION_TABLE)
    );
    for t in schema::TABLES {
        let t = quote_ident(t);
        if *t == *"\"login\"" {
            sql.push_str(&format!(
                "GRANT SELECT ON {s}.{t} TO {MEMBER_ROLE};\n\
                 GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.{t} TO {ADMIN_ROLE};\n"
            ));
        } else {
            sql.push_str(&format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.{t} TO {MEMBER_ROLE};\n"
            ));
        }
    }
    for v in schema::VIEWS {
        sql.push_str(&format!(
            "GRANT SELECT ON {s}.{} TO {MEMBER_ROLE};\n",
            quote_ident(v)
        ));
    }
    conn.batch(&sql).sql()?;
    Ok(())
}

fn require_admin(conn: &Conn) -> Result<()> {
    match identity(conn)? {
        Identity::Person { admin: true, .. } => Ok(()),
        Identity::Unsecured => Err(Error::failed(
            "this database is not set up as a team server yet",
        )
        .with_hint("run `yardstick server init URL --me HANDLE` first")),
        Identity::Person { role, handle, .. } => Err(Error::failed(format!(
            "not allowed: the login {role} ({handle}) is not an admin of this server"
        ))
        .with_hint("only an admin login changes who may log in")),
        Identity::Unmapped { role } => Err(unmapped(&role)),
    }
}

fn ensure_an_admin(conn: &Conn) -> Result<()> {
    let any: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM login WHERE admin)",
            params![],
            |r| r.get(0),
        )
        .sql()?;
    if any {
        Ok(())
    } else {
        Err(Error::failed(
            "that would leave the server without an admin login; nothing was changed",
        )
        .with_hint("grant another login --admin first"))
    }
}

/// The refusal of a login mapped to no one.
pub fn unmapped(role: &str) -> Error {
    Error::failed(format!(
        "the login {role} is not mapped to a person on this team server"
    ))
    .with_hint(format!(
        "an admin maps it: yardstick server grant HANDLE --role {role}"
    ))
}

fn status(conn: &Conn) -> Result<Status> {
    let version: i64 = conn
        .query_row(
            "SELECT coalesce(max(version), 0)::bigint FROM yardstick_schema",
            params![],
            |r| r.get(0),
        )
        .sql()?;
    let rows: Vec<(String, bool, bool)> = conn
        .query_map(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c \
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' \
             AND c.relname <> 'yardstick_schema' ORDER BY 1",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .sql()?;
    let mut tables = Vec::new();
    for (t, enabled, forced) in rows {
        let policies: Vec<String> = conn
            .query_map(
                "SELECT policyname::text FROM pg_policies WHERE schemaname = current_schema() \
                 AND tablename = ?1 ORDER BY 1",
                params![t.clone()],
                |r| r.get(0),
            )
            .sql()?;
        tables.push((t, enabled, forced, policies));
    }
    let roles = [MEMBER_ROLE, ADMIN_ROLE]
        .iter()
        .map(|r| {
            let exists: bool = conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)",
                    params![*r],
                    |x| x.get(0),
                )
                .sql()?;
            Ok((r.to_string(), exists))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut missing_grants = Vec::new();
    if roles.iter().all(|(_, e)| *e) {
        for t in schema::TABLES.iter().chain(schema::VIEWS) {
            let privs: &[&str] = if schema::VIEWS.contains(t) || *t == "login" {
                &["SELECT"]
            } else {
                &["SELECT", "INSERT", "UPDATE", "DELETE"]
            };
            for p in privs {
                let ok: Option<bool> = conn
                    .query_row(
                        "SELECT has_table_privilege(?1, c.oid, ?2) FROM pg_class c \
                         WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ?3",
                        params![MEMBER_ROLE, *p, *t],
                        |r| r.get(0),
                    )
                    .optional()
                    .sql()?;
                if ok == Some(false) {
                    missing_grants.push(format!("{p} on {t}"));
                }
            }
        }
    }
    let logins = conn
        .query_map(
            "SELECT l.role_name, p.handle, p.name, l.admin, \
             coalesce((SELECT rolcanlogin FROM pg_roles WHERE rolname = l.role_name), false), \
             l.granted_at, l.granted_by \
             FROM login l JOIN person p ON p.id = l.person_id ORDER BY p.handle",
            params![],
            |r| {
                Ok(Login {
                    role: r.get(0)?,
                    handle: r.get(1)?,
                    name: r.get(2)?,
                    admin: r.get(3)?,
                    can_login: r.get(4)?,
                    granted_at: r.get(5)?,
                    granted_by: r.get(6)?,
                })
            },
        )
        .sql()?;
    let session_role: String = conn
        .query_row("SELECT session_user::text", params![], |r| r.get(0))
        .sql()?;
    Ok(Status {
        version,
        expected_version: schema::SCHEMA_VERSION,
        tables,
        roles,
        missing_grants,
        logins,
        session_role,
    })
}
