//! `server init | status | grant | revoke` and `doctor` on a server: the
//! team server's logins, group roles, grants and row-level security.

use super::ctx::{Ctx, Source};
use crate::error::{Error, Result};
use crate::render::{Cell, Column, Doc, Format, Record, Table};
use crate::store::postgres::PgDb;
use crate::store::postgres::server::{ADMIN_ROLE, Identity, MEMBER_ROLE, Status, unmapped};
use crate::store::{Missing, Store, WriteScope};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ServerCmd {
    /// Set a PostgreSQL database up as a team server: schema, group roles, grants, row-level security; you become its admin
    #[command(
        after_help = "Creates the schema if needed (the database must exist: createdb), the group roles \
yardstick_member and yardstick_admin, their grants and the row-level security policies, and maps \
the login you connect as to an admin person (--me; --name adds them when new). Run it again at any \
time: it changes only what is missing. Connect as a role with CREATEROLE (or a superuser) the first time.\n\n\
Examples:\n  yardstick server init postgres://db.example.com/perf --me maria --name \"Maria Lopez\"\n  \
yardstick server init postgres:///perf"
    )]
    Init {
        /// The database: a postgres:// or postgresql:// URL (libpq syntax; PG* variables fill the rest)
        url: String,
        /// Your handle: the person your login acts as (added when new, with --name)
        #[arg(long)]
        me: Option<String>,
        /// Your full name (when --me is new)
        #[arg(long)]
        name: Option<String>,
    },
    /// Show the schema version, row-level security and policies per table, and the mapped logins
    #[command(
        after_help = "Examples:\n  yardstick --db postgres://db.example.com/perf server status\n  YARDSTICK_DB=postgres:///perf yardstick server status --format json"
    )]
    Status,
    /// Map a person to a database login (created LOGIN without a password when new)
    #[command(
        after_help = "yardstick never stores passwords: set one with psql (\\password ROLE, or ALTER ROLE … PASSWORD).\n\n\
Examples:\n  yardstick --db postgres:///perf server grant kim\n  \
yardstick --db postgres:///perf server grant lee --role lee_w --admin"
    )]
    Grant {
        /// The person (their handle)
        handle: String,
        /// The login (PostgreSQL role) [default: the handle]
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Make the login an admin (sees and changes everything, maps logins)
        #[arg(long)]
        admin: bool,
    },
    /// Remove a person's login mapping and group memberships (the role itself stays)
    #[command(after_help = "Examples:\n  yardstick --db postgres:///perf server revoke kim")]
    Revoke {
        /// The person (their handle)
        handle: String,
    },
}

impl ServerCmd {
    pub fn name(&self) -> &'static str {
        match self {
            ServerCmd::Init { .. } => "init",
            ServerCmd::Status => "status",
            ServerCmd::Grant { .. } => "grant",
            ServerCmd::Revoke { .. } => "revoke",
        }
    }
}

pub fn run(ctx: &mut Ctx, cmd: ServerCmd) -> Result<()> {
    ctx.refuse_as_on_server()?;
    match cmd {
        ServerCmd::Init { url, me, name } => init(ctx, &url, me, name),
        ServerCmd::Status => status(ctx),
        ServerCmd::Grant {
            handle,
            role,
            admin,
        } => grant(ctx, &handle, role, admin),
        ServerCmd::Revoke { handle } => revoke(ctx, &handle),
    }
}

/// The server `--db` names (exit 2 for a file).
fn server_url(ctx: &Ctx) -> Result<String> {
    let db = &ctx.db.0;
    match db.to_str().filter(|_| crate::store::is_url(db)) {
        Some(u) => Ok(u.to_string()),
        None => Err(Error::invalid(format!(
            "`server` works on a PostgreSQL database; {} is a file",
            db.display()
        ))
        .with_hint("pass --db postgres://HOST/DATABASE (or set YARDSTICK_DB)")),
    }
}

fn open(ctx: &Ctx, url: &str) -> Result<PgDb> {
    PgDb::open(url, true, Missing::Refuse, ctx.busy_timeout)
}

