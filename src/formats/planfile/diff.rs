//! Comparing two plans: the changes that turn one into the other, and the
//! state after applying them.

use super::change::{Change, Entity, EntityRef, FieldChange};
use super::{GoalDef, MeasureDef, PeriodDef, PersonDef, PlanFile, TeamDef, format_number};
use std::collections::{HashMap, HashSet};

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn opt_num(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_default()
}

fn opt_date(v: Option<chrono::NaiveDate>) -> String {
    v.map(|d| d.to_string()).unwrap_or_default()
}

/// Push a field change when the displayed values differ... except for
/// numbers, which are compared exactly by the callers.
fn field(out: &mut Vec<FieldChange>, changed: bool, field: &'static str, old: String, new: String) {
    if changed {
        out.push(FieldChange { field, old, new });
    }
}

fn period_fields(a: &PeriodDef, b: &PeriodDef) -> Vec<FieldChange> {
    let mut v = Vec::new();
    field(
        &mut v,
        a.start != b.start,
        "start",
        a.start.to_string(),
        b.start.to_string(),
    );
    field(
        &mut v,
        a.end != b.end,
        "end",
        a.end.to_string(),
        b.end.to_string(),
    );
    v
}

fn team_fields(a: &TeamDef, b: &TeamDef) -> Vec<FieldChange> {
    let mut v = Vec::new();
    field(
        &mut v,
        a.name != b.name,
        "name",
        a.name.clone(),
        b.name.clone(),
    );
    field(
        &mut v,
        a.parent != b.parent,
        "parent",
        opt(&a.parent),
        opt(&b.parent),
    );
    field(&mut v, a.lead != b.lead, "lead", opt(&a.lead), opt(&b.lead));
    v
}

fn person_fields(a: &PersonDef, b: &PersonDef) -> Vec<FieldChange> {
    let mut v = Vec::new();
    field(
        &mut v,
        a.name != b.name,
        "name",
        a.name.clone(),
        b.name.clone(),
    );
    field(
        &mut v,
        a.email != b.email,
        "email",
        opt(&a.email),
        opt(&b.email),
    );
    field(
        &mut v,
        a.title != b.title,
        "title",
        opt(&a.title),
        opt(&b.title),
    );
    field(
        &mut v,
        a.manager != b.manager,
        "manager",
        opt(&a.manager),
        opt(&b.manager),
    );
    field(&mut v, a.team != b.team, "team", opt(&a.team), opt(&b.team));
    field(
        &mut v,
        a.active != b.active,
        "active",
        a.active.to_string(),
        b.active.to_string(),
    );
    let (ma, mb) = (
        a.mission.clone().unwrap_or_default(),
        b.mission.clone().unwrap_or_default(),
    );
    field(
        &mut v,
        ma.purpose != mb.purpose,
        "mission.purpose",
        opt(&ma.purpose),
        opt(&mb.purpose),
    );
    field(
        &mut v,
        ma.customers != mb.customers,
        "mission.customers",
        opt(&ma.customers),
        opt(&mb.customers),
    );
    field(
        &mut v,
        ma.product != mb.product,
        "mission.product",
        opt(&ma.product),
        opt(&mb.product),
    );
    field(
        &mut v,
        ma.scope != mb.scope,
        "mission.scope",
        opt(&ma.scope),
        opt(&mb.scope),
    );
    v
}

fn goal_fields(a: &GoalDef, b: &GoalDef) -> Vec<FieldChange> {
    let mut v = Vec::new();
    field(
        &mut v,
        a.title != b.title,
        "title",
        a.title.clone(),
        b.title.clone(),
    );
    field(
        &mut v,
        a.description != b.description,
        "description",
        opt(&a.description),
        opt(&b.description),
    );
    field(
        &mut v,
        a.owner != b.owner,
        "owner",
        a.owner.clone(),
        b.owner.clone(),
    );
    field(
        &mut v,
        a.parent != b.parent,
        "parent",
        opt(&a.parent),
        opt(&b.parent),
    );
    field(
        &mut v,
        a.period != b.period,
        "period",
        opt(&a.period),
        opt(&b.period),
    );
    field(
        &mut v,
        a.start != b.start,
        "start",
        opt_date(a.start),
        opt_date(b.start),
    );
    field(
        &mut v,
        a.due != b.due,
        "due",
        opt_date(a.due),
        opt_date(b.due),
    );
    field(
        &mut v,
        a.weight != b.weight,
        "weight",
        format_number(a.weight),
        format_number(b.weight),
    );
    field(
        &mut v,
        a.priority != b.priority,
        "priority",
        a.priority.to_string(),
        b.priority.to_string(),
    );
    let cat = |c: Option<crate::domain::Category>| c.map(|c| c.to_string()).unwrap_or_default();
    field(
        &mut v,
        a.category != b.category,
        "category",
        cat(a.category),
        cat(b.category),
    );
    field(
        &mut v,
        a.status != b.status,
        "status",
        a.status.to_string(),
        b.status.to_string(),
    );
    v
}

