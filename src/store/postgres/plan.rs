//! Goals, their measures and custom periods on PostgreSQL.

use super::PgSession;
use super::rows::{json_ids, opt_date as date_opt, parse as parse_col, parse_opt};
use crate::domain::goal::{Goal, Measure, PeriodRow};
use crate::domain::org::Owner;
use crate::store::plan::GoalQuery;
use crate::store::{PlanRepo, StoreError, StoreResult, new_uuid};

use super::conn::{OptionalExtension, Param, Row, params};

const GOAL_SELECT: &str = "SELECT g.id, g.uuid, g.key, g.title, g.description, coalesce(op.handle, ot.handle), \
     g.owner_team_id IS NOT NULL, pg.key, g.period, g.start_date, g.due_date, g.weight, g.priority, g.category, \
     g.status, g.closed_at, g.created_at, g.updated_at \
     FROM goal g LEFT JOIN person op ON op.id = g.owner_person_id LEFT JOIN team ot ON ot.id = g.owner_team_id \
     LEFT JOIN goal pg ON pg.id = g.parent_id";

fn goal_row(r: &Row) -> super::conn::Result<Goal> {
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

fn measure_row(r: &Row) -> super::conn::Result<Measure> {
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

impl PgSession<'_> {
    fn measures_where(&self, clause: &str, arg: &dyn Param) -> StoreResult<Vec<Measure>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{MEASURE_SELECT} {clause}"))?;
        Ok(stmt
            .query_map([arg], measure_row)?
            .collect::<super::conn::Result<_>>()?)
    }
}

fn owner_ids(owner: Owner) -> (Option<i64>, Option<i64>) {
    match owner {
        Owner::Person(id) => (Some(id), None),
        Owner::Team(id) => (None, Some(id)),
    }
}

