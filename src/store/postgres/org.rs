//! People, teams and settings on PostgreSQL.

use super::PgSession;
use super::conn::{Conn, OptionalExtension, Row, params};
use crate::domain::Mission;
use crate::domain::org::{Owner, Person, Team};
use crate::store::{OrgRepo, StoreError, StoreResult, new_uuid};

const PERSON_SELECT: &str = "SELECT p.id, p.uuid, p.handle, p.name, p.email, p.title, m.handle, t.handle, p.active, \
     p.mission_purpose, p.mission_customers, p.mission_product, p.mission_scope, p.created_at, p.updated_at, \
     p.checkin_cadence_days, p.admin FROM person p LEFT JOIN person m ON m.id = p.manager_id LEFT JOIN team t ON t.id = p.team_id";

fn person_row(r: &Row) -> super::conn::Result<Person> {
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
        admin: r.get(16)?,
    })
}

const TEAM_SELECT: &str = "SELECT t.id, t.uuid, t.handle, t.name, pt.handle, l.handle, t.created_at, t.updated_at \
     FROM team t LEFT JOIN team pt ON pt.id = t.parent_id LEFT JOIN person l ON l.id = t.lead_id";

fn team_row(r: &Row) -> super::conn::Result<Team> {
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

pub(super) fn person_id(conn: &Conn, handle: &str) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM person WHERE handle = ?1")?;
    Ok(stmt.query_row([handle], |r| r.get(0)).optional()?)
}

pub(super) fn team_id(conn: &Conn, handle: &str) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM team WHERE handle = ?1")?;
    Ok(stmt.query_row([handle], |r| r.get(0)).optional()?)
}

pub(super) fn owner(conn: &Conn, handle: &str) -> StoreResult<Option<Owner>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'p', id FROM person WHERE handle = ?1 UNION ALL SELECT 't', id FROM team WHERE handle = ?1",
    )?;
    let found: Option<(String, i64)> = stmt
        .query_row([handle], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(found.map(|(k, id)| {
        if k == "p" {
            Owner::Person(id)
        } else {
            Owner::Team(id)
        }
    }))
}

/// The row id a handle names, for a write: it must exist (the application
/// checked it), so a missing one is a bug.
fn required(id: Option<i64>, what: &str, handle: &str) -> StoreResult<i64> {
    id.ok_or_else(|| StoreError::internal(format!("no {what} '{handle}' to link to")))
}