fn measure_fields(a: &MeasureDef, b: &MeasureDef) -> Vec<FieldChange> {
    let mut v = Vec::new();
    field(&mut v, a.unit != b.unit, "unit", opt(&a.unit), opt(&b.unit));
    field(
        &mut v,
        a.kind != b.kind,
        "kind",
        a.kind.to_string(),
        b.kind.to_string(),
    );
    field(
        &mut v,
        a.direction != b.direction,
        "direction",
        a.direction.to_string(),
        b.direction.to_string(),
    );
    field(
        &mut v,
        a.baseline != b.baseline,
        "baseline",
        format_number(a.baseline),
        format_number(b.baseline),
    );
    field(
        &mut v,
        a.target != b.target,
        "target",
        format_number(a.target),
        format_number(b.target),
    );
    field(
        &mut v,
        a.stretch != b.stretch,
        "stretch",
        opt_num(a.stretch),
        opt_num(b.stretch),
    );
    field(
        &mut v,
        a.floor != b.floor,
        "floor",
        opt_num(a.floor),
        opt_num(b.floor),
    );
    field(
        &mut v,
        a.weight != b.weight,
        "weight",
        format_number(a.weight),
        format_number(b.weight),
    );
    v
}

/// Order `items` so that an item whose parent is also in `items` comes
/// after that parent (stable otherwise; cycles keep their given order).
fn parents_first<T: Clone>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    parent: impl Fn(&T) -> Option<&str>,
) -> Vec<T> {
    let ids: HashSet<String> = items.iter().map(|t| id(t).to_string()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    let mut rest = items;
    while !rest.is_empty() {
        let before = rest.len();
        let mut next = Vec::new();
        for t in rest {
            let ready =
                parent(&t).is_none_or(|p| !ids.contains(p) || placed.contains(p) || p == id(&t));
            if ready {
                placed.insert(id(&t).to_string());
                out.push(t);
            } else {
                next.push(t);
            }
        }
        if next.len() == before {
            out.extend(next);
            break;
        }
        rest = next;
    }
    out
}

/// Adds (parents first) then updates, for one kind of entity.
fn diff_kind<T: Clone>(
    current: &[T],
    desired: &[T],
    id: impl Fn(&T) -> &str + Copy,
    parent: impl Fn(&T) -> Option<&str>,
    fields: impl Fn(&T, &T) -> Vec<FieldChange>,
    wrap: impl Fn(T) -> Entity,
    make_ref: impl Fn(String) -> EntityRef,
) -> Vec<Change> {
    let cur: HashMap<&str, &T> = current.iter().map(|t| (id(t), t)).collect();
    let mut desired: Vec<&T> = desired.iter().collect();
    desired.sort_by(|a, b| id(a).cmp(id(b)));
    let mut adds = Vec::new();
    let mut updates = Vec::new();
    for d in desired {
        match cur.get(id(d)) {
            None => adds.push(d.clone()),
            Some(c) => {
                let f = fields(c, d);
                if !f.is_empty() {
                    updates.push(Change::Update {
                        entity: make_ref(id(d).to_string()),
                        fields: f,
                    });
                }
            }
        }
    }
    let mut out: Vec<Change> = parents_first(adds, id, parent)
        .into_iter()
        .map(|t| Change::Add(wrap(t)))
        .collect();
    out.extend(updates);
    out
}

/// Everything `desired` changes relative to `current`, both whole states.
///
/// Entities are matched by identity (period name, team or person handle,
/// goal key, goal key and measure name) and fields compared exactly. Entities
/// of `current` missing from `desired` are removed only when `prune` is set,
/// and only goals and measures are ever removed. A removed goal takes its
/// measures with it (they are not listed separately).
///
/// Order, for applying one by one: periods, teams, people, goals (each kind:
/// additions with parents before children, then updates), then measures of
/// existing goals (additions, updates), then removals: measures, then goals
/// with children before parents. A team's lead may name a person added later
/// in the list.
pub fn diff(current: &PlanFile, desired: &PlanFile, prune: bool) -> Vec<Change> {
    let mut out = diff_kind(
        &current.periods,
        &desired.periods,
        |p: &PeriodDef| &p.name,
        |_| None,
        period_fields,
        Entity::Period,
        EntityRef::Period,
    );
    out.extend(diff_kind(
        &current.teams,
        &desired.teams,
        |t: &TeamDef| &t.handle,
        |t| t.parent.as_deref(),
        team_fields,
        Entity::Team,
        EntityRef::Team,
    ));
    out.extend(diff_kind(
        &current.people,
        &desired.people,
        |p: &PersonDef| &p.handle,
        |p| p.manager.as_deref(),
        person_fields,
        Entity::Person,
        EntityRef::Person,
    ));
    out.extend(diff_kind(
        &current.goals,
        &desired.goals,
        |g: &GoalDef| &g.key,
        |g| g.parent.as_deref(),
        goal_fields,
        Entity::Goal,
        EntityRef::Goal,
    ));

    let cur_goals: HashMap<&str, &GoalDef> =
        current.goals.iter().map(|g| (g.key.as_str(), g)).collect();
    let mut desired_goals: Vec<&GoalDef> = desired.goals.iter().collect();
    desired_goals.sort_by(|a, b| a.key.cmp(&b.key));
    let mut measure_adds = Vec::new();
    let mut measure_updates = Vec::new();
    let mut measure_removes = Vec::new();
    for d in &desired_goals {
        let Some(c) = cur_goals.get(d.key.as_str()) else {
            continue;
        };
        for m in &d.measures {
            match c.measures.iter().find(|cm| cm.name == m.name) {
                None => measure_adds.push(Change::Add(Entity::Measure {
                    goal: d.key.clone(),
                    measure: m.clone(),
                })),
                Some(cm) => {
                    let f = measure_fields(cm, m);
                    if !f.is_empty() {
                        let entity = EntityRef::Measure {
                            goal: d.key.clone(),
                            name: m.name.clone(),
                        };
                        measure_updates.push(Change::Update { entity, fields: f });
                    }
                }
            }
        }
        if prune {
            for cm in &c.measures {
                if !d.measures.iter().any(|m| m.name == cm.name) {
                    measure_removes.push(Change::Remove(EntityRef::Measure {
                        goal: d.key.clone(),
                        name: cm.name.clone(),
                    }));
                }
            }
        }
    }
    out.extend(measure_adds);
    out.extend(measure_updates);
    out.extend(measure_removes);

    if prune {
        let keep: HashSet<&str> = desired.goals.iter().map(|g| g.key.as_str()).collect();
        let mut gone: Vec<&GoalDef> = current
            .goals
            .iter()
            .filter(|g| !keep.contains(g.key.as_str()))
            .collect();
        gone.sort_by(|a, b| a.key.cmp(&b.key));
        let mut ordered = parents_first(gone, |g| g.key.as_str(), |g| g.parent.as_deref());
        ordered.reverse();
        out.extend(
            ordered
                .into_iter()
                .map(|g| Change::Remove(EntityRef::Goal(g.key.clone()))),
        );
    }
    out
}

/// The state after applying `desired` on top of `current`: entities of
/// `desired` replace those with the same identity, others are kept, except
/// that with `prune` goals missing from `desired` are dropped, and so are
/// measures missing from a goal of `desired`. Within a goal kept from both,
/// the desired measures come first, in their order, then the kept ones.
pub fn merge(current: &PlanFile, desired: &PlanFile, prune: bool) -> PlanFile {
    fn overlay<T: Clone>(current: &[T], desired: &[T], id: impl Fn(&T) -> &str) -> Vec<T> {
        let mut out: Vec<T> = current.to_vec();
        for d in desired {
            match out.iter_mut().find(|c| id(c) == id(d)) {
                Some(slot) => *slot = d.clone(),
                None => out.push(d.clone()),
            }
        }
        out
    }
    let mut goals = Vec::new();
    for c in &current.goals {
        match desired.goal(&c.key) {
            Some(d) => {
                let mut g = d.clone();
                if !prune {
                    for m in &c.measures {
                        if !g.measures.iter().any(|x| x.name == m.name) {
                            g.measures.push(m.clone());
                        }
                    }
                }
                goals.push(g);
            }
            None if prune => {}
            None => goals.push(c.clone()),
        }
    }
    for d in &desired.goals {
        if current.goal(&d.key).is_none() && !goals.iter().any(|g| g.key == d.key) {
            goals.push(d.clone());
        }
    }
    PlanFile {
        periods: overlay(&current.periods, &desired.periods, |p| &p.name),
        teams: overlay(&current.teams, &desired.teams, |t| &t.handle),
        people: overlay(&current.people, &desired.people, |p| &p.handle),
        goals,
    }
}
