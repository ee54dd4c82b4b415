//! The organisation: people and teams.

use super::new_uuid;
use crate::domain::names::{validate_handle, validate_text};
pub use crate::domain::org::{Owner, Person, Team};
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};

pub use crate::domain::Mission;

/// Changes to a person: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    /// New name.
    pub name: Option<String>,
    /// New e-mail.
    pub email: Option<Option<String>>,
    /// New title.
    pub title: Option<Option<String>>,
    /// New manager handle.
    pub manager: Option<Option<String>>,
    /// New team handle.
    pub team: Option<Option<String>>,
    /// Active or not.
    pub active: Option<bool>,
    /// Mission: purpose.
    pub purpose: Option<Option<String>>,
    /// Mission: customers.
    pub customers: Option<Option<String>>,
    /// Mission: product.
    pub product: Option<Option<String>>,
    /// Mission: scope.
    pub scope: Option<Option<String>>,
    /// Check-in cadence in days.
    pub cadence_days: Option<Option<i64>>,
}

/// Changes to a team: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    /// New name.
    pub name: Option<String>,
    /// New parent team handle.
    pub parent: Option<Option<String>>,
    /// New lead handle.
    pub lead: Option<Option<String>>,
}

const PERSON_SELECT: &str = "SELECT p.id, p.uuid, p.handle, p.name, p.email, p.title, m.handle, t.handle, p.active, \
     p.mission_purpose, p.mission_customers, p.mission_product, p.mission_scope, p.created_at, p.updated_at, \
     p.checkin_cadence_days FROM person p LEFT JOIN person m ON m.id = p.manager_id LEFT JOIN team t ON t.id = p.team_id";

fn person_row(r: &Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get(0)?,
        uuid: r.get(1)?,
        handle: r.get(2)?,
        name: r.get(3)?,
        email: r.get(4)?,
        title: r.get(5)?,
        manager: r.get(6)?,
        team: r.get(7)?,
        active: r.get(8)?,
        mission: Mission {
            purpose: r.get(9)?,
            customers: r.get(10)?,
            product: r.get(11)?,
            scope: r.get(12)?,
        },
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        cadence_days: r.get(15)?,
    })
}

const TEAM_SELECT: &str = "SELECT t.id, t.uuid, t.handle, t.name, pt.handle, l.handle, t.created_at, t.updated_at \
     FROM team t LEFT JOIN team pt ON pt.id = t.parent_id LEFT JOIN person l ON l.id = t.lead_id";

fn team_row(r: &Row<'_>) -> rusqlite::Result<Team> {
    Ok(Team {
        id: r.get(0)?,
        uuid: r.get(1)?,
        handle: r.get(2)?,
        name: r.get(3)?,
        parent: r.get(4)?,
        lead: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

/// A person by handle, if there is one.
pub fn find_person(conn: &Connection, handle: &str) -> Result<Option<Person>> {
    let mut stmt = conn.prepare_cached(&format!("{PERSON_SELECT} WHERE p.handle = ?1"))?;
    Ok(stmt.query_row([handle], person_row).optional()?)
}

/// A person by handle; exit 1 if there is none.
pub fn get_person(conn: &Connection, handle: &str) -> Result<Person> {
    find_person(conn, handle)?.ok_or_else(|| {
        Error::not_found("person", handle).with_hint("`yardstick people list` shows the handles")
    })
}

/// The row id of a person; exit 1 if there is none.
pub fn person_id(conn: &Connection, handle: &str) -> Result<i64> {
    let mut stmt = conn.prepare_cached("SELECT id FROM person WHERE handle = ?1")?;
    stmt.query_row([handle], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::not_found("person", handle)
                .with_hint("`yardstick people list` shows the handles")
        })
}

/// A team by handle, if there is one.
pub fn find_team(conn: &Connection, handle: &str) -> Result<Option<Team>> {
    let mut stmt = conn.prepare_cached(&format!("{TEAM_SELECT} WHERE t.handle = ?1"))?;
    Ok(stmt.query_row([handle], team_row).optional()?)
}

/// A team by handle; exit 1 if there is none.
pub fn get_team(conn: &Connection, handle: &str) -> Result<Team> {
    find_team(conn, handle)?.ok_or_else(|| {
        Error::not_found("team", handle).with_hint("`yardstick team list` shows the handles")
    })
}

/// The row id of a team; exit 1 if there is none.
pub fn team_id(conn: &Connection, handle: &str) -> Result<i64> {
    let mut stmt = conn.prepare_cached("SELECT id FROM team WHERE handle = ?1")?;
    stmt.query_row([handle], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::not_found("team", handle).with_hint("`yardstick team list` shows the handles")
        })
}

/// Resolve an owner handle (people and teams share one namespace).
pub fn owner(conn: &Connection, handle: &str) -> Result<Owner> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'p', id FROM person WHERE handle = ?1 UNION ALL SELECT 't', id FROM team WHERE handle = ?1",
    )?;
    let found: Option<(String, i64)> = stmt
        .query_row([handle], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        Some((k, id)) if k == "p" => Ok(Owner::Person(id)),
        Some((_, id)) => Ok(Owner::Team(id)),
        None => Err(Error::failed(format!("no person or team '{handle}'"))
            .with_hint("owners are person or team handles; see `yardstick people list` and `yardstick team list`")),
    }
}

