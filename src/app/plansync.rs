//! `plan apply` and `plan export`: between a [`PlanFile`] and the store.
//!
//! Export reads the database into a `PlanFile` in its canonical form. Apply
//! exports the current state the same way, overlays the file, checks every
//! reference in the result, and then upserts each entity with its full
//! desired fields. Because a store edit that sets the same values writes
//! nothing, applying a file the database already matches writes nothing.

use super::access::Policy;
use crate::app::org::{self, PersonPatch, TeamPatch};
use crate::app::plan::{self as splan, GoalFilter, GoalPatch, MeasurePatch};
use crate::domain::goal::{PeriodRow, resolve_period};
use crate::error::{Error, Result};
use crate::formats::planfile::{
    self, Change, EntityRef, GoalDef, MeasureDef, Mission, PeriodDef, PersonDef, PlanFile,
    Positions, TeamDef,
};
use crate::store::Session;
use crate::time::{Weekday, parse_period};
use chrono::NaiveDate;
use std::collections::HashSet;

/// What an apply will do.
#[derive(Debug)]
pub struct SyncPlan {
    /// The file's state, normalised.
    pub desired: PlanFile,
    /// The changes, for display.
    pub changes: Vec<Change>,
    /// Whether goals and measures absent from the file are removed.
    pub prune: bool,
    periods: Vec<PeriodRow>,
    /// The first day of the week the plan's dates were worked out with.
    week_start: Weekday,
}

/// The custom periods an apply knows: the database's, with the file's
/// declarations over them.
fn custom_periods(s: &dyn Session, extra: &[PeriodDef]) -> Result<Vec<PeriodRow>> {
    let mut out: Vec<PeriodRow> = s
        .list_periods()?
        .into_iter()
        .filter(|p| !extra.iter().any(|x| x.name == p.name))
        .collect();
    out.extend(extra.iter().map(|p| PeriodRow {
        name: p.name.clone(),
        start: p.start,
        end: p.end,
    }));
    Ok(out)
}

fn bounds_of(
    periods: &[PeriodRow],
    week_start: Weekday,
    name: &str,
) -> Result<Option<(NaiveDate, NaiveDate)>> {
    Ok(resolve_period(name, week_start, periods)?.map(|p| (p.start, p.end)))
}

/// Drop start and due dates that equal their period's bounds (they follow from it).
fn normalize(
    plan: &mut PlanFile,
    periods: &[PeriodRow],
    week_start: Weekday,
    file: &str,
    positions: &Positions,
) -> Result<()> {
    for g in &mut plan.goals {
        if let Some(name) = g.period.clone() {
            let Some((s, e)) = bounds_of(periods, week_start, &name)? else {
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
    s: &dyn Session,
    week_start: Weekday,
    period: Option<&str>,
    owner: Option<&str>,
) -> Result<PlanFile> {
    let mut plan = PlanFile::default();
    for p in s.list_periods()? {
        plan.periods.push(PeriodDef {
            name: p.name,
            start: p.start,
            end: p.end,
        });
    }
    for t in s.list_teams()? {
        plan.teams.push(TeamDef {
            handle: t.handle,
            name: t.name,
            parent: t.parent,
            lead: t.lead,
        });
    }
    for p in s.list_people(None, true)? {
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
    for g in splan::list_goals(s, &filter)? {
        let measures = s
            .measures(g.id)?
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
    let periods = custom_periods(s, &[])?;
    normalize(
        &mut plan,
        &periods,
        week_start,
        "database",
        &Positions::default(),
    )?;
    Ok(planfile::canonicalize(&plan))
}

/// Work out what applying `desired` does, checking every reference first.
pub fn plan(
    s: &dyn Session,
    week_start: Weekday,
    desired: &PlanFile,
    positions: &Positions,
    file: &str,
    prune: bool,
) -> Result<SyncPlan> {
    let current = export(s, week_start, None, None)?;
    let periods = custom_periods(s, &desired.periods)?;
    let mut desired = desired.clone();
    normalize(&mut desired, &periods, week_start, file, positions)?;
    for g in &desired.goals {
        let (ps, pe) = match &g.period {
            Some(name) => bounds_of(&periods, week_start, name)?
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
        periods,
        week_start,
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
pub fn execute(s: &mut dyn Session, now: &str, policy: &Policy, plan: &SyncPlan) -> Result<()> {
    let d = &plan.desired;
    for p in &d.periods {
        splan::put_period(
            s,
            now,
            policy,
            &PeriodRow {
                name: p.name.clone(),
                start: p.start,
                end: p.end,
            },
        )?;
    }
    // Create missing teams and people first, so references between them resolve.
    for t in &d.teams {
        if s.find_team(&t.handle)?.is_none() {
            org::add_team(
                s,
                now,
                policy,
                &t.handle,
                &TeamPatch {
                    name: Some(t.name.clone()),
                    ..TeamPatch::default()
                },
            )?;
        }
    }
    for p in &d.people {
        if s.find_person(&p.handle)?.is_none() {
            org::add_person(
                s,
                now,
                policy,
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
        org::edit_team(s, now, policy, &t.handle, &patch)?;
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
            admin: None,
        };
        org::edit_person(s, now, policy, &p.handle, &patch)?;
    }
    let desired_keys: HashSet<&str> = d.goals.iter().map(|g| g.key.as_str()).collect();
    if plan.prune {
        // Unlink goals that will go before anything else changes, then remove them.
        for g in s.all_goals()? {
            if !desired_keys.contains(g.key.as_str()) {
                splan::remove_goal(s, policy, &g.key)?;
            }
        }
    }
    for g in &d.goals {
        if splan::find_goal(s, &g.key)?.is_none() {
            let patch = GoalPatch {
                key: Some(g.key.clone()),
                title: Some(g.title.clone()),
                owner: Some(g.owner.clone()),
                ..GoalPatch::default()
            };
            splan::add_goal(s, now, policy, &patch)?;
        }
    }
    for g in &d.goals {
        let (ps, pe) = match &g.period {
            Some(name) => match bounds_of(&plan.periods, plan.week_start, name)? {
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
        let (goal, _) = splan::edit_goal(s, now, policy, &g.key, &patch)?;
        let existing = s.measures(goal.id)?;
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
                splan::edit_measure(s, now, policy, &goal, &m.name, &patch)?;
            } else {
                splan::add_measure(s, now, policy, &goal, &patch)?;
            }
        }
        if plan.prune {
            for x in existing {
                if !g.measures.iter().any(|m| m.name == x.name) {
                    splan::remove_measure(s, policy, &goal, &x.name)?;
                }
            }
        }
    }
    Ok(())
}
