//! `plan apply` and `plan export`: between a [`PlanFile`] and the store.
//!
//! Export reads the database into a `PlanFile` in its canonical form. Apply
//! exports the current state the same way, overlays the file, checks every
//! reference in the result, and then upserts each entity with its full
//! desired fields. Because a store edit that sets the same values writes
//! nothing, applying a file the database already matches writes nothing.

use crate::error::{Error, Result};
use crate::formats::planfile::{
    self, Change, EntityRef, GoalDef, MeasureDef, Mission, PeriodDef, PersonDef, PlanFile,
    Positions, TeamDef,
};
use crate::store::org::{self, PersonPatch, TeamPatch};
use crate::store::plan::{self as splan, GoalFilter, GoalPatch, MeasurePatch, PeriodRow};
use crate::time::{Weekday, parse_period};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// What an apply will do.
#[derive(Debug)]
pub struct SyncPlan {
    /// The file's state, normalised.
    pub desired: PlanFile,
    /// The changes, for display.
    pub changes: Vec<Change>,
    /// Whether goals and measures absent from the file are removed.
    pub prune: bool,
    bounds: HashMap<String, (NaiveDate, NaiveDate)>,
}

fn period_bounds(
    conn: &Connection,
    week_start: Weekday,
    extra: &[PeriodDef],
) -> Result<HashMap<String, (NaiveDate, NaiveDate)>> {
    let mut out: HashMap<String, (NaiveDate, NaiveDate)> = HashMap::new();
    for p in splan::list_periods(conn)? {
        out.insert(p.name, (p.start, p.end));
    }
    for p in extra {
        out.insert(p.name.clone(), (p.start, p.end));
    }
    let _ = week_start;
    Ok(out)
}

fn bounds_of(
    bounds: &HashMap<String, (NaiveDate, NaiveDate)>,
    week_start: Weekday,
    name: &str,
) -> Result<Option<(NaiveDate, NaiveDate)>> {
    if let Some(p) = parse_period(name, week_start)? {
        return Ok(Some((p.start, p.end)));
    }
    Ok(bounds.get(name).copied())
}

/// Drop start and due dates that equal their period's bounds (they follow from it).
fn normalize(
    plan: &mut PlanFile,
    bounds: &HashMap<String, (NaiveDate, NaiveDate)>,
    week_start: Weekday,
    file: &str,
    positions: &Positions,
) -> Result<()> {
    for g in &mut plan.goals {
        if let Some(name) = g.period.clone() {
            let Some((s, e)) = bounds_of(bounds, week_start, &name)? else {
                let at = positions
                    .get(&format!("goal.{}.period", g.key))
                    .map(|(l, c)| format!("{file}:{l}:{c}: "))
                    .unwrap_or_else(|| format!("{file}: "));
                return Err(Error::invalid(format!("{at}goal {} uses unknown period '{name}'", g.key)).with_hint(
                    "use a built-in name (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) or declare it in a [[period]] table",
                ));
            };
            // A canonical built-in name (2026-q4 → 2026-Q4).
            if let Some(p) = parse_period(&name, week_start)? {
                g.period = Some(p.name);
            }
            if g.start == Some(s) {
                g.start = None;
            }
            if g.due == Some(e) {
                g.due = None;
            }
        }
    }
    Ok(())
}

