//! Raw rows for `export` and `import`: every data table described once
//! ([`TABLES`]), read with foreign keys replaced by the referenced rows'
//! UUIDs, and written back with UUIDs mapped to this file's row ids.
//!
//! Identifiers in the SQL built here come from [`TABLES`] (static schema
//! names), never from input; values are always bound as parameters.

use crate::error::Result;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, ToSql, params_from_iter};
use std::collections::{HashMap, HashSet};

/// What a column holds, as the exchange format sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A person or team handle (checked like one).
    Handle,
    /// A goal key (checked like one).
    Key,
    /// A whole number.
    Int,
    /// A real number.
    Real,
    /// 0 or 1 in the file's column; `true`/`false` in the exchange format.
    Bool,
    /// An ISO date, `YYYY-MM-DD`.
    Date,
    /// An RFC 3339 timestamp.
    Time,
    /// One of these spellings.
    Enum(&'static [&'static str]),
    /// A foreign key to this table's `id`; the UUID of that row in the exchange format.
    Ref(&'static str),
}

/// One column of a data table (other than `id` and `uuid`).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// The column's name in the database.
    pub name: &'static str,
    /// Its name in the exchange format (`goal_id` becomes `goal_uuid`).
    pub key: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether it may be null.
    pub nullable: bool,
}

/// A data table.
#[derive(Debug, Clone, Copy)]
pub struct TableDef {
    /// The table's name.
    pub name: &'static str,
    /// Its columns other than `id` and `uuid`, in declaration order.
    pub cols: &'static [Col],
}

impl TableDef {
    /// The index of a column by its database name.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.cols.iter().position(|c| c.name == name)
    }
}

const fn c(name: &'static str, kind: Kind, nullable: bool) -> Col {
    Col {
        name,
        key: name,
        kind,
        nullable,
    }
}

const fn r(name: &'static str, key: &'static str, table: &'static str, nullable: bool) -> Col {
    Col {
        name,
        key,
        kind: Kind::Ref(table),
        nullable,
    }
}

const CREATED: Col = c("created_at", Kind::Time, false);
const UPDATED: Col = c("updated_at", Kind::Time, false);

const PRIORITY: &[&str] = &["low", "medium", "high"];
const CATEGORY: &[&str] = &["quantity", "quality", "cost", "timeliness"];
const GOAL_STATUS: &[&str] = &["draft", "active", "achieved", "missed", "dropped"];
const MEASURE_KIND: &[&str] = &["number", "percent", "currency", "yesno", "milestone"];
const DIRECTION: &[&str] = &["increase", "decrease"];
const CHECKIN_STATUS: &[&str] = &["on-track", "at-risk", "off-track"];
const FEEDBACK_KIND: &[&str] = &["praise", "coaching", "concern", "360"];
const CYCLE_STATE: &[&str] = &["draft", "open", "calibrating", "finalized"];
const REVIEW_KIND: &[&str] = &["self", "manager", "peer", "upward"];
const REVIEW_STATE: &[&str] = &["pending", "submitted"];
const POTENTIAL: &[&str] = &["low", "medium", "high"];
const RECOMMENDATION: &[&str] = &["none", "raise", "bonus", "promotion", "improvement-plan"];