impl PlanRepo for PgSession<'_> {
    fn goal_by_id(&self, id: i64) -> StoreResult<Option<Goal>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{GOAL_SELECT} WHERE g.id = ?1"))?;
        Ok(stmt.query_row([id], goal_row).optional()?)
    }

    fn goal_by_key(&self, key: &str) -> StoreResult<Option<Goal>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{GOAL_SELECT} WHERE g.key = ?1"))?;
        Ok(stmt.query_row([key], goal_row).optional()?)
    }

    fn list_goals(&self, q: &GoalQuery) -> StoreResult<Vec<Goal>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn Param>> = Vec::new();
        let mut with = String::new();
        if let Some(team) = q.team {
            args.push(Box::new(team));
            with = "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM team t JOIN sub ON t.parent_id = sub.id) ".into();
            clauses.push(
                "(g.owner_team_id IN (SELECT id FROM sub) \
                  OR g.owner_person_id IN (SELECT id FROM person WHERE team_id IN (SELECT id FROM sub)))"
                    .into(),
            );
        }
        if let Some(owner) = q.owner {
            let column = match owner {
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
        if let Some(period) = &q.period {
            args.push(Box::new(period.clone()));
            clauses.push(format!("g.period = ?{}", args.len()));
        }
        if !q.statuses.is_empty() {
            let mut slots = Vec::new();
            for s in &q.statuses {
                args.push(Box::new(s.as_str()));
                slots.push(format!("?{}", args.len()));
            }
            clauses.push(format!("g.status IN ({})", slots.join(", ")));
        }
        if clauses.is_empty() {
            clauses.push("true".into());
        }
        let limit = q.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        args.push(Box::new(limit));
        let sql = format!(
            "{with}{GOAL_SELECT} WHERE {} ORDER BY g.id LIMIT ?{}",
            clauses.join(" AND "),
            args.len()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let refs: Vec<&dyn Param> = args.iter().map(|a| a.as_ref()).collect();
        Ok(stmt
            .query_map(refs.as_slice(), goal_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn all_goals(&self) -> StoreResult<Vec<Goal>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{GOAL_SELECT} ORDER BY g.id"))?;
        Ok(stmt
            .query_map([], goal_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn goals_with_descendants(&self, roots: &[i64]) -> StoreResult<Vec<Goal>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH RECURSIVE sub(id) AS (SELECT value::bigint FROM jsonb_array_elements_text(CAST(?1 AS jsonb)) \
             UNION SELECT c.id FROM goal c JOIN sub ON c.parent_id = sub.id) \
             {GOAL_SELECT} WHERE g.id IN (SELECT id FROM sub) ORDER BY g.id"
        ))?;
        Ok(stmt
            .query_map([json_ids(roots)], goal_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn goal_ancestors(&self, goal: i64) -> StoreResult<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION SELECT g.parent_id, up.depth + 1 FROM goal g JOIN up ON g.id = up.id \
             WHERE g.parent_id IS NOT NULL AND up.depth < 10000) SELECT id FROM up",
        )?;
        Ok(stmt
            .query_map([goal], |r| r.get(0))?
            .collect::<super::conn::Result<_>>()?)
    }

    fn goals_owned(&self, owner: Owner) -> StoreResult<i64> {
        let (sql, id) = match owner {
            Owner::Person(id) => ("SELECT count(*) FROM goal WHERE owner_person_id = ?1", id),
            Owner::Team(id) => ("SELECT count(*) FROM goal WHERE owner_team_id = ?1", id),
        };
        Ok(self.conn.query_row(sql, [id], |r| r.get(0))?)
    }

    fn insert_goal(&mut self, now: &str, key: &str, title: &str, owner: Owner) -> StoreResult<i64> {
        let (person, team) = owner_ids(owner);
        self.conn
            .prepare_cached(
                "INSERT INTO goal(uuid, key, title, owner_person_id, owner_team_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![new_uuid(), key, title, person, team, now])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn update_goal(&mut self, now: &str, g: &Goal) -> StoreResult<()> {
        let owner = super::org::owner(self.conn, &g.owner)?.ok_or_else(|| {
            StoreError::internal(format!("no person or team '{}' to own a goal", g.owner))
        })?;
        let (person, team) = owner_ids(owner);
        let parent = match &g.parent {
            Some(k) => Some(
                self.goal_by_key(k)?
                    .ok_or_else(|| StoreError::internal(format!("no goal '{k}' to align to")))?
                    .id,
            ),
            None => None,
        };
        self.conn
            .prepare_cached(
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
                g.closed_at,
                now
            ])?;
        Ok(())
    }

    fn delete_goal(&mut self, id: i64) -> StoreResult<()> {
        self.conn.execute("DELETE FROM goal WHERE id = ?1", [id])?;
        Ok(())
    }

    fn measures(&self, goal: i64) -> StoreResult<Vec<Measure>> {
        self.measures_where("WHERE goal_id = ?1 ORDER BY position, id", &goal)
    }

    fn measures_of_goals(&self, goals: &[i64]) -> StoreResult<Vec<Measure>> {
        self.measures_where(
            "WHERE goal_id IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST(?1 AS jsonb))) ORDER BY goal_id, position, id",
            &json_ids(goals),
        )
    }

    fn all_measures(&self) -> StoreResult<Vec<Measure>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{MEASURE_SELECT} ORDER BY goal_id, position, id"))?;
        Ok(stmt
            .query_map([], measure_row)?
            .collect::<super::conn::Result<_>>()?)
    }

    fn measure_by_id(&self, id: i64) -> StoreResult<Option<Measure>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{MEASURE_SELECT} WHERE id = ?1"))?;
        Ok(stmt.query_row([id], measure_row).optional()?)
    }

    fn insert_measure(&mut self, now: &str, m: &Measure) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
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
        Ok(self.conn.last_insert_rowid())
    }

    fn update_measure(&mut self, now: &str, m: &Measure) -> StoreResult<()> {
        self.conn
            .prepare_cached(
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

    fn delete_measure(&mut self, id: i64) -> StoreResult<()> {
        self.conn
            .execute("DELETE FROM measure WHERE id = ?1", [id])?;
        Ok(())
    }

    fn list_periods(&self) -> StoreResult<Vec<PeriodRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, start_date, end_date FROM period ORDER BY start_date, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PeriodRow {
                name: r.get(0)?,
                start: date_opt(r, 1)?.unwrap_or_default(),
                end: date_opt(r, 2)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<super::conn::Result<_>>()?)
    }

    fn goals_in_period(&self, name: &str) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM goal WHERE period = ?1", [name], |r| {
                r.get(0)
            })?)
    }

    fn insert_period(&mut self, now: &str, p: &PeriodRow) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO period(uuid, name, start_date, end_date, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![new_uuid(), p.name, p.start.to_string(), p.end.to_string(), now],
        )?;
        Ok(())
    }

    fn update_period(&mut self, now: &str, p: &PeriodRow) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE period SET start_date = ?2, end_date = ?3, updated_at = ?4 WHERE name = ?1",
            params![p.name, p.start.to_string(), p.end.to_string(), now],
        )?;
        Ok(())
    }

    fn delete_period(&mut self, name: &str) -> StoreResult<()> {
        self.conn
            .execute("DELETE FROM period WHERE name = ?1", [name])?;
        Ok(())
    }
}