fn init(ctx: &mut Ctx, url: &str, me: Option<String>, name: Option<String>) -> Result<()> {
    if !crate::store::postgres::connect::is_url(url) {
        return Err(Error::invalid(format!(
            "`server init` needs a postgres:// or postgresql:// URL, not {url}"
        ))
        .with_hint("e.g. yardstick server init postgres://db.example.com/perf --me HANDLE"));
    }
    if let Some(h) = &me {
        crate::domain::names::validate_handle(h).map_err(|e| e.context("--me"))?;
    }
    if let Some(n) = &name {
        crate::domain::names::validate_text("--name", n, crate::domain::names::max::NAME)?;
    }
    ctx.db = (PathBuf::from(url), Source::Flag);
    let path = ctx.db.0.clone();
    let existed = crate::store::server_initialised(&path)?;
    let mut store = Store::open_write(&path, Missing::Create, ctx.busy_timeout)?;
    let identity = store
        .server_identity()?
        .ok_or_else(|| Error::internal("a server without an identity"))?;
    let handle = match (&identity, me) {
        (Identity::Person { admin: true, .. }, Some(h)) => h,
        (
            Identity::Person {
                admin: true,
                handle,
                ..
            },
            None,
        ) => handle.clone(),
        (Identity::Person { role, handle, .. }, _) => {
            return Err(Error::failed(format!(
                "not allowed: the login {role} ({handle}) is not an admin of this server"
            ))
            .with_hint("run `server init` as an admin login"));
        }
        (Identity::Unmapped { role }, _) => return Err(unmapped(role)),
        (Identity::Unsecured, Some(h)) => h,
        (Identity::Unsecured, None) => match store.read().setting("me")? {
            Some(h) => h,
            None => {
                return Err(Error::invalid("missing --me").with_hint(
                    "pass --me HANDLE (and --name NAME when they are new): the person your login acts as",
                ));
            }
        },
    };
    let known = store.read().find_person(&handle)?.is_some();
    if !known {
        let Some(name) = name else {
            return Err(Error::invalid(format!("{handle} is new: missing --name"))
                .with_hint("pass --name \"Full Name\" to add them"));
        };
        let now = ctx.now();
        let mut meta = ctx.op(&store)?;
        meta.actor = match &identity {
            Identity::Person { handle, .. } => handle.clone(),
            _ => handle.clone(),
        };
        let actor = ctx.actor(&store)?;
        store.write(&meta, WriteScope::Any, |s| {
            let policy = crate::app::access::Policy::resolve(s, &actor)?;
            crate::app::admin::set_me(s, &now, &policy, &handle, Some(name.as_str()))
        })?;
    }
    drop(store);
    let db = open(ctx, url)?;
    db.secure(&handle, &ctx.now())?;
    let st = db.status()?;
    ctx.ui.note(format!(
        "{} {} as a team server (schema version {}; row-level security on {} tables; groups {MEMBER_ROLE}, {ADMIN_ROLE}).",
        if existed { "Checked" } else { "Set up" },
        crate::store::shown(&path),
        st.version,
        st.tables.iter().filter(|t| t.1 && t.2).count()
    ));
    ctx.ui.note(format!(
        "Your login {} acts as {handle} (admin). Next: yardstick --db '{}' server grant HANDLE",
        st.session_role,
        crate::store::shown(&path)
    ));
    ctx.emit_if_asked(&status_doc(&crate::store::shown(&path), &st))
}

fn status(ctx: &mut Ctx) -> Result<()> {
    let url = server_url(ctx)?;
    let db = PgDb::open(&url, false, Missing::Refuse, ctx.busy_timeout)?;
    let st = db.status()?;
    ctx.emit(&status_doc(&crate::store::shown(&ctx.db.0), &st))
}

fn grant(ctx: &mut Ctx, handle: &str, role: Option<String>, admin: bool) -> Result<()> {
    let url = server_url(ctx)?;
    crate::domain::names::validate_handle(handle)?;
    let role = role.unwrap_or_else(|| handle.to_string());
    crate::store::postgres::server::role_name(&role)?;
    let db = open(ctx, &url)?;
    let created = db.grant(handle, &role, admin, &ctx.now())?;
    ctx.ui.note(format!(
        "{handle} logs in as {role}{}{}.",
        if admin { " (admin)" } else { "" },
        if created {
            " (a new login without a password)"
        } else {
            ""
        }
    ));
    if created {
        ctx.ui.note(format!(
            "Set its password with psql: \\password {role}   (or ALTER ROLE {} PASSWORD '…')",
            crate::store::postgres::server::quote_ident(&role)
        ));
    }
    Ok(())
}