/// Every data table, in dependency order: a row's required references point
/// to tables earlier in this list (the optional ones — a team's lead, a
/// person's manager, a goal's parent, a team's parent — may point anywhere).
pub const TABLES: &[TableDef] = &[
    TableDef {
        name: "period",
        cols: &[
            c("name", Kind::Text, false),
            c("start_date", Kind::Date, false),
            c("end_date", Kind::Date, false),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "team",
        cols: &[
            c("handle", Kind::Handle, false),
            c("name", Kind::Text, false),
            r("parent_id", "parent_uuid", "team", true),
            r("lead_id", "lead_uuid", "person", true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "person",
        cols: &[
            c("handle", Kind::Handle, false),
            c("name", Kind::Text, false),
            c("email", Kind::Text, true),
            c("title", Kind::Text, true),
            r("manager_id", "manager_uuid", "person", true),
            r("team_id", "team_uuid", "team", true),
            c("active", Kind::Bool, false),
            c("mission_purpose", Kind::Text, true),
            c("mission_customers", Kind::Text, true),
            c("mission_product", Kind::Text, true),
            c("mission_scope", Kind::Text, true),
            CREATED,
            UPDATED,
            c("checkin_cadence_days", Kind::Int, true),
        ],
    },
    TableDef {
        name: "template",
        cols: &[
            c("name", Kind::Text, false),
            c("source", Kind::Text, false),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "goal",
        cols: &[
            c("key", Kind::Key, false),
            c("title", Kind::Text, false),
            c("description", Kind::Text, true),
            r("owner_person_id", "owner_person_uuid", "person", true),
            r("owner_team_id", "owner_team_uuid", "team", true),
            r("parent_id", "parent_uuid", "goal", true),
            c("period", Kind::Text, true),
            c("start_date", Kind::Date, true),
            c("due_date", Kind::Date, true),
            c("weight", Kind::Real, false),
            c("priority", Kind::Enum(PRIORITY), false),
            c("category", Kind::Enum(CATEGORY), true),
            c("status", Kind::Enum(GOAL_STATUS), false),
            c("closed_at", Kind::Time, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "measure",
        cols: &[
            r("goal_id", "goal_uuid", "goal", false),
            c("position", Kind::Int, false),
            c("name", Kind::Text, false),
            c("unit", Kind::Text, true),
            c("kind", Kind::Enum(MEASURE_KIND), false),
            c("direction", Kind::Enum(DIRECTION), false),
            c("baseline", Kind::Real, false),
            c("target", Kind::Real, false),
            c("stretch", Kind::Real, true),
            c("floor", Kind::Real, true),
            c("weight", Kind::Real, false),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "checkin",
        cols: &[
            r("goal_id", "goal_uuid", "goal", false),
            r("measure_id", "measure_uuid", "measure", true),
            c("date", Kind::Date, false),
            c("value", Kind::Real, true),
            c("confidence", Kind::Int, true),
            c("status", Kind::Enum(CHECKIN_STATUS), true),
            c("note", Kind::Text, true),
            r("author_id", "author_uuid", "person", true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "feedback",
        cols: &[
            r("from_id", "from_uuid", "person", true),
            r("to_id", "to_uuid", "person", false),
            c("date", Kind::Date, false),
            c("kind", Kind::Enum(FEEDBACK_KIND), false),
            c("text", Kind::Text, false),
            r("goal_id", "goal_uuid", "goal", true),
            c("private", Kind::Bool, false),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "cycle",
        cols: &[
            c("name", Kind::Text, false),
            c("period", Kind::Text, false),
            c("start_date", Kind::Date, false),
            c("end_date", Kind::Date, false),
            r("template_id", "template_uuid", "template", false),
            c("state", Kind::Enum(CYCLE_STATE), false),
            c("reopened", Kind::Int, false),
            c("self_due", Kind::Date, true),
            c("manager_due", Kind::Date, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "participant",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            r("person_id", "person_uuid", "person", false),
            c("acknowledged_at", Kind::Time, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "review",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            r("subject_id", "subject_uuid", "person", false),
            r("reviewer_id", "reviewer_uuid", "person", false),
            c("kind", Kind::Enum(REVIEW_KIND), false),
            c("state", Kind::Enum(REVIEW_STATE), false),
            c("summary", Kind::Text, true),
            c("submitted_at", Kind::Time, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "rating",
        cols: &[
            r("review_id", "review_uuid", "review", false),
            c("item", Kind::Text, false),
            c("value", Kind::Real, true),
            c("comment", Kind::Text, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "outcome",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            r("subject_id", "subject_uuid", "person", false),
            c("computed_score", Kind::Real, true),
            c("computed_level", Kind::Real, true),
            c("calibrated_level", Kind::Real, true),
            c("calibration_reason", Kind::Text, true),
            c("potential", Kind::Enum(POTENTIAL), true),
            c("recommendation", Kind::Enum(RECOMMENDATION), true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "action",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            r("subject_id", "subject_uuid", "person", false),
            c("text", Kind::Text, false),
            c("due_date", Kind::Date, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "cycle_event",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            c("at", Kind::Time, false),
            c("actor", Kind::Text, false),
            c("from_state", Kind::Text, false),
            c("to_state", Kind::Text, false),
            c("forced", Kind::Bool, false),
            c("reason", Kind::Text, true),
            CREATED,
            UPDATED,
        ],
    },
];

/// The index of a table in [`TABLES`] by name.
pub fn table_index(name: &str) -> Option<usize> {
    TABLES.iter().position(|t| t.name == name)
}

/// One value of a raw row. Booleans are `Int` 0/1; references are the
/// referenced row's UUID as `Text`.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Null.
    Null,
    /// A whole number (or a boolean as 0/1).
    Int(i64),
    /// A real number (always finite).
    Real(f64),
    /// Text, a date, a timestamp, an enum spelling or a UUID.
    Text(String),
}

impl Val {
    /// The text, if this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput;
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// One row of a data table in exchange form.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Index into [`TABLES`].
    pub table: usize,
    /// The row's UUID.
    pub uuid: String,
    /// One value per column of the table, in [`TableDef::cols`] order.
    pub vals: Vec<Val>,
}

impl RawRow {
    /// The table's definition.
    pub fn def(&self) -> &'static TableDef {
        &TABLES[self.table]
    }

    /// A value by database column name.
    pub fn get(&self, name: &str) -> Option<&Val> {
        self.def().col(name).and_then(|i| self.vals.get(i))
    }

    /// `updated_at`.
    pub fn updated_at(&self) -> &str {
        self.get("updated_at").and_then(Val::as_text).unwrap_or("")
    }
}

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// `SELECT t.id, t.uuid, <columns with references as UUIDs> FROM table t`.
fn select_sql(def: &TableDef) -> String {
    let mut cols = vec!["t.id".to_string(), "t.uuid".to_string()];
    for col in def.cols {
        match col.kind {
            Kind::Ref(target) => cols.push(format!(
                "(SELECT x.uuid FROM {} x WHERE x.id = t.{})",
                quoted(target),
                quoted(col.name)
            )),
            _ => cols.push(format!("t.{}", quoted(col.name))),
        }
    }
    format!("SELECT {} FROM {} t", cols.join(", "), quoted(def.name))
}

fn read_row(table: usize, row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, RawRow)> {
    let def = &TABLES[table];
    let id: i64 = row.get(0)?;
    let uuid: String = row.get(1)?;
    let mut vals = Vec::with_capacity(def.cols.len());
    for (i, col) in def.cols.iter().enumerate() {
        let v = match row.get_ref(i + 2)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(n) if col.kind == Kind::Real => Val::Real(n as f64),
            ValueRef::Integer(n) => Val::Int(n),
            ValueRef::Real(f) => Val::Real(f),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                Val::Text(String::from_utf8_lossy(t).into_owned())
            }
        };
        vals.push(v);
    }
    Ok((id, RawRow { table, uuid, vals }))
}

/// What `export` keeps: records updated on or after `since` (an ISO date or
/// timestamp, compared as text), and/or the data of one person.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Keep records whose `updated_at` is on or after this.
    pub since: Option<String>,
    /// Keep this person's own data (a person row id).
    pub person: Option<i64>,
    /// Include private feedback (left out unless asked for).
    pub include_private: bool,
}

impl Selection {
    /// Whether everything is selected.
    pub fn is_all(&self) -> bool {
        self.since.is_none() && self.person.is_none()
    }
}

/// The person part of the filter of each table (`?2` is the person's id).
fn person_filter(table: &str) -> &'static str {
    match table {
        "period" => "1",
        "person" => "t.id = ?2",
        "goal" => "t.owner_person_id = ?2",
        "measure" => "t.goal_id IN (SELECT id FROM goal WHERE owner_person_id = ?2)",
        "checkin" => {
            "(t.author_id = ?2 OR t.goal_id IN (SELECT id FROM goal WHERE owner_person_id = ?2))"
        }
        "feedback" => "(t.from_id = ?2 OR t.to_id = ?2)",
        "participant" => "t.person_id = ?2",
        "review" => "(t.subject_id = ?2 OR t.reviewer_id = ?2)",
        "rating" => {
            "t.review_id IN (SELECT id FROM review WHERE subject_id = ?2 OR reviewer_id = ?2)"
        }
        "outcome" | "action" => "t.subject_id = ?2",
        _ => "0",
    }
}

/// `WHERE` clause of the directly selected rows (`?1` since, `?2` person).
fn where_sql(table: &str) -> String {
    format!(
        " WHERE (?1 IS NULL OR t.updated_at >= ?1) AND (?2 IS NULL OR {})",
        person_filter(table)
    )
}

/// Tables that other tables reference: their selected rows are kept as id
/// sets (bounded by the size of the organisation, never by check-ins).
fn is_referenced(table: &str) -> bool {
    TABLES
        .iter()
        .flat_map(|t| t.cols.iter())
        .any(|c| matches!(c.kind, Kind::Ref(t) if t == table))
}

/// The rows of referenced tables that a selection needs: those it selects
/// directly and every row they (and the selected rows of the other tables)
/// refer to, so that the export imports on its own.
fn closure(conn: &Connection, sel: &Selection) -> Result<HashMap<&'static str, HashSet<i64>>> {
    let mut sets: HashMap<&'static str, HashSet<i64>> = HashMap::new();
    let mut work: Vec<(&'static str, i64)> = Vec::new();
    let mut add = |sets: &mut HashMap<&'static str, HashSet<i64>>, t: &'static str, id: i64| {
        if sets.entry(t).or_default().insert(id) {
            work.push((t, id));
        }
    };
    for def in TABLES {
        let filter = where_sql(def.name);
        let table = quoted(def.name);
        if is_referenced(def.name) {
            let mut stmt = conn.prepare(&format!("SELECT t.id FROM {table} t{filter}"))?;
            let ids = stmt.query_map(rusqlite::params![sel.since, sel.person], |r| r.get(0))?;
            for id in ids {
                add(&mut sets, def.name, id?);
            }
        } else {
            for col in def.cols {
                if let Kind::Ref(target) = col.kind {
                    let column = quoted(col.name);
                    let mut stmt = conn.prepare(&format!(
                        "SELECT DISTINCT t.{column} FROM {table} t{filter} AND t.{column} IS NOT NULL"
                    ))?;
                    let ids =
                        stmt.query_map(rusqlite::params![sel.since, sel.person], |r| r.get(0))?;
                    for id in ids {
                        add(&mut sets, target, id?);
                    }
                }
            }
        }
    }
    while let Some((t, id)) = work.pop() {
        let Some(def) = TABLES.iter().find(|d| d.name == t) else {
            continue;
        };
        for col in def.cols {
            if let Kind::Ref(target) = col.kind {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {} FROM {} WHERE id = ?1",
                    quoted(col.name),
                    quoted(def.name)
                ))?;
                let found: Option<Option<i64>> = stmt.query_row([id], |r| r.get(0)).optional()?;
                if let Some(Some(target_id)) = found {
                    if sets.entry(target).or_default().insert(target_id) {
                        work.push((target, target_id));
                    }
                }
            }
        }
    }
    Ok(sets)
}

/// Call `f` with every selected row, table by table in [`TABLES`] order and
/// by id within a table, streaming (one row in memory at a time, plus the id
/// sets of referenced tables when filtering).
pub fn for_each_row(
    conn: &Connection,
    sel: &Selection,
    mut f: impl FnMut(&RawRow) -> Result<()>,
) -> Result<()> {
    let sets = if sel.is_all() {
        None
    } else {
        Some(closure(conn, sel)?)
    };
    for (ti, def) in TABLES.iter().enumerate() {
        let base = select_sql(def);
        let keep: Option<&HashSet<i64>> = match &sets {
            Some(s) if is_referenced(def.name) => Some(s.get(def.name).unwrap_or(&EMPTY)),
            _ => None,
        };
        // Private feedback leaves the file only when asked for.
        let private = if def.name == "feedback" && !sel.include_private {
            "t.private = 0"
        } else {
            "1"
        };
        let sql = match (&sets, keep) {
            (Some(_), None) => format!("{base}{} AND {private} ORDER BY t.id", where_sql(def.name)),
            _ => format!("{base} WHERE {private} ORDER BY t.id"),
        };
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = if sets.is_some() && keep.is_none() {
            stmt.query(rusqlite::params![sel.since, sel.person])?
        } else {
            stmt.query([])?
        };
        while let Some(row) = rows.next()? {
            let (id, raw) = read_row(ti, row)?;
            if keep.is_none_or(|k| k.contains(&id)) {
                f(&raw)?;
            }
        }
    }
    Ok(())
}

static EMPTY: std::sync::LazyLock<HashSet<i64>> = std::sync::LazyLock::new(HashSet::new);

/// A row by UUID: its id and its exchange form.
pub fn find(conn: &Connection, table: usize, uuid: &str) -> Result<Option<(i64, RawRow)>> {
    let def = &TABLES[table];
    let mut stmt = conn.prepare_cached(&format!("{} WHERE t.uuid = ?1", select_sql(def)))?;
    Ok(stmt.query_row([uuid], |r| read_row(table, r)).optional()?)
}

/// The id of the row of `table` (a name) with this UUID.
pub fn id_of(conn: &Connection, table: &str, uuid: &str) -> Result<Option<i64>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT id FROM {} WHERE uuid = ?1", quoted(table)))?;
    Ok(stmt.query_row([uuid], |r| r.get(0)).optional()?)
}

/// Whether a row of `table` (a name) has this UUID.
pub fn exists(conn: &Connection, table: &str, uuid: &str) -> Result<bool> {
    Ok(id_of(conn, table, uuid)?.is_some())
}

/// Insert a row; `vals` are database values (references already mapped to
/// ids). Returns the new row's id.
pub fn insert(conn: &Connection, table: usize, uuid: &str, vals: &[Val]) -> rusqlite::Result<i64> {
    let def = &TABLES[table];
    let names: Vec<String> = std::iter::once("uuid")
        .chain(def.cols.iter().map(|c| c.name))
        .map(quoted)
        .collect();
    let slots: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quoted(def.name),
        names.join(", "),
        slots.join(", ")
    ))?;
    let uuid = Val::Text(uuid.to_string());
    stmt.execute(params_from_iter(std::iter::once(&uuid).chain(vals.iter())))?;
    Ok(conn.last_insert_rowid())
}

/// Replace every column of row `id` with `vals` (database values).
pub fn update(conn: &Connection, table: usize, id: i64, vals: &[Val]) -> rusqlite::Result<()> {
    let def = &TABLES[table];
    let sets: Vec<String> = def
        .cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = ?{}", quoted(c.name), i + 2))
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE {} SET {} WHERE id = ?1",
        quoted(def.name),
        sets.join(", ")
    ))?;
    let id = Val::Int(id);
    stmt.execute(params_from_iter(std::iter::once(&id).chain(vals.iter())))?;
    Ok(())
}

/// Set one column of row `id`.
pub fn set_column(
    conn: &Connection,
    table: usize,
    id: i64,
    column: &str,
    value: &Val,
) -> rusqlite::Result<()> {
    let def = &TABLES[table];
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE {} SET {} = ?2 WHERE id = ?1",
        quoted(def.name),
        quoted(column)
    ))?;
    stmt.execute(rusqlite::params![id, value])?;
    Ok(())
}

/// The state of the cycle a row belongs to (for the finalized-cycle rule).
pub fn cycle_state(conn: &Connection, cycle_id: i64) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT state FROM cycle WHERE id = ?1")?;
    Ok(stmt.query_row([cycle_id], |r| r.get(0)).optional()?)
}

/// One check-in as the spreadsheet export shows it.
#[derive(Debug, Clone)]
pub struct CheckinLine {
    /// The day it is about.
    pub date: String,
    /// The goal owner's handle (a person's, or a team's).
    pub owner: Option<String>,
    /// The goal's key.
    pub goal_key: String,
    /// The goal's title.
    pub goal_title: String,
    /// The measure's name.
    pub measure: Option<String>,
    /// The measure's unit.
    pub unit: Option<String>,
    /// The value.
    pub value: Option<f64>,
    /// Confidence 0–10.
    pub confidence: Option<i64>,
    /// The status the author gave.
    pub status: Option<String>,
    /// The note.
    pub note: Option<String>,
    /// The author's handle.
    pub author: Option<String>,
    /// The check-in's UUID.
    pub uuid: String,
}

/// Stream the selected check-ins in the order they were recorded (by row id:
/// no sort, so memory stays flat), for the spreadsheet export.
pub fn for_each_checkin(
    conn: &Connection,
    sel: &Selection,
    mut f: impl FnMut(&CheckinLine) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT t.date, coalesce(op.handle, ot.handle), g.key, g.title, m.name, m.unit, t.value, \
         t.confidence, t.status, t.note, a.handle, t.uuid \
         FROM checkin t JOIN goal g ON g.id = t.goal_id \
         LEFT JOIN person op ON op.id = g.owner_person_id \
         LEFT JOIN team ot ON ot.id = g.owner_team_id \
         LEFT JOIN measure m ON m.id = t.measure_id \
         LEFT JOIN person a ON a.id = t.author_id{} ORDER BY t.id",
        where_sql("checkin")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params![sel.since, sel.person])?;
    while let Some(r) = rows.next()? {
        let line = CheckinLine {
            date: r.get(0)?,
            owner: r.get(1)?,
            goal_key: r.get(2)?,
            goal_title: r.get(3)?,
            measure: r.get(4)?,
            unit: r.get(5)?,
            value: r.get(6)?,
            confidence: r.get(7)?,
            status: r.get(8)?,
            note: r.get(9)?,
            author: r.get(10)?,
            uuid: r.get(11)?,
        };
        f(&line)?;
    }
    Ok(())
}