/// All people, sorted by handle; inactive ones only when asked. With a team,
/// only its members and the members of its sub-teams.
pub fn list_people(
    conn: &Connection,
    team: Option<&str>,
    include_inactive: bool,
) -> Result<Vec<Person>> {
    let team_ids = match team {
        Some(t) => Some(team_subtree(conn, team_id(conn, t)?)?),
        None => None,
    };
    let mut stmt = conn.prepare_cached(&format!("{PERSON_SELECT} ORDER BY p.handle"))?;
    let people = stmt
        .query_map([], person_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut ids_by_handle = std::collections::HashMap::new();
    if team_ids.is_some() {
        let mut s = conn.prepare_cached("SELECT handle, team_id FROM person")?;
        for row in s.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
        })? {
            let (h, t) = row?;
            ids_by_handle.insert(h, t);
        }
    }
    Ok(people
        .into_iter()
        .filter(|p| include_inactive || p.active)
        .filter(|p| match &team_ids {
            None => true,
            Some(ids) => ids_by_handle
                .get(&p.handle)
                .copied()
                .flatten()
                .is_some_and(|t| ids.contains(&t)),
        })
        .collect())
}

/// A team and all teams below it (row ids).
pub fn team_subtree(conn: &Connection, root: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM team t JOIN sub ON t.parent_id = sub.id) SELECT id FROM sub",
    )?;
    Ok(stmt
        .query_map([root], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// All teams, sorted by handle.
pub fn list_teams(conn: &Connection) -> Result<Vec<Team>> {
    let mut stmt = conn.prepare_cached(&format!("{TEAM_SELECT} ORDER BY t.handle"))?;
    Ok(stmt
        .query_map([], team_row)?
        .collect::<rusqlite::Result<_>>()?)
}

fn ensure_handle_free(conn: &Connection, handle: &str) -> Result<()> {
    validate_handle(handle)?;
    let mut stmt = conn.prepare_cached(
        "SELECT (SELECT count(*) FROM person WHERE handle = ?1) + (SELECT count(*) FROM team WHERE handle = ?1)",
    )?;
    let n: i64 = stmt.query_row([handle], |r| r.get(0))?;
    if n > 0 {
        return Err(Error::failed(format!(
            "the handle '{handle}' is already taken by a person or team"
        ))
        .with_hint("people and teams share one set of handles; choose another"));
    }
    Ok(())
}

fn clean(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>> {
    match v {
        Some(s) if !s.trim().is_empty() => {
            validate_text(field, s, max)?;
            Ok(Some(s.trim().to_string()))
        }
        _ => Ok(None),
    }
}

fn apply_person_patch(conn: &Connection, p: &mut Person, patch: &PersonPatch) -> Result<()> {
    if let Some(name) = &patch.name {
        validate_text("name", name, 200)?;
        p.name = name.trim().to_string();
    }
    if let Some(v) = &patch.email {
        p.email = clean("email", v, 320)?;
    }
    if let Some(v) = &patch.title {
        p.title = clean("title", v, 200)?;
    }
    if let Some(v) = &patch.team {
        if let Some(t) = v {
            team_id(conn, t)?;
        }
        p.team = v.clone();
    }
    if let Some(v) = &patch.manager {
        if let Some(m) = v {
            if m == &p.handle {
                return Err(Error::invalid(format!(
                    "{} cannot be their own manager",
                    p.handle
                )));
            }
            person_id(conn, m)?;
            if p.id != 0 && manages_chain(conn, m, &p.handle)? {
                return Err(Error::invalid(format!(
                    "making {m} the manager of {} would create a cycle ({} is above {m} in the reporting line)",
                    p.handle, p.handle
                )));
            }
        }
        p.manager = v.clone();
    }
    if let Some(a) = patch.active {
        p.active = a;
    }
    if let Some(c) = patch.cadence_days {
        if let Some(days) = c {
            if !(1..=366).contains(&days) {
                return Err(Error::invalid(format!(
                    "a check-in cadence must be 1 to 366 days (got {days})"
                )));
            }
        }
        p.cadence_days = c;
    }
    for (field, src, dst) in [
        ("purpose", &patch.purpose, &mut p.mission.purpose),
        ("customers", &patch.customers, &mut p.mission.customers),
        ("product", &patch.product, &mut p.mission.product),
        ("scope", &patch.scope, &mut p.mission.scope),
    ] {
        if let Some(v) = src {
            *dst = clean(field, v, 2000)?;
        }
    }
    Ok(())
}

/// Whether `top` appears in the management chain above `start` (or is `start`).
fn manages_chain(conn: &Connection, start: &str, top: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up(id, depth) AS ( \
            SELECT id, 0 FROM person WHERE handle = ?1 \
            UNION SELECT p.manager_id, up.depth + 1 FROM person p JOIN up ON p.id = up.id \
            WHERE p.manager_id IS NOT NULL AND up.depth < 10000) \
         SELECT EXISTS (SELECT 1 FROM up JOIN person q ON q.id = up.id WHERE q.handle = ?2)",
    )?;
    Ok(stmt.query_row([start, top], |r| r.get(0))?)
}

fn write_person(conn: &Connection, p: &Person, now: &str) -> Result<()> {
    let manager = p
        .manager
        .as_deref()
        .map(|h| person_id(conn, h))
        .transpose()?;
    let team = p.team.as_deref().map(|h| team_id(conn, h)).transpose()?;
    conn.prepare_cached(
        "UPDATE person SET name = ?2, email = ?3, title = ?4, manager_id = ?5, team_id = ?6, active = ?7, \
         mission_purpose = ?8, mission_customers = ?9, mission_product = ?10, mission_scope = ?11, updated_at = ?12, \
         checkin_cadence_days = ?13 WHERE id = ?1",
    )?
    .execute(params![
        p.id,
        p.name,
        p.email,
        p.title,
        manager,
        team,
        p.active,
        p.mission.purpose,
        p.mission.customers,
        p.mission.product,
        p.mission.scope,
        now,
        p.cadence_days
    ])?;
    Ok(())
}

/// Add a person. The patch must set a name.
pub fn add_person(
    conn: &Connection,
    now: &str,
    handle: &str,
    patch: &PersonPatch,
) -> Result<Person> {
    ensure_handle_free(conn, handle)?;
    let Some(name) = &patch.name else {
        return Err(Error::invalid(format!("person '{handle}' needs a name"))
            .with_hint("pass --name \"Full Name\""));
    };
    validate_text("name", name, 200)?;
    conn.prepare_cached(
        "INSERT INTO person(uuid, handle, name, active, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
    )?
    .execute(params![new_uuid(), handle, name.trim(), now])?;
    let mut p = get_person(conn, handle)?;
    apply_person_patch(conn, &mut p, patch)?;
    write_person(conn, &p, now)?;
    get_person(conn, handle)
}

/// Edit a person; returns the person and whether anything changed.
pub fn edit_person(
    conn: &Connection,
    now: &str,
    handle: &str,
    patch: &PersonPatch,
) -> Result<(Person, bool)> {
    let before = get_person(conn, handle)?;
    let mut after = before.clone();
    apply_person_patch(conn, &mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    write_person(conn, &after, now)?;
    Ok((get_person(conn, handle)?, true))
}

/// Remove a person. Refused while they own goals or lead teams' goals; their
/// reports and team leads lose the link.
pub fn remove_person(conn: &Connection, handle: &str) -> Result<Person> {
    let p = get_person(conn, handle)?;
    let goals: i64 = conn.query_row(
        "SELECT count(*) FROM goal WHERE owner_person_id = ?1",
        [p.id],
        |r| r.get(0),
    )?;
    if goals > 0 {
        return Err(Error::failed(format!("{handle} owns {goals} goal(s)"))
            .with_hint(format!("remove or reassign them first (`yardstick plan list --owner {handle}`), or mark the person inactive with `yardstick people edit {handle} --inactive`")));
    }
    conn.execute("DELETE FROM person WHERE id = ?1", [p.id])?;
    Ok(p)
}

fn apply_team_patch(conn: &Connection, t: &mut Team, patch: &TeamPatch) -> Result<()> {
    if let Some(name) = &patch.name {
        validate_text("name", name, 200)?;
        t.name = name.trim().to_string();
    }
    if let Some(v) = &patch.parent {
        if let Some(parent) = v {
            if parent == &t.handle {
                return Err(Error::invalid(format!(
                    "team {} cannot be its own parent",
                    t.handle
                )));
            }
            let pid = team_id(conn, parent)?;
            if t.id != 0 && team_subtree(conn, t.id)?.contains(&pid) {
                return Err(Error::invalid(format!(
                    "making {parent} the parent of {} would create a cycle ({parent} is inside {})",
                    t.handle, t.handle
                )));
            }
        }
        t.parent = v.clone();
    }
    if let Some(v) = &patch.lead {
        if let Some(lead) = v {
            person_id(conn, lead)?;
        }
        t.lead = v.clone();
    }
    Ok(())
}

fn write_team(conn: &Connection, t: &Team, now: &str) -> Result<()> {
    let parent = t.parent.as_deref().map(|h| team_id(conn, h)).transpose()?;
    let lead = t.lead.as_deref().map(|h| person_id(conn, h)).transpose()?;
    conn.prepare_cached(
        "UPDATE team SET name = ?2, parent_id = ?3, lead_id = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![t.id, t.name, parent, lead, now])?;
    Ok(())
}

/// Add a team. The patch must set a name.
pub fn add_team(conn: &Connection, now: &str, handle: &str, patch: &TeamPatch) -> Result<Team> {
    ensure_handle_free(conn, handle)?;
    let Some(name) = &patch.name else {
        return Err(Error::invalid(format!("team '{handle}' needs a name"))
            .with_hint("pass --name \"Team name\""));
    };
    validate_text("name", name, 200)?;
    conn.prepare_cached(
        "INSERT INTO team(uuid, handle, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![new_uuid(), handle, name.trim(), now])?;
    let mut t = get_team(conn, handle)?;
    apply_team_patch(conn, &mut t, patch)?;
    write_team(conn, &t, now)?;
    get_team(conn, handle)
}

/// Edit a team; returns the team and whether anything changed.
pub fn edit_team(
    conn: &Connection,
    now: &str,
    handle: &str,
    patch: &TeamPatch,
) -> Result<(Team, bool)> {
    let before = get_team(conn, handle)?;
    let mut after = before.clone();
    apply_team_patch(conn, &mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    write_team(conn, &after, now)?;
    Ok((get_team(conn, handle)?, true))
}

/// Remove a team. Refused while it has sub-teams or owns goals; members lose the link.
pub fn remove_team(conn: &Connection, handle: &str) -> Result<Team> {
    let t = get_team(conn, handle)?;
    let subs: i64 = conn.query_row(
        "SELECT count(*) FROM team WHERE parent_id = ?1",
        [t.id],
        |r| r.get(0),
    )?;
    if subs > 0 {
        return Err(
            Error::failed(format!("team {handle} has {subs} sub-team(s)")).with_hint(
                "move or remove the sub-teams first (`yardstick team edit SUB --parent OTHER`)",
            ),
        );
    }
    let goals: i64 = conn.query_row(
        "SELECT count(*) FROM goal WHERE owner_team_id = ?1",
        [t.id],
        |r| r.get(0),
    )?;
    if goals > 0 {
        return Err(
            Error::failed(format!("team {handle} owns {goals} goal(s)")).with_hint(format!(
                "remove or reassign them first (`yardstick plan list --owner {handle}`)"
            )),
        );
    }
    conn.execute("DELETE FROM team WHERE id = ?1", [t.id])?;
    Ok(t)
}

/// Number of people in a team (not counting sub-teams).
pub fn team_size(conn: &Connection, team: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM person WHERE team_id = ?1 AND active = 1",
        [team],
        |r| r.get(0),
    )?)
}

/// A setting stored in the file (e.g. `me`).
pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Store a setting; returns whether it changed.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<bool> {
    if setting(conn, key)?.as_deref() == Some(value) {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(true)
}