/// The database's plan as a `PlanFile`: every period, team and person, and
/// the goals that match the filters.
pub fn export(
    conn: &Connection,
    week_start: Weekday,
    period: Option<&str>,
    owner: Option<&str>,
) -> Result<PlanFile> {
    let mut plan = PlanFile::default();
    for p in splan::list_periods(conn)? {
        plan.periods.push(PeriodDef {
            name: p.name,
            start: p.start,
            end: p.end,
        });
    }
    for t in org::list_teams(conn)? {
        plan.teams.push(TeamDef {
            handle: t.handle,
            name: t.name,
            parent: t.parent,
            lead: t.lead,
        });
    }
    for p in org::list_people(conn, None, true)? {
        let mission = if p.mission.is_empty() {
            None
        } else {
            Some(Mission {
                purpose: p.mission.purpose,
                customers: p.mission.customers,
                product: p.mission.product,
                scope: p.mission.scope,
            })
        };
        plan.people.push(PersonDef {
            handle: p.handle,
            name: p.name,
            email: p.email,
            title: p.title,
            manager: p.manager,
            team: p.team,
            active: p.active,
            mission,
        });
    }
    let filter = GoalFilter {
        owner: owner.map(str::to_string),
        period: period.map(str::to_string),
        statuses: crate::domain::GoalStatus::ALL.to_vec(),
        ..GoalFilter::default()
    };
    for g in splan::list_goals(conn, &filter)? {
        let measures = splan::measures(conn, g.id)?
            .into_iter()
            .map(|m| MeasureDef {
                name: m.name,
                unit: m.unit,
                kind: m.kind,
                direction: m.direction,
                baseline: m.baseline,
                target: m.target,
                stretch: m.stretch,
                floor: m.floor,
                weight: m.weight,
            })
            .collect();
        plan.goals.push(GoalDef {
            key: g.key,
            title: g.title,
            description: g.description,
            owner: g.owner,
            parent: g.parent,
            period: g.period,
            start: g.start,
            due: g.due,
            weight: g.weight,
            priority: g.priority,
            category: g.category,
            status: g.status,
            measures,
        });
    }
    let bounds = period_bounds(conn, week_start, &[])?;
    normalize(
        &mut plan,
        &bounds,
        week_start,
        "database",
        &Positions::default(),
    )?;
    Ok(planfile::canonicalize(&plan))
}

/// Work out what applying `desired` does, checking every reference first.
pub fn plan(
    conn: &Connection,
    week_start: Weekday,
    desired: &PlanFile,
    positions: &Positions,
    file: &str,
    prune: bool,
) -> Result<SyncPlan> {
    let current = export(conn, week_start, None, None)?;
    let bounds = period_bounds(conn, week_start, &desired.periods)?;
    let mut desired = desired.clone();
    normalize(&mut desired, &bounds, week_start, file, positions)?;
    for g in &desired.goals {
        let (ps, pe) = match &g.period {
            Some(name) => bounds_of(&bounds, week_start, name)?
                .map_or((None, None), |(s, e)| (Some(s), Some(e))),
            None => (None, None),
        };
        if let (Some(start), Some(due)) = (g.start.or(ps), g.due.or(pe)) {
            if start > due {
                let at = positions
                    .get(&format!("goal.{}.start", g.key))
                    .or_else(|| positions.get(&format!("goal.{}.due", g.key)))
                    .or_else(|| positions.get(&format!("goal.{}", g.key)))
                    .map(|(l, c)| format!("{file}:{l}:{c}: "))
                    .unwrap_or_else(|| format!("{file}: "));
                return Err(Error::invalid(format!(
                    "{at}goal {} would start ({start}) after it is due ({due})",
                    g.key
                ))
                .with_hint("a missing start or due date comes from the goal's period"));
            }
        }
    }
    let desired = planfile::canonicalize(&desired);
    let merged = planfile::merge(&current, &desired, prune);
    planfile::check_references(&merged, positions, file)?;
    let changes = planfile::diff(&current, &desired, prune);
    Ok(SyncPlan {
        desired,
        changes,
        prune,
        bounds,
    })
}