/// The columns of the data tables in the file's schema that [`TABLES`] does
/// not describe, or describes in another order (empty when they agree).
pub fn schema_drift(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN ('op', 'undo_entry', 'setting') ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for name in names {
        let Some(def) = TABLES.iter().find(|t| t.name == name) else {
            out.push(format!("table {name} is not exported"));
            continue;
        };
        let mut cols = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let actual: Vec<String> = cols
            .query_map([&name], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let expected: Vec<&str> = ["id", "uuid"]
            .into_iter()
            .chain(def.cols.iter().map(|c| c.name))
            .collect();
        if actual != expected {
            out.push(format!(
                "table {name}: columns {actual:?}, exchange expects {expected:?}"
            ));
        }
    }
    Ok(out)
}

/// A unique-constraint clash from SQLite: the columns it names
/// (`UNIQUE constraint failed: person.handle` gives `["handle"]`).
pub fn unique_clash(e: &rusqlite::Error) -> Option<Vec<String>> {
    if let rusqlite::Error::SqliteFailure(f, Some(msg)) = e {
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        {
            let list = msg
                .strip_prefix("UNIQUE constraint failed: ")
                .unwrap_or(msg);
            return Some(
                list.split(", ")
                    .map(|c| c.rsplit('.').next().unwrap_or(c).to_string())
                    .collect(),
            );
        }
    }
    None
}

/// The message of a guard trigger's abort (a finalized cycle), if `e` is one.
pub fn trigger_abort(e: &rusqlite::Error) -> Option<String> {
    if let rusqlite::Error::SqliteFailure(f, msg) = e {
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER {
            return Some(msg.clone().unwrap_or_else(|| "refused by a trigger".into()));
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_schema() {
        let store = crate::store::Store::open_memory().unwrap();
        assert_eq!(schema_drift(store.conn()).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn required_references_point_backwards() {
        for (i, def) in TABLES.iter().enumerate() {
            for col in def.cols {
                if let Kind::Ref(target) = col.kind {
                    let j = table_index(target).unwrap();
                    assert!(col.nullable || j < i, "{}.{}", def.name, col.name);
                    assert!(col.key.ends_with("_uuid"));
                }
            }
        }
    }
}
