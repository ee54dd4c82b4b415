//! Goals, their measures, and custom periods.

use super::new_uuid;
use super::org::{self, Owner};
use super::rows::{opt_date as date_opt, parse as parse_col, parse_opt};
pub use crate::domain::goal::{Goal, Measure, PeriodRow};
use crate::domain::names::{slugify, validate_key, validate_text};
use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Fields of a new goal or changes to one (`None` leaves a field alone,
/// `Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct GoalPatch {
    /// New key.
    pub key: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<Option<String>>,
    /// New owner handle.
    pub owner: Option<String>,
    /// New parent goal (id or key).
    pub parent: Option<Option<String>>,
    /// New period name.
    pub period: Option<Option<String>>,
    /// New start date.
    pub start: Option<Option<NaiveDate>>,
    /// New due date.
    pub due: Option<Option<NaiveDate>>,
    /// New weight.
    pub weight: Option<f64>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New category.
    pub category: Option<Option<Category>>,
    /// New status.
    pub status: Option<GoalStatus>,
}

/// Fields of a new measure or changes to one.
#[derive(Debug, Clone, Default)]
pub struct MeasurePatch {
    /// New name.
    pub name: Option<String>,
    /// New unit.
    pub unit: Option<Option<String>>,
    /// New kind.
    pub kind: Option<MeasureKind>,
    /// New direction (inferred from baseline and target when a new measure has none).
    pub direction: Option<Direction>,
    /// New baseline.
    pub baseline: Option<f64>,
    /// New target.
    pub target: Option<f64>,
    /// New stretch.
    pub stretch: Option<Option<f64>>,
    /// New floor.
    pub floor: Option<Option<f64>>,
    /// New weight.
    pub weight: Option<f64>,
}

/// Which goals to list.
#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    /// Owned by this person or team (a team includes its sub-teams and their members).
    pub owner: Option<String>,
    /// Owned by anyone in this team or its sub-teams, or by those teams.
    pub team: Option<String>,
    /// In this period.
    pub period: Option<String>,
    /// With one of these statuses (empty: all but dropped).
    pub statuses: Vec<GoalStatus>,
    /// At most this many.
    pub limit: Option<usize>,
}

const GOAL_SELECT: &str = "SELECT g.id, g.uuid, g.key, g.title, g.description, coalesce(op.handle, ot.handle), \
     g.owner_team_id IS NOT NULL, pg.key, g.period, g.start_date, g.due_date, g.weight, g.priority, g.category, \
     g.status, g.closed_at, g.created_at, g.updated_at \
     FROM goal g LEFT JOIN person op ON op.id = g.owner_person_id LEFT JOIN team ot ON ot.id = g.owner_team_id \
     LEFT JOIN goal pg ON pg.id = g.parent_id";