/// Rows for display: (action, entity, name, detail).
pub fn change_rows(changes: &[Change]) -> Vec<(String, String, String, String)> {
    changes
        .iter()
        .map(|c| {
            let (action, r, detail) = match c {
                Change::Add(e) => ("add", e.id(), String::new()),
                Change::Update { entity, fields } => (
                    "update",
                    entity.clone(),
                    fields
                        .iter()
                        .map(|f| format!("{}: {} → {}", f.field, f.old, f.new))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Change::Remove(r) => ("remove", r.clone(), String::new()),
            };
            let (entity, name) = match r {
                EntityRef::Period(n) => ("period", n),
                EntityRef::Team(n) => ("team", n),
                EntityRef::Person(n) => ("person", n),
                EntityRef::Goal(n) => ("goal", n),
                EntityRef::Measure { goal, name } => ("measure", format!("{goal}/{name}")),
            };
            (action.to_string(), entity.to_string(), name, detail)
        })
        .collect()
}

fn some_text(v: &Option<String>) -> Option<Option<String>> {
    Some(v.clone())
}

/// Carry out an apply inside the caller's transaction.
pub fn execute(conn: &Connection, now: &str, plan: &SyncPlan) -> Result<()> {
    let d = &plan.desired;
    for p in &d.periods {
        splan::put_period(
            conn,
            now,
            &PeriodRow {
                name: p.name.clone(),
                start: p.start,
                end: p.end,
            },
        )?;
    }
    // Create missing teams and people first, so references between them resolve.
    for t in &d.teams {
        if org::find_team(conn, &t.handle)?.is_none() {
            org::add_team(
                conn,
                now,
                &t.handle,
                &TeamPatch {
                    name: Some(t.name.clone()),
                    ..TeamPatch::default()
                },
            )?;
        }
    }
    for p in &d.people {
        if org::find_person(conn, &p.handle)?.is_none() {
            org::add_person(
                conn,
                now,
                &p.handle,
                &PersonPatch {
                    name: Some(p.name.clone()),
                    ..PersonPatch::default()
                },
            )?;
        }
    }
    for t in &d.teams {
        let patch = TeamPatch {
            name: Some(t.name.clone()),
            parent: Some(t.parent.clone()),
            lead: Some(t.lead.clone()),
        };
        org::edit_team(conn, now, &t.handle, &patch)?;
    }
    for p in &d.people {
        let m = p.mission.clone().unwrap_or_default();
        let patch = PersonPatch {
            name: Some(p.name.clone()),
            email: some_text(&p.email),
            title: some_text(&p.title),
            manager: some_text(&p.manager),
            team: some_text(&p.team),
            active: Some(p.active),
            purpose: some_text(&m.purpose),
            customers: some_text(&m.customers),
            product: some_text(&m.product),
            scope: some_text(&m.scope),
            cadence_days: None,
        };
        org::edit_person(conn, now, &p.handle, &patch)?;
    }
    let desired_keys: HashSet<&str> = d.goals.iter().map(|g| g.key.as_str()).collect();
    if plan.prune {
        // Unlink goals that will go before anything else changes, then remove them.
        for g in splan::all_goals(conn)? {
            if !desired_keys.contains(g.key.as_str()) {
                splan::remove_goal(conn, &g.key)?;
            }
        }
    }
    for g in &d.goals {
        if splan::find_goal(conn, &g.key)?.is_none() {
            let patch = GoalPatch {
                key: Some(g.key.clone()),
                title: Some(g.title.clone()),
                owner: Some(g.owner.clone()),
                ..GoalPatch::default()
            };
            splan::add_goal(conn, now, &patch)?;
        }
    }
    for g in &d.goals {
        let (ps, pe) = match &g.period {
            Some(name) => match bounds_of(&plan.bounds, crate::time::Weekday::Mon, name)? {
                Some((s, e)) => (Some(s), Some(e)),
                None => (None, None),
            },
            None => (None, None),
        };
        let patch = GoalPatch {
            key: None,
            title: Some(g.title.clone()),
            description: Some(g.description.clone()),
            owner: Some(g.owner.clone()),
            parent: Some(g.parent.clone()),
            period: Some(g.period.clone()),
            start: Some(g.start.or(ps)),
            due: Some(g.due.or(pe)),
            weight: Some(g.weight),
            priority: Some(g.priority),
            category: Some(g.category),
            status: Some(g.status),
        };
        let (goal, _) = splan::edit_goal(conn, now, &g.key, &patch)?;
        let existing = splan::measures(conn, goal.id)?;
        for m in &g.measures {
            let patch = MeasurePatch {
                name: Some(m.name.clone()),
                unit: Some(m.unit.clone()),
                kind: Some(m.kind),
                direction: Some(m.direction),
                baseline: Some(m.baseline),
                target: Some(m.target),
                stretch: Some(m.stretch),
                floor: Some(m.floor),
                weight: Some(m.weight),
            };
            if existing.iter().any(|x| x.name == m.name) {
                splan::edit_measure(conn, now, &goal, &m.name, &patch)?;
            } else {
                splan::add_measure(conn, now, &goal, &patch)?;
            }
        }
        if plan.prune {
            for x in existing {
                if !g.measures.iter().any(|m| m.name == x.name) {
                    splan::remove_measure(conn, &goal, &x.name)?;
                }
            }
        }
    }
    Ok(())
}
