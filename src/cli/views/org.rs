//! Documents for the organisation, plan and log: one builder per view, so
//! every format of a view shows the same fields.

use crate::app::report::plan::{GoalState, TreeRow};
use crate::domain::org::{Person, Team};
use crate::render::cells::{bar, status};
use crate::render::{Cell, Column, Doc, Record, Table};
use crate::store::OpEntry;

fn raw_pct(ratio: f64, has_value: bool) -> Cell {
    if has_value {
        Cell::Percent(ratio * 100.0)
    } else {
        Cell::Null
    }
}

/// `people list`.
pub fn people(people: &[Person]) -> Doc {
    let mut t = Table::new(
        "people",
        vec![
            Column::new("handle", "Handle"),
            Column::new("name", "Name"),
            Column::new("title", "Title"),
            Column::new("team", "Team"),
            Column::new("manager", "Manager"),
            Column::new("email", "Email"),
            Column::new("active", "Active"),
        ],
    );
    for p in people {
        t.push(vec![
            p.handle.as_str().into(),
            p.name.as_str().into(),
            p.title.clone().into(),
            p.team.clone().into(),
            p.manager.clone().into(),
            p.email.clone().into(),
            p.active.into(),
        ]);
    }
    Doc::table("people", t).with_empty_message(
        "No people yet. Add one with `yardstick people add HANDLE --name NAME`.",
    )
}

