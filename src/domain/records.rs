//! The data as records: every data table described once ([`TABLES`]),
//! rows in record form ([`RawRow`]: foreign keys as the referenced rows'
//! UUIDs), and the check-in line of the spreadsheet export. The model the
//! exchange format writes and every backend reads and writes row by row.

use crate::domain::{
    Category, CycleState, Direction, FeedbackKind, GoalStatus, MeasureKind, Priority, ReviewKind,
    ReviewState,
};

/// The version of the data model: the tables and columns of [`TABLES`].
/// Each backend's schema is at this version; an exchange file says which
/// version wrote it.
pub const SCHEMA_VERSION: i64 = 8;

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
    /// For a required column added after the first version: what a record
    /// from a file written before it existed (which leaves it out) stands
    /// for (for an enum, the index of its spelling).
    pub default: Option<i64>,
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
        default: None,
    }
}

const fn r(name: &'static str, key: &'static str, table: &'static str, nullable: bool) -> Col {
    Col {
        name,
        key,
        kind: Kind::Ref(table),
        nullable,
        default: None,
    }
}

const CREATED: Col = c("created_at", Kind::Time, false);
const UPDATED: Col = c("updated_at", Kind::Time, false);

const PRIORITY: &[&str] = Priority::NAMES;
const CATEGORY: &[&str] = Category::NAMES;
const GOAL_STATUS: &[&str] = GoalStatus::NAMES;
const MEASURE_KIND: &[&str] = MeasureKind::NAMES;
const DIRECTION: &[&str] = Direction::NAMES;
const CHECKIN_STATUS: &[&str] = crate::domain::checkin::STATUSES;
const FEEDBACK_KIND: &[&str] = FeedbackKind::NAMES;
const CYCLE_STATE: &[&str] = CycleState::NAMES;
const REVIEW_KIND: &[&str] = ReviewKind::NAMES;
const REVIEW_STATE: &[&str] = ReviewState::NAMES;
const POTENTIAL: &[&str] = &crate::domain::cycle::POTENTIALS;
const RECOMMENDATION: &[&str] = &crate::domain::cycle::RECOMMENDATIONS;
const ACTION_STATUS: &[&str] = crate::domain::cycle::ActionStatus::NAMES;
const PIP_OUTCOME: &[&str] = crate::domain::pip::PipOutcome::NAMES;
const PIP_STEP: &[&str] = crate::domain::pip::PipStepKind::NAMES;

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
            Col {
                default: Some(0),
                ..c("admin", Kind::Bool, false)
            },
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
            r("created_by", "created_by_uuid", "person", true),
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
            c("peer_average", Kind::Real, true),
            c("peer_count", Kind::Int, true),
            c("upward_average", Kind::Real, true),
            c("upward_count", Kind::Int, true),
            r("pip_id", "pip_uuid", "pip", true),
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
            r("owner_id", "owner_uuid", "person", true),
            Col {
                default: Some(0),
                ..c("status", Kind::Enum(ACTION_STATUS), false)
            },
            c("note", Kind::Text, true),
            c("closed_at", Kind::Time, true),
        ],
    },
    TableDef {
        name: "cycle_event",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            c("at", Kind::Time, false),
            c("actor", Kind::Text, false),
            c("from_state", Kind::Enum(CYCLE_STATE), false),
            c("to_state", Kind::Enum(CYCLE_STATE), false),
            c("forced", Kind::Bool, false),
            c("reason", Kind::Text, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "acknowledgement",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            r("person_id", "person_uuid", "person", false),
            c("at", Kind::Time, false),
            c("comment", Kind::Text, true),
            c("voided_at", Kind::Time, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "pip",
        cols: &[
            r("subject_id", "subject_uuid", "person", false),
            r("started_by", "started_by_uuid", "person", true),
            c("start_date", Kind::Date, false),
            c("end_date", Kind::Date, false),
            c("reason", Kind::Text, false),
            c("outcome", Kind::Enum(PIP_OUTCOME), true),
            c("closed_at", Kind::Time, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "pip_goal",
        cols: &[
            r("pip_id", "pip_uuid", "pip", false),
            r("goal_id", "goal_uuid", "goal", false),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "pip_checkpoint",
        cols: &[
            r("pip_id", "pip_uuid", "pip", false),
            c("due_date", Kind::Date, false),
            c("held_on", Kind::Date, true),
            c("note", Kind::Text, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "pip_step",
        cols: &[
            r("pip_id", "pip_uuid", "pip", false),
            c("at", Kind::Time, false),
            c("actor", Kind::Text, false),
            c("kind", Kind::Enum(PIP_STEP), false),
            c("outcome", Kind::Enum(PIP_OUTCOME), true),
            c("note", Kind::Text, true),
            CREATED,
            UPDATED,
        ],
    },
    TableDef {
        name: "appraisal_record",
        cols: &[
            r("cycle_id", "cycle_uuid", "cycle", false),
            r("subject_id", "subject_uuid", "person", false),
            c("finalization", Kind::Int, false),
            c("finalized_at", Kind::Time, false),
            c("finalized_by", Kind::Text, false),
            c("record", Kind::Text, false),
            c("voided_at", Kind::Time, true),
            c("void_reason", Kind::Text, true),
            CREATED,
            UPDATED,
        ],
    },
];

/// A unique key of the data besides `uuid`: the `columns` (database names)
/// of a row of any of `tables` name at most one row across them all.
#[derive(Debug, Clone, Copy)]
pub struct UniqueKey {
    /// The tables sharing the key (people and teams share one set of handles).
    pub tables: &'static [&'static str],
    /// The columns, the same in each table.
    pub columns: &'static [&'static str],
}

/// Every unique key of the data (as the command line keeps them, and the
/// database's unique indexes within a table).
pub const UNIQUE_KEYS: &[UniqueKey] = &[
    UniqueKey {
        tables: &["team", "person"],
        columns: &["handle"],
    },
    UniqueKey {
        tables: &["period"],
        columns: &["name"],
    },
    UniqueKey {
        tables: &["goal"],
        columns: &["key"],
    },
    UniqueKey {
        tables: &["measure"],
        columns: &["goal_id", "name"],
    },
    UniqueKey {
        tables: &["cycle"],
        columns: &["name"],
    },
    UniqueKey {
        tables: &["participant"],
        columns: &["cycle_id", "person_id"],
    },
    UniqueKey {
        tables: &["review"],
        columns: &["cycle_id", "subject_id", "reviewer_id", "kind"],
    },
    UniqueKey {
        tables: &["rating"],
        columns: &["review_id", "item"],
    },
    UniqueKey {
        tables: &["outcome"],
        columns: &["cycle_id", "subject_id"],
    },
    UniqueKey {
        tables: &["appraisal_record"],
        columns: &["cycle_id", "subject_id", "finalization"],
    },
    UniqueKey {
        tables: &["pip_goal"],
        columns: &["pip_id", "goal_id"],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn unique_keys_name_real_columns() {
        for k in UNIQUE_KEYS {
            for t in k.tables {
                let def = &TABLES[table_index(t).unwrap()];
                for c in k.columns {
                    let i = def.col(c).unwrap();
                    assert!(!def.cols[i].nullable, "{t}.{c}");
                }
            }
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
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