fn goal_row(r: &Row<'_>) -> rusqlite::Result<Goal> {
    Ok(Goal {
        id: r.get(0)?,
        uuid: r.get(1)?,
        key: r.get(2)?,
        title: r.get(3)?,
        description: r.get(4)?,
        owner: r.get(5)?,
        owner_is_team: r.get(6)?,
        parent: r.get(7)?,
        period: r.get(8)?,
        start: date_opt(r, 9)?,
        due: date_opt(r, 10)?,
        weight: r.get(11)?,
        priority: parse_col(r, 12)?,
        category: parse_opt(r, 13)?,
        status: parse_col(r, 14)?,
        closed_at: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

const MEASURE_SELECT: &str = "SELECT id, uuid, goal_id, position, name, unit, kind, direction, baseline, target, \
     stretch, floor, weight, created_at, updated_at FROM measure";

fn measure_row(r: &Row<'_>) -> rusqlite::Result<Measure> {
    Ok(Measure {
        id: r.get(0)?,
        uuid: r.get(1)?,
        goal_id: r.get(2)?,
        position: r.get(3)?,
        name: r.get(4)?,
        unit: r.get(5)?,
        kind: parse_col(r, 6)?,
        direction: parse_col(r, 7)?,
        baseline: r.get(8)?,
        target: r.get(9)?,
        stretch: r.get(10)?,
        floor: r.get(11)?,
        weight: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// A goal by id (`12`, `#12`) or key, if there is one.
pub fn find_goal(conn: &Connection, reference: &str) -> Result<Option<Goal>> {
    let r = reference.trim();
    let digits = r.strip_prefix('#').unwrap_or(r);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let Ok(id) = digits.parse::<i64>() else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(&format!("{GOAL_SELECT} WHERE g.id = ?1"))?;
        return Ok(stmt.query_row([id], goal_row).optional()?);
    }
    let mut stmt = conn.prepare_cached(&format!("{GOAL_SELECT} WHERE g.key = ?1"))?;
    Ok(stmt.query_row([r], goal_row).optional()?)
}

/// A goal by id or key; exit 1 if there is none.
pub fn get_goal(conn: &Connection, reference: &str) -> Result<Goal> {
    find_goal(conn, reference)?.ok_or_else(|| {
        let shown: String = reference.chars().take(80).collect();
        Error::not_found("goal", &shown)
            .with_hint("goals are named by id or key; `yardstick plan list` shows them")
    })
}

/// Goals matching a filter, ordered by id.
pub fn list_goals(conn: &Connection, filter: &GoalFilter) -> Result<Vec<Goal>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut with = String::new();
    if let Some(team) = &filter.team {
        args.push(Box::new(org::team_id(conn, team)?));
        with = "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM team t JOIN sub ON t.parent_id = sub.id) ".into();
        clauses.push(
            "(g.owner_team_id IN (SELECT id FROM sub) \
              OR g.owner_person_id IN (SELECT id FROM person WHERE team_id IN (SELECT id FROM sub)))"
                .into(),
        );
    }
    if let Some(owner) = &filter.owner {
        let column = match org::owner(conn, owner)? {
            Owner::Person(id) => {
                args.push(Box::new(id));
                "g.owner_person_id"
            }
            Owner::Team(id) => {
                args.push(Box::new(id));
                "g.owner_team_id"
            }
        };
        clauses.push(format!("{column} = ?{}", args.len()));
    }
    if let Some(period) = &filter.period {
        args.push(Box::new(period.clone()));
        clauses.push(format!("g.period = ?{}", args.len()));
    }
    if filter.statuses.is_empty() {
        clauses.push("g.status <> 'dropped'".into());
    } else {
        // The statuses are our own enum spellings, never user text.
        let list: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        clauses.push(format!("g.status IN ({})", list.join(", ")));
    }
    let limit = filter
        .limit
        .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    args.push(Box::new(limit));
    let sql = format!(
        "{with}{GOAL_SELECT} WHERE {} ORDER BY g.id LIMIT ?{}",
        clauses.join(" AND "),
        args.len()
    );
    let mut stmt = conn.prepare(&sql)?;
    let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    Ok(stmt
        .query_map(refs.as_slice(), goal_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every goal, including dropped ones, ordered by id.
pub fn all_goals(conn: &Connection) -> Result<Vec<Goal>> {
    let mut stmt = conn.prepare_cached(&format!("{GOAL_SELECT} ORDER BY g.id"))?;
    Ok(stmt
        .query_map([], goal_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The goals `roots` and all their descendants, ordered by id.
pub fn goals_with_descendants(conn: &Connection, roots: &[i64]) -> Result<Vec<Goal>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH RECURSIVE sub(id) AS (SELECT value FROM json_each(?1) \
         UNION SELECT c.id FROM goal c JOIN sub ON c.parent_id = sub.id) \
         {GOAL_SELECT} WHERE g.id IN (SELECT id FROM sub) ORDER BY g.id"
    ))?;
    Ok(stmt
        .query_map([super::rows::json_ids(roots)], goal_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The measures of the given goals, by goal then position.
pub fn measures_of_goals(conn: &Connection, goals: &[i64]) -> Result<Vec<Measure>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MEASURE_SELECT} WHERE goal_id IN (SELECT value FROM json_each(?1)) ORDER BY goal_id, position, id"
    ))?;
    Ok(stmt
        .query_map([super::rows::json_ids(goals)], measure_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The measures of a goal, in order.
pub fn measures(conn: &Connection, goal_id: i64) -> Result<Vec<Measure>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MEASURE_SELECT} WHERE goal_id = ?1 ORDER BY position, id"
    ))?;
    Ok(stmt
        .query_map([goal_id], measure_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every measure, by goal then position.
pub fn all_measures(conn: &Connection) -> Result<Vec<Measure>> {
    let mut stmt =
        conn.prepare_cached(&format!("{MEASURE_SELECT} ORDER BY goal_id, position, id"))?;
    Ok(stmt
        .query_map([], measure_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// A measure of a goal by name; exit 1 (listing the names) if there is none.
pub fn get_measure(conn: &Connection, goal: &Goal, name: &str) -> Result<Measure> {
    let all = measures(conn, goal.id)?;
    if let Some(m) = all.iter().find(|m| m.name == name) {
        return Ok(m.clone());
    }
    let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
    let hint = if names.is_empty() {
        format!("goal {} has no measures yet", goal.key)
    } else {
        format!("goal {} has: {}", goal.key, names.join(", "))
    };
    Err(Error::failed(format!("goal {} has no measure '{name}'", goal.key)).with_hint(hint))
}

fn unique_key(conn: &Connection, base: &str) -> Result<String> {
    let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM goal WHERE key = ?1)")?;
    let mut candidate = base.to_string();
    let mut n = 2;
    while stmt.query_row([&candidate], |r| r.get::<_, bool>(0))? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

fn check_weight(what: &str, w: f64) -> Result<()> {
    if !w.is_finite() || w <= 0.0 {
        return Err(Error::invalid(format!(
            "{what} weight must be a number greater than 0 (got {w})"
        ))
        .with_hint("weights are relative, e.g. 1, 2 or 0.5"));
    }
    Ok(())
}

fn apply_goal_patch(conn: &Connection, g: &mut Goal, patch: &GoalPatch) -> Result<()> {
    if let Some(key) = &patch.key {
        validate_key(key)?;
        if key != &g.key && find_goal(conn, key)?.is_some() {
            return Err(
                Error::failed(format!("a goal with key '{key}' already exists"))
                    .with_hint("choose another --key"),
            );
        }
        g.key = key.clone();
    }
    if let Some(title) = &patch.title {
        validate_text("title", title, 300)?;
        g.title = title.trim().to_string();
    }
    if let Some(d) = &patch.description {
        g.description = match d {
            Some(s) if !s.trim().is_empty() => {
                validate_text("description", s, 10_000)?;
                Some(s.trim().to_string())
            }
            _ => None,
        };
    }
    if let Some(owner) = &patch.owner {
        let o = org::owner(conn, owner)?;
        g.owner = owner.clone();
        g.owner_is_team = matches!(o, Owner::Team(_));
    }
    if let Some(parent) = &patch.parent {
        g.parent = match parent {
            None => None,
            Some(p) => {
                let pg = get_goal(conn, p)?;
                if pg.id == g.id || pg.key == g.key {
                    return Err(Error::invalid(format!(
                        "goal {} cannot be aligned to itself",
                        g.key
                    )));
                }
                if g.id != 0 && ancestors(conn, pg.id)?.contains(&g.id) {
                    return Err(Error::invalid(format!(
                        "aligning {} to {} would create a cycle ({} is already below {})",
                        g.key, pg.key, pg.key, g.key
                    ))
                    .with_hint("a goal can only align to a goal that is not below it"));
                }
                Some(pg.key)
            }
        };
    }
    if let Some(p) = &patch.period {
        g.period = p.clone();
    }
    if let Some(s) = patch.start {
        g.start = s;
    }
    if let Some(d) = patch.due {
        g.due = d;
    }
    if let (Some(s), Some(d)) = (g.start, g.due) {
        if s > d {
            return Err(Error::invalid(format!(
                "goal {} would start ({s}) after it is due ({d})",
                g.key
            ))
            .with_hint("check --start and --due"));
        }
    }
    if let Some(w) = patch.weight {
        check_weight("goal", w)?;
        g.weight = w;
    }
    if let Some(p) = patch.priority {
        g.priority = p;
    }
    if let Some(c) = patch.category {
        g.category = c;
    }
    if let Some(s) = patch.status {
        g.status = s;
    }
    Ok(())
}

/// The ids of a goal and every goal above it.
fn ancestors(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION SELECT g.parent_id, up.depth + 1 FROM goal g JOIN up ON g.id = up.id \
         WHERE g.parent_id IS NOT NULL AND up.depth < 10000) SELECT id FROM up",
    )?;
    Ok(stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

fn write_goal(conn: &Connection, g: &Goal, now: &str) -> Result<()> {
    let owner = org::owner(conn, &g.owner)?;
    let (person, team) = match owner {
        Owner::Person(id) => (Some(id), None),
        Owner::Team(id) => (None, Some(id)),
    };
    let parent = match &g.parent {
        Some(k) => Some(get_goal(conn, k)?.id),
        None => None,
    };
    let closed_at = if g.status.is_closed() {
        g.closed_at.clone().or_else(|| Some(now.to_string()))
    } else {
        None
    };
    conn.prepare_cached(
        "UPDATE goal SET key = ?2, title = ?3, description = ?4, owner_person_id = ?5, owner_team_id = ?6, parent_id = ?7, \
         period = ?8, start_date = ?9, due_date = ?10, weight = ?11, priority = ?12, category = ?13, status = ?14, \
         closed_at = ?15, updated_at = ?16 WHERE id = ?1",
    )?
    .execute(params![
        g.id,
        g.key,
        g.title,
        g.description,
        person,
        team,
        parent,
        g.period,
        g.start.map(|d| d.to_string()),
        g.due.map(|d| d.to_string()),
        g.weight,
        g.priority.as_str(),
        g.category.map(|c| c.as_str()),
        g.status.as_str(),
        closed_at,
        now
    ])?;
    Ok(())
}

/// Add a goal. The patch must set a title and an owner; a key is made from
/// the title when none is given.
pub fn add_goal(conn: &Connection, now: &str, patch: &GoalPatch) -> Result<Goal> {
    let Some(title) = &patch.title else {
        return Err(Error::invalid("a goal needs a title"));
    };
    validate_text("title", title, 300)?;
    let Some(owner) = &patch.owner else {
        return Err(Error::invalid("a goal needs an owner")
            .with_hint("pass --owner HANDLE (a person or team)"));
    };
    let key = match &patch.key {
        Some(k) => {
            validate_key(k)?;
            if find_goal(conn, k)?.is_some() {
                return Err(
                    Error::failed(format!("a goal with key '{k}' already exists"))
                        .with_hint("choose another --key"),
                );
            }
            k.clone()
        }
        None => unique_key(conn, &slugify(title))?,
    };
    let o = org::owner(conn, owner)?;
    let (person, team) = match o {
        Owner::Person(id) => (Some(id), None),
        Owner::Team(id) => (None, Some(id)),
    };
    conn.prepare_cached(
        "INSERT INTO goal(uuid, key, title, owner_person_id, owner_team_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![new_uuid(), key, title.trim(), person, team, now])?;
    let mut g = get_goal(conn, &key)?;
    let rest = GoalPatch {
        key: None,
        ..patch.clone()
    };
    apply_goal_patch(conn, &mut g, &rest)?;
    write_goal(conn, &g, now)?;
    get_goal(conn, &key)
}

/// Edit a goal; returns it and whether anything changed.
pub fn edit_goal(
    conn: &Connection,
    now: &str,
    reference: &str,
    patch: &GoalPatch,
) -> Result<(Goal, bool)> {
    let before = get_goal(conn, reference)?;
    let mut after = before.clone();
    apply_goal_patch(conn, &mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    write_goal(conn, &after, now)?;
    Ok((get_goal(conn, &after.key)?, true))
}

/// Remove a goal with its measures and check-ins; goals aligned to it lose the link.
pub fn remove_goal(conn: &Connection, reference: &str) -> Result<Goal> {
    let g = get_goal(conn, reference)?;
    conn.execute("DELETE FROM goal WHERE id = ?1", [g.id])?;
    Ok(g)
}

/// The goals aligned directly to a goal.
pub fn children(conn: &Connection, goal_id: i64) -> Result<Vec<Goal>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{GOAL_SELECT} WHERE g.parent_id = ?1 ORDER BY g.id"
    ))?;
    Ok(stmt
        .query_map([goal_id], goal_row)?
        .collect::<rusqlite::Result<_>>()?)
}

fn apply_measure_patch(m: &mut Measure, patch: &MeasurePatch) -> Result<()> {
    if let Some(name) = &patch.name {
        validate_text("measure name", name, 200)?;
        m.name = name.trim().to_string();
    }
    if let Some(u) = &patch.unit {
        m.unit = u
            .as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
    }
    if let Some(k) = patch.kind {
        m.kind = k;
    }
    if let Some(b) = patch.baseline {
        m.baseline = b;
    }
    if let Some(t) = patch.target {
        m.target = t;
    }
    if let Some(s) = patch.stretch {
        m.stretch = s;
    }
    if let Some(f) = patch.floor {
        m.floor = f;
    }
    if let Some(w) = patch.weight {
        check_weight("measure", w)?;
        m.weight = w;
    }
    if let Some(d) = patch.direction {
        m.direction = d;
    }
    m.spec()
        .validate()
        .map_err(|e| e.context(format!("measure '{}'", m.name)))
}

fn write_measure(conn: &Connection, m: &Measure, now: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE measure SET name = ?2, unit = ?3, kind = ?4, direction = ?5, baseline = ?6, target = ?7, stretch = ?8, \
         floor = ?9, weight = ?10, position = ?11, updated_at = ?12 WHERE id = ?1",
    )?
    .execute(params![
        m.id,
        m.name,
        m.unit,
        m.kind.as_str(),
        m.direction.as_str(),
        m.baseline,
        m.target,
        m.stretch,
        m.floor,
        m.weight,
        m.position,
        now
    ])?;
    Ok(())
}

/// Add a measure to a goal. Baseline and target are required; the direction
/// is inferred from them when not given.
pub fn add_measure(
    conn: &Connection,
    now: &str,
    goal: &Goal,
    patch: &MeasurePatch,
) -> Result<Measure> {
    let Some(name) = &patch.name else {
        return Err(Error::invalid("a measure needs a name"));
    };
    let (Some(baseline), Some(target)) = (patch.baseline, patch.target) else {
        return Err(
            Error::invalid(format!("measure '{name}' needs a baseline and a target"))
                .with_hint("pass --baseline N --target N"),
        );
    };
    let existing = measures(conn, goal.id)?;
    if existing.iter().any(|m| m.name == name.trim()) {
        return Err(
            Error::failed(format!("goal {} already has a measure '{name}'", goal.key)).with_hint(
                format!(
                    "change it with `yardstick plan edit {} --measure \"{name}\" ...`",
                    goal.key
                ),
            ),
        );
    }
    let mut m = Measure {
        id: 0,
        uuid: new_uuid(),
        goal_id: goal.id,
        position: existing.iter().map(|m| m.position).max().unwrap_or(0) + 1,
        name: name.clone(),
        unit: None,
        kind: MeasureKind::Number,
        direction: crate::domain::measure::infer_direction(baseline, target),
        baseline,
        target,
        stretch: None,
        floor: None,
        weight: 1.0,
        created_at: now.to_string(),
        updated_at: now.to_string(),
    };
    apply_measure_patch(&mut m, patch)?;
    conn.prepare_cached(
        "INSERT INTO measure(uuid, goal_id, position, name, unit, kind, direction, baseline, target, stretch, floor, weight, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        m.uuid,
        m.goal_id,
        m.position,
        m.name,
        m.unit,
        m.kind.as_str(),
        m.direction.as_str(),
        m.baseline,
        m.target,
        m.stretch,
        m.floor,
        m.weight,
        now
    ])?;
    m.id = conn.last_insert_rowid();
    Ok(m)
}

/// Edit a measure; returns it and whether anything changed.
pub fn edit_measure(
    conn: &Connection,
    now: &str,
    goal: &Goal,
    name: &str,
    patch: &MeasurePatch,
) -> Result<(Measure, bool)> {
    let before = get_measure(conn, goal, name)?;
    let mut after = before.clone();
    apply_measure_patch(&mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    if after.name != before.name
        && measures(conn, goal.id)?
            .iter()
            .any(|m| m.name == after.name)
    {
        return Err(Error::failed(format!(
            "goal {} already has a measure '{}'",
            goal.key, after.name
        )));
    }
    write_measure(conn, &after, now)?;
    Ok((get_measure(conn, goal, &after.name)?, true))
}

/// Remove a measure and its check-ins.
pub fn remove_measure(conn: &Connection, goal: &Goal, name: &str) -> Result<Measure> {
    let m = get_measure(conn, goal, name)?;
    conn.execute("DELETE FROM measure WHERE id = ?1", [m.id])?;
    Ok(m)
}

/// Custom periods, by start date.
pub fn list_periods(conn: &Connection) -> Result<Vec<PeriodRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, start_date, end_date FROM period ORDER BY start_date, name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(PeriodRow {
            name: r.get(0)?,
            start: date_opt(r, 1)?.unwrap_or_default(),
            end: date_opt(r, 2)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A custom period by name.
pub fn find_period(conn: &Connection, name: &str) -> Result<Option<PeriodRow>> {
    Ok(list_periods(conn)?.into_iter().find(|p| p.name == name))
}

/// Add or update a custom period; returns whether anything changed.
pub fn put_period(conn: &Connection, now: &str, p: &PeriodRow) -> Result<bool> {
    validate_key(&p.name.to_ascii_lowercase()).map_err(|_| {
        Error::invalid(format!("'{}' is not a valid period name", p.name))
            .with_hint("use letters, digits, '-', '_' or '.', starting with a letter, e.g. FY2027")
    })?;
    if p.start > p.end {
        return Err(Error::invalid(format!(
            "period {} would end ({}) before it starts ({})",
            p.name, p.end, p.start
        )));
    }
    match find_period(conn, &p.name)? {
        Some(old) if &old == p => Ok(false),
        Some(_) => {
            conn.execute(
                "UPDATE period SET start_date = ?2, end_date = ?3, updated_at = ?4 WHERE name = ?1",
                params![p.name, p.start.to_string(), p.end.to_string(), now],
            )?;
            Ok(true)
        }
        None => {
            conn.execute(
                "INSERT INTO period(uuid, name, start_date, end_date, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![new_uuid(), p.name, p.start.to_string(), p.end.to_string(), now],
            )?;
            Ok(true)
        }
    }
}

/// Remove a custom period; refused while goals use it.
pub fn remove_period(conn: &Connection, name: &str) -> Result<PeriodRow> {
    let Some(p) = find_period(conn, name)? else {
        return Err(Error::not_found("period", name)
            .with_hint("`yardstick period list` shows custom periods"));
    };
    let used: i64 = conn.query_row("SELECT count(*) FROM goal WHERE period = ?1", [name], |r| {
        r.get(0)
    })?;
    if used > 0 {
        return Err(Error::failed(format!("{used} goal(s) use period {name}"))
            .with_hint("move them to another period first"));
    }
    conn.execute("DELETE FROM period WHERE name = ?1", [name])?;
    Ok(p)
}