pub(super) fn setting(conn: &Conn, key: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub(super) fn set_setting(conn: &Conn, key: &str, value: &str) -> StoreResult<bool> {
    if setting(conn, key)?.as_deref() == Some(value) {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(true)
}

impl OrgRepo for PgSession<'_> {
    fn find_person(&self, handle: &str) -> StoreResult<Option<Person>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{PERSON_SELECT} WHERE p.handle = ?1"))?;
        Ok(stmt.query_row([handle], person_row).optional()?)
    }

    fn person_id(&self, handle: &str) -> StoreResult<Option<i64>> {
        person_id(self.conn, handle)
    }

    fn find_team(&self, handle: &str) -> StoreResult<Option<Team>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{TEAM_SELECT} WHERE t.handle = ?1"))?;
        Ok(stmt.query_row([handle], team_row).optional()?)
    }

    fn team_id(&self, handle: &str) -> StoreResult<Option<i64>> {
        team_id(self.conn, handle)
    }

    fn owner(&self, handle: &str) -> StoreResult<Option<Owner>> {
        owner(self.conn, handle)
    }

    fn list_people(
        &self,
        teams: Option<&[i64]>,
        include_inactive: bool,
    ) -> StoreResult<Vec<Person>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{PERSON_SELECT} ORDER BY p.handle"))?;
        let people = stmt
            .query_map([], person_row)?
            .collect::<super::conn::Result<Vec<_>>>()?;
        let mut team_of = std::collections::HashMap::new();
        if teams.is_some() {
            let mut s = self
                .conn
                .prepare_cached("SELECT handle, team_id FROM person")?;
            for row in s.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
            })? {
                let (h, t) = row?;
                team_of.insert(h, t);
            }
        }
        Ok(people
            .into_iter()
            .filter(|p| include_inactive || p.active)
            .filter(|p| match teams {
                None => true,
                Some(ids) => team_of
                    .get(&p.handle)
                    .copied()
                    .flatten()
                    .is_some_and(|t| ids.contains(&t)),
            })
            .collect())
    }

    fn team_subtree(&self, root: i64) -> StoreResult<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM team t JOIN sub ON t.parent_id = sub.id) SELECT id FROM sub",
        )?;
        Ok(stmt
            .query_map([root], |r| r.get(0))?
            .collect::<super::conn::Result<_>>()?)
    }

    fn list_teams(&self) -> StoreResult<Vec<Team>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{TEAM_SELECT} ORDER BY t.handle"))?;
        Ok(stmt
            .query_map([], team_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn handle_taken(&self, handle: &str) -> StoreResult<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT count(*) FROM person WHERE handle = ?1) + (SELECT count(*) FROM team WHERE handle = ?1)",
        )?;
        let n: i64 = stmt.query_row([handle], |r| r.get(0))?;
        Ok(n > 0)
    }

    fn manager_chain(&self, handle: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE up(id, depth) AS ( \
                SELECT manager_id, 1 FROM person WHERE handle = ?1 AND manager_id IS NOT NULL \
                UNION SELECT p.manager_id, up.depth + 1 FROM person p JOIN up ON p.id = up.id \
                WHERE p.manager_id IS NOT NULL AND up.depth < 10000) \
             SELECT q.handle FROM up JOIN person q ON q.id = up.id ORDER BY up.depth",
        )?;
        Ok(stmt
            .query_map([handle], |r| r.get(0))?
            .collect::<super::conn::Result<_>>()?)
    }

    fn team_size(&self, team: i64) -> StoreResult<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM person WHERE team_id = ?1 AND active = 1",
            [team],
            |r| r.get(0),
        )?)
    }

    fn sub_team_count(&self, team: i64) -> StoreResult<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM team WHERE parent_id = ?1",
            [team],
            |r| r.get(0),
        )?)
    }

    fn insert_person(&mut self, now: &str, handle: &str, name: &str) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO person(uuid, handle, name, active, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
            )?
            .execute(params![new_uuid(), handle, name, now])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn update_person(&mut self, now: &str, p: &Person) -> StoreResult<()> {
        let manager = match p.manager.as_deref() {
            Some(h) => Some(required(person_id(self.conn, h)?, "person", h)?),
            None => None,
        };
        let team = match p.team.as_deref() {
            Some(h) => Some(required(team_id(self.conn, h)?, "team", h)?),
            None => None,
        };
        self.conn
            .prepare_cached(
                "UPDATE person SET name = ?2, email = ?3, title = ?4, manager_id = ?5, team_id = ?6, active = ?7, \
                 mission_purpose = ?8, mission_customers = ?9, mission_product = ?10, mission_scope = ?11, updated_at = ?12, \
                 checkin_cadence_days = ?13, admin = ?14 WHERE id = ?1",
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
                p.cadence_days,
                p.admin
            ])?;
        Ok(())
    }

    fn delete_person(&mut self, id: i64) -> StoreResult<()> {
        self.conn
            .execute("DELETE FROM person WHERE id = ?1", [id])?;
        Ok(())
    }

    fn insert_team(&mut self, now: &str, handle: &str, name: &str) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO team(uuid, handle, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![new_uuid(), handle, name, now])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn update_team(&mut self, now: &str, t: &Team) -> StoreResult<()> {
        let parent = match t.parent.as_deref() {
            Some(h) => Some(required(team_id(self.conn, h)?, "team", h)?),
            None => None,
        };
        let lead = match t.lead.as_deref() {
            Some(h) => Some(required(person_id(self.conn, h)?, "person", h)?),
            None => None,
        };
        self.conn
            .prepare_cached(
                "UPDATE team SET name = ?2, parent_id = ?3, lead_id = ?4, updated_at = ?5 WHERE id = ?1",
            )?
            .execute(params![t.id, t.name, parent, lead, now])?;
        Ok(())
    }

    fn delete_team(&mut self, id: i64) -> StoreResult<()> {
        self.conn.execute("DELETE FROM team WHERE id = ?1", [id])?;
        Ok(())
    }

    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        setting(self.conn, key)
    }

    fn set_setting(&mut self, key: &str, value: &str) -> StoreResult<bool> {
        set_setting(self.conn, key, value)
    }
}