/// `people show`.
pub fn person(p: &Person, reports: &[Person]) -> Doc {
    let r = Record::new("person")
        .field("handle", "Handle", p.handle.as_str())
        .field("uuid", "UUID", p.uuid.as_str())
        .field("name", "Name", p.name.as_str())
        .field("title", "Title", p.title.clone())
        .field("email", "Email", p.email.clone())
        .field("team", "Team", p.team.clone())
        .field("manager", "Manager", p.manager.clone())
        .field("active", "Active", p.active)
        .field(
            "mission_purpose",
            "Mission: purpose",
            p.mission.purpose.clone(),
        )
        .field(
            "mission_customers",
            "Mission: customers",
            p.mission.customers.clone(),
        )
        .field(
            "mission_product",
            "Mission: product",
            p.mission.product.clone(),
        )
        .field("mission_scope", "Mission: scope", p.mission.scope.clone())
        .field(
            "checkin_cadence_days",
            "Check-in cadence (days)",
            p.cadence_days,
        )
        .field(
            "reports",
            "Direct reports",
            reports
                .iter()
                .map(|r| r.handle.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    Doc::record("person", r)
}

/// `team list`: teams with their member counts.
pub fn teams(teams: &[(Team, i64)]) -> Doc {
    let mut t = Table::new(
        "teams",
        vec![
            Column::new("handle", "Handle"),
            Column::new("name", "Name"),
            Column::new("parent", "Parent"),
            Column::new("lead", "Lead"),
            Column::new("members", "Members"),
        ],
    );
    for (team, n) in teams {
        t.push(vec![
            team.handle.as_str().into(),
            team.name.as_str().into(),
            team.parent.clone().into(),
            team.lead.clone().into(),
            (*n).into(),
        ]);
    }
    Doc::table("teams", t)
        .with_empty_message("No teams yet. Add one with `yardstick team add HANDLE --name NAME`.")
}

/// `team tree`: teams indented under their parents.
pub fn team_tree(rows: &[(usize, Team, i64)]) -> Doc {
    let mut t = Table::new(
        "teams",
        vec![
            Column::new("team", "Team"),
            Column::new("handle", "Handle"),
            Column::new("depth", "Depth"),
            Column::new("parent", "Parent"),
            Column::new("lead", "Lead"),
            Column::new("members", "Members"),
        ],
    );
    for (depth, team, n) in rows {
        t.push(vec![
            Cell::tree(*depth, team.name.as_str()),
            team.handle.as_str().into(),
            i64::try_from(*depth).unwrap_or(i64::MAX).into(),
            team.parent.clone().into(),
            team.lead.clone().into(),
            (*n).into(),
        ]);
    }
    Doc::table("team_tree", t).with_empty_message("No teams yet.")
}

/// `team show`.
pub fn team(team: &Team, members: &[Person], subteams: &[Team]) -> Doc {
    let r = Record::new("team")
        .field("handle", "Handle", team.handle.as_str())
        .field("uuid", "UUID", team.uuid.as_str())
        .field("name", "Name", team.name.as_str())
        .field("parent", "Parent", team.parent.clone())
        .field("lead", "Lead", team.lead.clone())
        .field(
            "subteams",
            "Sub-teams",
            subteams
                .iter()
                .map(|t| t.handle.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    let mut doc = Doc::record("team", r);
    let members_doc = people(members);
    if let Some(t) = members_doc.first_table() {
        doc = doc.with_table(Table {
            key: "members",
            title: Some("Members".into()),
            ..t.clone()
        });
    }
    doc
}

fn goal_columns() -> Vec<Column> {
    vec![
        Column::new("id", "ID"),
        Column::new("key", "Key"),
        Column::new("title", "Title"),
        Column::new("owner", "Owner"),
        Column::new("period", "Period"),
        Column::new("due", "Due"),
        Column::new("weight", "Weight"),
        Column::new("status", "Status"),
        Column::new("measures", "Measures"),
        Column::new("progress_pct", "Progress"),
        Column::new("expected_pct", "Expected"),
        Column::new("pace", "Pace"),
        Column::new("reported", "Reported"),
        Column::new("last_checkin_days", "Last"),
    ]
}

fn goal_cells(s: &GoalState) -> Vec<Cell> {
    let g = &s.goal;
    vec![
        g.id.into(),
        g.key.as_str().into(),
        g.title.as_str().into(),
        g.owner.as_str().into(),
        g.period.clone().into(),
        g.due.into(),
        g.weight.into(),
        Cell::Status(g.status.to_string()),
        i64::try_from(s.measures.len()).unwrap_or(i64::MAX).into(),
        bar(s.progress),
        s.expected.map_or(Cell::Null, |e| Cell::Percent(e * 100.0)),
        status(s.pace),
        status(s.reported.clone()),
        s.checkin_age_days.into(),
    ]
}

/// `plan list`.
pub fn goals(states: &[GoalState]) -> Doc {
    let mut t = Table::new("goals", goal_columns());
    for s in states {
        t.push(goal_cells(s));
    }
    Doc::table("goals", t).with_empty_message(
        "No goals match. Add one with `yardstick plan add TITLE --owner HANDLE`.",
    )
}

fn measure_table(key: &'static str, title: Option<String>, s: &GoalState) -> Table {
    let mut t = Table::new(
        key,
        vec![
            Column::new("measure", "Measure"),
            Column::new("unit", "Unit"),
            Column::new("kind", "Kind"),
            Column::new("direction", "Direction"),
            Column::new("baseline", "Baseline"),
            Column::new("current", "Current"),
            Column::new("target", "Target"),
            Column::new("stretch", "Stretch"),
            Column::new("floor", "Floor"),
            Column::new("weight", "Weight"),
            Column::new("progress_pct", "Progress"),
            Column::new("standard", "Standard"),
            Column::new("as_of", "As of"),
            Column::new("forecast", "Forecast"),
            Column::new("forecast_method", "Method"),
        ],
    );
    t.title = title;
    for m in &s.measures {
        let x = &m.measure;
        t.push(vec![
            x.name.as_str().into(),
            x.unit.clone().into(),
            x.kind.as_str().into(),
            x.direction.as_str().into(),
            x.baseline.into(),
            m.current.into(),
            x.target.into(),
            x.stretch.into(),
            x.floor.into(),
            x.weight.into(),
            raw_pct(m.progress.raw, m.progress.has_value),
            status(m.standard),
            m.as_of.into(),
            m.forecast.map(|f| (f.value * 100.0).round() / 100.0).into(),
            m.forecast.map(|f| f.method.as_str()).into(),
        ]);
    }
    t
}

/// `plan show`: the goal, its measures and the goals aligned to it.
pub fn goal(s: &GoalState, children: &[&GoalState]) -> Doc {
    let g = &s.goal;
    let r = Record::new("goal")
        .field("id", "ID", g.id)
        .field("key", "Key", g.key.as_str())
        .field("uuid", "UUID", g.uuid.as_str())
        .field("title", "Title", g.title.as_str())
        .field("description", "Description", g.description.clone())
        .field("owner", "Owner", g.owner.as_str())
        .field(
            "owner_kind",
            "Owner kind",
            if g.owner_is_team { "team" } else { "person" },
        )
        .field("parent", "Aligned to", g.parent.clone())
        .field("period", "Period", g.period.clone())
        .field("start", "Start", g.start)
        .field("due", "Due", g.due)
        .field("weight", "Weight", g.weight)
        .field("priority", "Priority", g.priority.as_str())
        .field("category", "Category", g.category.map(|c| c.as_str()))
        .field("status", "Status", Cell::Status(g.status.to_string()))
        .field("progress_pct", "Progress", bar(s.progress))
        .field(
            "expected_pct",
            "Expected by today",
            s.expected.map_or(Cell::Null, |e| Cell::Percent(e * 100.0)),
        )
        .field("pace", "Pace", status(s.pace))
        .field("reported", "Reported status", status(s.reported.clone()))
        .field("standard", "Standard", status(s.standard))
        .field("last_checkin", "Last check-in", s.last_checkin)
        .field(
            "last_checkin_days",
            "Days since check-in",
            s.checkin_age_days,
        );
    let mut doc =
        Doc::record("goal", r).with_table(measure_table("measures", Some("Measures".into()), s));
    let mut kids = Table::new("aligned", goal_columns());
    kids.title = Some("Aligned goals".into());
    for c in children {
        kids.push(goal_cells(c));
    }
    if !children.is_empty() {
        doc = doc.with_table(kids);
    }
    doc
}

/// `plan tree`.
pub fn goal_tree(rows: &[TreeRow<'_>]) -> Doc {
    let mut t = Table::new(
        "tree",
        vec![
            Column::new("title", "Goal"),
            Column::new("key", "Key"),
            Column::new("depth", "Depth"),
            Column::new("parent", "Aligned to"),
            Column::new("owner", "Owner"),
            Column::new("weight", "Weight"),
            Column::new("status", "Status"),
            Column::new("progress_pct", "Progress"),
        ],
    );
    for row in rows {
        let g = &row.state.goal;
        t.push(vec![
            Cell::tree(row.depth, g.title.as_str()),
            g.key.as_str().into(),
            i64::try_from(row.depth).unwrap_or(i64::MAX).into(),
            g.parent.clone().into(),
            g.owner.as_str().into(),
            g.weight.into(),
            Cell::Status(g.status.to_string()),
            bar(row.state.progress),
        ]);
    }
    Doc::table("goal_tree", t).with_empty_message("No goals yet.")
}

/// `log`.
pub fn log(entries: &[OpEntry]) -> Doc {
    let mut t = Table::new(
        "operations",
        vec![
            Column::new("id", "Op"),
            Column::new("at", "When"),
            Column::new("actor", "Who"),
            Column::new("command", "Command"),
            Column::new("summary", "What"),
            Column::new("undone_at", "Undone"),
        ],
    );
    for e in entries {
        t.push(vec![
            e.id.into(),
            e.at.as_str().into(),
            e.actor.as_str().into(),
            e.command.as_str().into(),
            e.summary.as_str().into(),
            e.undone_at.clone().into(),
        ]);
    }
    Doc::table("log", t).with_empty_message("No operations yet.")
}

/// A list of changes (`plan apply`, `plan carry`): action, entity, name, detail.
pub fn changes(kind: &'static str, rows: &[(String, String, String, String)]) -> Doc {
    let mut t = Table::new(
        "changes",
        vec![
            Column::new("action", "Action"),
            Column::new("entity", "Entity"),
            Column::new("name", "Name"),
            Column::new("detail", "Detail"),
        ],
    );
    for (a, e, n, d) in rows {
        t.push(vec![
            Cell::Status(a.clone()),
            e.as_str().into(),
            n.as_str().into(),
            d.as_str().into(),
        ]);
    }
    Doc::table(kind, t).with_empty_message("No changes.")
}

/// `period list`.
pub fn periods(rows: &[crate::domain::goal::PeriodRow]) -> Doc {
    let mut t = Table::new(
        "periods",
        vec![
            Column::new("name", "Name"),
            Column::new("start", "Start"),
            Column::new("end", "End"),
            Column::new("days", "Days"),
        ],
    );
    for p in rows {
        t.push(vec![
            p.name.as_str().into(),
            p.start.into(),
            p.end.into(),
            (crate::time::days_between(p.start, p.end) + 1).into(),
        ]);
    }
    Doc::table("periods", t).with_empty_message(
        "No custom periods. Built-in names (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) need none.",
    )
}

/// `config show`: each setting, its value and where it came from.
pub fn settings(rows: &[(&str, Cell, &str)]) -> Doc {
    let mut t = Table::new(
        "settings",
        vec![
            Column::new("key", "Setting"),
            Column::new("value", "Value"),
            Column::new("source", "Source"),
        ],
    );
    for (k, v, s) in rows {
        t.push(vec![(*k).into(), v.clone(), (*s).into()]);
    }
    Doc::table("config", t)
}

/// `doctor`: one record of checks, one table of row counts.
pub fn doctor(path: &str, h: &crate::store::maintenance::Health) -> Doc {
    Doc::new("doctor")
        .with_record(doctor_record(path, h))
        .with_table(doctor_tables(h))
}

/// The doctor's health record: file, schema, pragmas, integrity and the log.
fn doctor_record(path: &str, h: &crate::store::maintenance::Health) -> Record {
    let integrity = if h.integrity_ok() {
        "ok".to_string()
    } else {
        h.integrity.join("\n")
    };
    let schema_status = if h.schema_version == h.schema_expected {
        "current"
    } else if h.schema_version < h.schema_expected {
        "older (upgraded by the next write)"
    } else {
        "newer than this build"
    };
    let (ops, undone) = match h.operations {
        Ok((n, u)) => (Cell::Int(n), Cell::Int(u)),
        Err(_) => (Cell::Null, Cell::Null),
    };
    let fk = match h.foreign_key_violations {
        Ok(n) => Cell::Int(n),
        Err(_) => Cell::Null,
    };
    Record::new("doctor")
        .with_title("Database health")
        .field("path", "File", path)
        .field(
            "size_bytes",
            "Size (bytes)",
            i64::try_from(h.size).unwrap_or(i64::MAX),
        )
        .field("healthy", "Healthy", h.healthy())
        .field("schema_version", "Schema version", h.schema_version)
        .field(
            "schema_version_supported",
            "This build's schema version",
            h.schema_expected,
        )
        .field("schema_status", "Schema", Cell::status(schema_status))
        .field(
            "application_id_ok",
            "Application id ok",
            h.application_id_ok,
        )
        .field("journal_mode", "Journal mode", h.journal_mode.as_str())
        .field("synchronous", "Synchronous", h.synchronous.as_str())
        .field("foreign_keys", "Foreign keys", h.foreign_keys)
        .field("secure_delete", "Secure delete", h.secure_delete)
        .field("busy_timeout_ms", "Busy timeout (ms)", h.busy_timeout_ms)
        .field("page_size", "Page size", h.page_size)
        .field("page_count", "Pages", h.page_count)
        .field("freelist_count", "Free pages", h.freelist_count)
        .field(
            "sqlite_version",
            "SQLite version",
            h.sqlite_version.as_str(),
        )
        .field("integrity_check", "Integrity check", integrity)
        .field("foreign_key_violations", "Foreign-key violations", fk)
        .field("operations", "Operations in the log", ops)
        .field("operations_undone", "Operations undone", undone)
}

/// The doctor's rows-per-table table, with the error where a table could not be counted.
fn doctor_tables(h: &crate::store::maintenance::Health) -> Table {
    let mut tables = Table::new(
        "tables",
        vec![
            Column::new("table", "Table"),
            Column::new("rows", "Rows"),
            Column::new("error", "Error"),
        ],
    )
    .with_title("Rows per table");
    for t in &h.tables {
        match &t.rows {
            Ok(n) => tables.push(vec![t.name.as_str().into(), Cell::Int(*n), Cell::Null]),
            Err(e) => tables.push(vec![t.name.as_str().into(), Cell::Null, e.as_str().into()]),
        }
    }
    tables
}