fn revoke(ctx: &mut Ctx, handle: &str) -> Result<()> {
    let url = server_url(ctx)?;
    crate::domain::names::validate_handle(handle)?;
    let db = open(ctx, &url)?;
    let role = db.revoke(handle)?;
    ctx.ui.note(format!(
        "{handle} no longer logs in to this server (the login {role} left {MEMBER_ROLE} and {ADMIN_ROLE}; drop it with DROP ROLE when it owns nothing)."
    ));
    Ok(())
}

/// `server status` (and `doctor` on a server): one record, the tables, the logins.
pub fn status_doc(shown: &str, st: &Status) -> Doc {
    let problems = st.problems();
    let record = Record::new("server")
        .with_title("Team server")
        .field("database", "Database", shown)
        .field("healthy", "Healthy", problems.is_empty())
        .field("schema_version", "Schema version", st.version)
        .field(
            "schema_version_supported",
            "This build's schema version",
            st.expected_version,
        )
        .field(
            "rls_on_every_table",
            "Row-level security on every table (forced)",
            st.tables.iter().all(|t| t.1 && t.2),
        )
        .field(
            "session_login",
            "You are connected as",
            st.session_role.as_str(),
        )
        .field(
            "groups",
            "Group roles",
            st.roles
                .iter()
                .map(|(r, e)| format!("{r}{}", if *e { "" } else { " (missing)" }))
                .collect::<Vec<_>>()
                .join(", "),
        )
        .field(
            "problems",
            "Problems",
            if problems.is_empty() {
                Cell::Null
            } else {
                Cell::text(problems.join("\n"))
            },
        );
    let mut tables = Table::new(
        "tables",
        vec![
            Column::new("table", "Table"),
            Column::new("rls", "RLS"),
            Column::new("forced", "Forced"),
            Column::new("policies", "Policies"),
        ],
    )
    .with_title("Row-level security");
    for (t, enabled, forced, policies) in &st.tables {
        tables.push(vec![
            t.as_str().into(),
            (*enabled).into(),
            (*forced).into(),
            policies.join(", ").into(),
        ]);
    }
    let mut logins = Table::new(
        "logins",
        vec![
            Column::new("login", "Login"),
            Column::new("person", "Person"),
            Column::new("name", "Name"),
            Column::new("admin", "Admin"),
            Column::new("can_login", "Can log in"),
            Column::new("granted_at", "Granted"),
            Column::new("granted_by", "By"),
        ],
    )
    .with_title("Logins");
    for l in &st.logins {
        logins.push(vec![
            l.role.as_str().into(),
            l.handle.as_str().into(),
            l.name.as_str().into(),
            l.admin.into(),
            l.can_login.into(),
            l.granted_at.as_str().into(),
            l.granted_by.as_str().into(),
        ]);
    }
    Doc::new("server")
        .with_record(record)
        .with_table(tables)
        .with_table(logins)
}

/// `doctor` on a server: the schema version, row-level security enabled
/// and forced on every table, the policies, the group roles and grants.
pub fn doctor(ctx: &mut Ctx) -> Result<()> {
    let url = server_url(ctx)?;
    let db = PgDb::open(&url, false, Missing::Refuse, ctx.busy_timeout)?;
    let st = db.status()?;
    let doc = status_doc(&crate::store::shown(&ctx.db.0), &st);
    let doc = Doc {
        kind: "doctor",
        ..doc
    };
    let doc = match ctx.format()? {
        Format::Csv | Format::Tsv | Format::Jsonl => Doc {
            parts: doc.parts.into_iter().take(1).collect(),
            ..doc
        },
        _ => doc,
    };
    ctx.emit(&doc)?;
    let problems = st.problems();
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::failed(format!(
        "the team server {} is not as yardstick set it up: {}",
        crate::store::shown(&ctx.db.0),
        problems.join("; ")
    ))
    .with_hint(
        "run `yardstick server init URL` as an admin login to restore roles, grants and policies",
    ))
}
