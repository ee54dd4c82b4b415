//! The plan's rules: finding goals and measures, adding and changing them
//! (keys, titles, owners, alignment without cycles, dates, weights, the
//! measure's standard), custom periods, and which goals a filter names.

use super::access::Policy;
use crate::domain::access::Act;
use crate::domain::goal::{
    Goal, Measure, PeriodRow, aligned_to_itself, alignment_loop, check_dates, check_weight,
    default_period, refuse_builtin, resolve_period as resolve, unknown_period, validate_period,
};
use crate::domain::graph::closes_loop;
use crate::domain::measure::infer_direction;
use crate::domain::names::{max, slugify, validate_key, validate_text};
use crate::domain::org::Owner;
use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::plan::GoalQuery;
use crate::time::{Clock, Period, Weekday, parse_date, parse_date_end};
use chrono::NaiveDate;

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
    pub start: Option<Option<chrono::NaiveDate>>,
    /// New due date.
    pub due: Option<Option<chrono::NaiveDate>>,
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

/// Which goals to list, as a user names them.
#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    /// Owned by this person or team.
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

/// Every status but dropped: what a list shows unless asked otherwise.
pub fn undropped() -> Vec<GoalStatus> {
    GoalStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != GoalStatus::Dropped)
        .collect()
}

/// The goals a filter names, by id.
pub fn list_goals(s: &dyn Session, f: &GoalFilter) -> Result<Vec<Goal>> {
    let team = match &f.team {
        Some(t) => Some(super::org::team_id(s, t)?),
        None => None,
    };
    let owner = match &f.owner {
        Some(o) => Some(super::org::owner(s, o)?),
        None => None,
    };
    let query = GoalQuery {
        team,
        owner,
        period: f.period.clone(),
        statuses: if f.statuses.is_empty() {
            undropped()
        } else {
            f.statuses.clone()
        },
        limit: f.limit,
    };
    Ok(s.list_goals(&query)?)
}

/// A goal by id (`12`, `#12`) or key, if there is one.
pub fn find_goal(s: &dyn Session, reference: &str) -> Result<Option<Goal>> {
    let r = reference.trim();
    let digits = r.strip_prefix('#').unwrap_or(r);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let Ok(id) = digits.parse::<i64>() else {
            return Ok(None);
        };
        return Ok(s.goal_by_id(id)?);
    }
    Ok(s.goal_by_key(r)?)
}

/// A goal by id or key; exit 1 if there is none.
pub fn get_goal(s: &dyn Session, reference: &str) -> Result<Goal> {
    find_goal(s, reference)?.ok_or_else(|| {
        let shown: String = reference.chars().take(80).collect();
        Error::not_found("goal", &shown)
            .with_hint("goals are named by id or key; `yardstick plan list` shows them")
    })
}

/// A measure of a goal by name; exit 1 (listing the names) if there is none.
pub fn get_measure(s: &dyn Session, goal: &Goal, name: &str) -> Result<Measure> {
    let all = s.measures(goal.id)?;
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

/// The measure a value is recorded against: the one named, else the goal's
/// only one (none when it has none); several need a name.
pub fn pick_measure(s: &dyn Session, goal: &Goal, name: Option<&str>) -> Result<Option<Measure>> {
    if let Some(n) = name {
        return get_measure(s, goal, n).map(Some);
    }
    let all = s.measures(goal.id)?;
    match all.len() {
        0 => Ok(None),
        1 => Ok(all.into_iter().next()),
        _ => {
            let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
            Err(Error::invalid(format!(
                "goal {} has {} measures; say which with --measure",
                goal.key,
                all.len()
            ))
            .with_hint(format!("measures: {}", names.join(", "))))
        }
    }
}

fn unique_key(s: &dyn Session, base: &str) -> Result<String> {
    let mut candidate = base.to_string();
    let mut n = 2;
    while s.goal_by_key(&candidate)?.is_some() {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

fn key_taken(key: &str) -> Error {
    Error::failed(format!("a goal with key '{key}' already exists"))
        .with_hint("choose another --key")
}

/// Whether aligning goal `goal` to goal `parent` (row ids) closes a loop
/// (the one rule imports use too).
fn closes_alignment_loop(s: &dyn Session, goal: i64, parent: i64) -> Result<bool> {
    let parent_of = |id: &i64| -> Result<Option<i64>> {
        let Some(key) = s.goal_by_id(*id)?.and_then(|g| g.parent) else {
            return Ok(None);
        };
        Ok(s.goal_by_key(&key)?.map(|g| g.id))
    };
    Ok(closes_loop(&goal, &parent, parent_of)?.is_some())
}

fn apply_goal_patch(s: &dyn Session, g: &mut Goal, patch: &GoalPatch) -> Result<()> {
    if let Some(key) = &patch.key {
        validate_key(key)?;
        if key != &g.key && find_goal(s, key)?.is_some() {
            return Err(key_taken(key));
        }
        g.key = key.clone();
    }
    if let Some(title) = &patch.title {
        validate_text("title", title, max::GOAL_TITLE)?;
        g.title = title.trim().to_string();
    }
    if let Some(d) = &patch.description {
        g.description = match d {
            Some(text) if !text.trim().is_empty() => {
                validate_text("description", text, max::DESCRIPTION)?;
                Some(text.trim().to_string())
            }
            _ => None,
        };
    }
    if let Some(owner) = &patch.owner {
        let o = super::org::owner(s, owner)?;
        g.owner = owner.clone();
        g.owner_is_team = matches!(o, Owner::Team(_));
    }
    if let Some(parent) = &patch.parent {
        g.parent = match parent {
            None => None,
            Some(p) => {
                let pg = get_goal(s, p)?;
                if pg.id == g.id || pg.key == g.key {
                    return Err(aligned_to_itself(&g.key));
                }
                if g.id != 0 && closes_alignment_loop(s, g.id, pg.id)? {
                    return Err(alignment_loop(&g.key, &pg.key));
                }
                Some(pg.key)
            }
        };
    }
    if let Some(p) = &patch.period {
        g.period = p.clone();
    }
    if let Some(d) = patch.start {
        g.start = d;
    }
    if let Some(d) = patch.due {
        g.due = d;
    }
    check_dates(&g.key, g.start, g.due)?;
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
    if let Some(st) = patch.status {
        g.status = st;
    }
    Ok(())
}

/// Add a goal. The patch must set a title and an owner; a key is made from
/// the title when none is given.
pub fn add_goal(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    patch: &GoalPatch,
) -> Result<Goal> {
    let Some(title) = &patch.title else {
        return Err(Error::invalid("a goal needs a title"));
    };
    validate_text("title", title, max::GOAL_TITLE)?;
    let Some(owner) = &patch.owner else {
        return Err(Error::invalid("a goal needs an owner")
            .with_hint("pass --owner HANDLE (a person or team)"));
    };
    let key = match &patch.key {
        Some(k) => {
            validate_key(k)?;
            if find_goal(s, k)?.is_some() {
                return Err(key_taken(k));
            }
            k.clone()
        }
        None => unique_key(s, &slugify(title))?,
    };
    let o = super::org::owner(s, owner)?;
    policy.check_owner(s, owner, matches!(o, Owner::Team(_)))?;
    s.insert_goal(now, &key, title.trim(), o)?;
    let mut g = get_goal(s, &key)?;
    let rest = GoalPatch {
        key: None,
        ..patch.clone()
    };
    apply_goal_patch(s, &mut g, &rest)?;
    g.stamp_closed(now);
    s.update_goal(now, &g)?;
    get_goal(s, &key)
}

/// Edit a goal; returns it and whether anything changed.
pub fn edit_goal(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    reference: &str,
    patch: &GoalPatch,
) -> Result<(Goal, bool)> {
    let before = get_goal(s, reference)?;
    let mut after = before.clone();
    apply_goal_patch(s, &mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    policy.check_goal(s, &before)?;
    if (after.owner.as_str(), after.owner_is_team) != (before.owner.as_str(), before.owner_is_team)
    {
        // Handing a goal to someone else needs a say over theirs too.
        policy.check_owner(s, &after.owner, after.owner_is_team)?;
    }
    after.stamp_closed(now);
    s.update_goal(now, &after)?;
    Ok((get_goal(s, &after.key)?, true))
}

/// Remove a goal with its measures and check-ins; goals aligned to it lose the link.
pub fn remove_goal(s: &mut dyn Session, policy: &Policy, reference: &str) -> Result<Goal> {
    let g = get_goal(s, reference)?;
    policy.check_goal(s, &g)?;
    s.delete_goal(g.id)?;
    Ok(g)
}

fn apply_measure_patch(m: &mut Measure, patch: &MeasurePatch) -> Result<()> {
    if let Some(name) = &patch.name {
        validate_text("measure name", name, max::NAME)?;
        m.name = name.trim().to_string();
    }
    if let Some(u) = &patch.unit {
        m.unit = u
            .as_ref()
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty());
        if let Some(x) = &m.unit {
            validate_text("unit", x, max::UNIT)?;
        }
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
    if let Some(x) = patch.stretch {
        m.stretch = x;
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

/// Add a measure to a goal. Baseline and target are required; the direction
/// is inferred from them when not given.
pub fn add_measure(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    goal: &Goal,
    patch: &MeasurePatch,
) -> Result<Measure> {
    policy.check_goal(s, goal)?;
    let Some(name) = &patch.name else {
        return Err(Error::invalid("a measure needs a name"));
    };
    let (Some(baseline), Some(target)) = (patch.baseline, patch.target) else {
        return Err(
            Error::invalid(format!("measure '{name}' needs a baseline and a target"))
                .with_hint("pass --baseline N --target N"),
        );
    };
    let existing = s.measures(goal.id)?;
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
        uuid: crate::store::new_uuid(),
        goal_id: goal.id,
        position: existing.iter().map(|m| m.position).max().unwrap_or(0) + 1,
        name: name.clone(),
        unit: None,
        kind: MeasureKind::Number,
        direction: infer_direction(baseline, target),
        baseline,
        target,
        stretch: None,
        floor: None,
        weight: 1.0,
        created_at: now.to_string(),
        updated_at: now.to_string(),
    };
    apply_measure_patch(&mut m, patch)?;
    m.id = s.insert_measure(now, &m)?;
    Ok(m)
}

/// Edit a measure; returns it and whether anything changed.
pub fn edit_measure(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    goal: &Goal,
    name: &str,
    patch: &MeasurePatch,
) -> Result<(Measure, bool)> {
    let before = get_measure(s, goal, name)?;
    let mut after = before.clone();
    apply_measure_patch(&mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    policy.check_goal(s, goal)?;
    if after.name != before.name && s.measures(goal.id)?.iter().any(|m| m.name == after.name) {
        return Err(Error::failed(format!(
            "goal {} already has a measure '{}'",
            goal.key, after.name
        )));
    }
    s.update_measure(now, &after)?;
    Ok((get_measure(s, goal, &after.name)?, true))
}

/// Remove a measure and its check-ins.
pub fn remove_measure(
    s: &mut dyn Session,
    policy: &Policy,
    goal: &Goal,
    name: &str,
) -> Result<Measure> {
    policy.check_goal(s, goal)?;
    let m = get_measure(s, goal, name)?;
    s.delete_measure(m.id)?;
    Ok(m)
}

/// A custom period by name.
pub fn find_period(s: &dyn Session, name: &str) -> Result<Option<PeriodRow>> {
    Ok(s.list_periods()?.into_iter().find(|p| p.name == name))
}

/// Add or update a custom period; returns whether anything changed.
pub fn put_period(s: &mut dyn Session, now: &str, policy: &Policy, p: &PeriodRow) -> Result<bool> {
    validate_period(p)?;
    let existing = find_period(s, &p.name)?;
    if existing.as_ref() != Some(p) {
        policy.check(s, Act::ChangeOrg, None, None)?;
    }
    match existing {
        Some(old) if &old == p => Ok(false),
        Some(_) => {
            s.update_period(now, p)?;
            Ok(true)
        }
        None => {
            s.insert_period(now, p)?;
            Ok(true)
        }
    }
}

/// Remove a custom period; refused while goals use it.
pub fn remove_period(s: &mut dyn Session, policy: &Policy, name: &str) -> Result<PeriodRow> {
    policy.check(s, Act::ChangeOrg, None, None)?;
    let Some(p) = find_period(s, name)? else {
        return Err(Error::not_found("period", name)
            .with_hint("`yardstick period list` shows custom periods"));
    };
    let used = s.goals_in_period(name)?;
    if used > 0 {
        return Err(Error::failed(format!("{used} goal(s) use period {name}"))
            .with_hint("move them to another period first"));
    }
    s.delete_period(name)?;
    Ok(p)
}

/// A period by name: built-in or custom; exit 1 if neither.
pub fn resolve_period(s: &dyn Session, week_start: Weekday, name: &str) -> Result<Period> {
    resolve(name, week_start, &s.list_periods()?)?.ok_or_else(|| unknown_period(name))
}

/// `period add`: declare or change a custom period; returns whether it changed.
pub fn period_set(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    week_start: Weekday,
    p: &PeriodRow,
) -> Result<bool> {
    refuse_builtin(&p.name, week_start)?;
    let changed = put_period(s, now, policy, p)?;
    s.set_summary(&format!("set period {} {} – {}", p.name, p.start, p.end));
    Ok(changed)
}

/// `period rm`: remove a custom period.
pub fn period_remove(s: &mut dyn Session, policy: &Policy, name: &str) -> Result<()> {
    remove_period(s, policy, name)?;
    s.set_summary(&format!("removed period {name}"));
    Ok(())
}

/// A goal's fields as typed: dates and the period are expressions (a
/// custom period's name counts), "none" already turned into `Some(None)`.
#[derive(Debug, Clone, Default)]
pub struct GoalFields {
    /// Key.
    pub key: Option<String>,
    /// Owner handle.
    pub owner: Option<String>,
    /// Parent goal (id or key).
    pub parent: Option<Option<String>>,
    /// Period name.
    pub period: Option<Option<String>>,
    /// Start: a date expression.
    pub start: Option<Option<String>>,
    /// Due: a date expression (a period name means its last day).
    pub due: Option<Option<String>>,
    /// Weight.
    pub weight: Option<f64>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Category (its spelling).
    pub category: Option<Option<String>>,
    /// Description.
    pub description: Option<Option<String>>,
}

/// A date expression that may also be a custom period's name (its first
/// day, or with `end` its last).
fn date_expr(
    s: &dyn Session,
    clock: &Clock,
    flag: &str,
    text: &str,
    end: bool,
) -> Result<NaiveDate> {
    let parsed = if end {
        parse_date_end(text, clock)
    } else {
        parse_date(text, clock)
    };
    match parsed {
        Ok(d) => Ok(d),
        Err(e) => match find_period(s, text)? {
            Some(p) => Ok(if end { p.end } else { p.start }),
            None => Err(e.context(flag)),
        },
    }
}

/// Turn typed fields into a goal patch. A new goal with no period, start
/// or due gets the current quarter ([`default_period`]) and starts today.
pub fn goal_patch(
    s: &dyn Session,
    clock: &Clock,
    f: &GoalFields,
    title: Option<String>,
    adding: bool,
) -> Result<GoalPatch> {
    let mut patch = GoalPatch {
        key: f.key.clone(),
        title,
        description: f.description.clone(),
        owner: f.owner.clone(),
        parent: f.parent.clone(),
        weight: f.weight,
        priority: f.priority,
        category: match &f.category {
            None => None,
            Some(None) => Some(None),
            Some(Some(c)) => Some(Some(c.parse::<Category>()?)),
        },
        ..GoalPatch::default()
    };
    let mut bounds = None;
    match &f.period {
        Some(Some(p)) => {
            let period = resolve_period(s, clock.week_start, p)?;
            patch.period = Some(Some(period.name));
            bounds = Some((period.start, period.end));
        }
        Some(None) => patch.period = Some(None),
        None => {
            if adding && f.start.is_none() && f.due.is_none() {
                let q = default_period(clock.today, clock.week_start);
                patch.period = Some(Some(q.name));
                bounds = Some((q.start, q.end));
            }
        }
    }
    patch.start = match &f.start {
        Some(Some(x)) => Some(Some(date_expr(s, clock, "--start", x, false)?)),
        Some(None) => Some(None),
        None => bounds.map(|(b, _)| Some(b)),
    };
    patch.due = match &f.due {
        Some(Some(x)) => Some(Some(date_expr(s, clock, "--due", x, true)?)),
        Some(None) => Some(None),
        None => bounds.map(|(_, e)| Some(e)),
    };
    if adding && patch.start.is_none() {
        patch.start = Some(Some(clock.today));
    }
    Ok(patch)
}

/// A new goal without an owner belongs to the acting person.
pub fn default_owner(patch: &mut GoalPatch, actor: &super::Actor) -> Result<()> {
    if patch.owner.is_none() {
        patch.owner = Some(actor.handle().map(str::to_string).ok_or_else(|| {
            Error::invalid("missing --owner").with_hint(
                "pass --owner HANDLE, or set who you are with --as / `yardstick init --me`",
            )
        })?);
    }
    Ok(())
}

/// `plan add`: add a goal, with its first measure when given.
pub fn goal_add(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    patch: &GoalPatch,
    measure: Option<&MeasurePatch>,
) -> Result<Goal> {
    let g = add_goal(s, now, policy, patch)?;
    if let Some(m) = measure {
        add_measure(s, now, policy, &g, m)?;
    }
    s.set_summary(&format!("added goal {} \"{}\"", g.key, g.title));
    Ok(g)
}

/// `plan measure`: add a measure to a goal; returns the goal's key.
pub fn measure_add(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    goal: &str,
    patch: &MeasurePatch,
) -> Result<String> {
    let g = get_goal(s, goal)?;
    let m = add_measure(s, now, policy, &g, patch)?;
    s.set_summary(&format!("added measure '{}' to {}", m.name, g.key));
    Ok(g.key)
}

/// Which measure `plan edit` changes: the one named, else the goal's only one.
pub fn measure_to_edit(s: &dyn Session, goal: &Goal, name: Option<&str>) -> Result<String> {
    if let Some(m) = name {
        return Ok(m.to_string());
    }
    let all = s.measures(goal.id)?;
    match all.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => Err(Error::failed(format!(
            "goal {} has no measures to edit",
            goal.key
        ))),
        many => {
            let names: Vec<&str> = many.iter().map(|m| m.name.as_str()).collect();
            Err(Error::invalid(format!(
                "goal {} has several measures; say which with --measure",
                goal.key
            ))
            .with_hint(format!("measures: {}", names.join(", "))))
        }
    }
}

/// `plan edit`: change a goal and, with a name, one of its measures;
/// returns the goal's key.
pub fn goal_edit(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    key: &str,
    patch: &GoalPatch,
    measure: Option<(&str, &MeasurePatch)>,
) -> Result<String> {
    let (g, mut changed) = edit_goal(s, now, policy, key, patch)?;
    if let Some((name, mpatch)) = measure {
        let (_, c) = edit_measure(s, now, policy, &g, name, mpatch)?;
        changed |= c;
    }
    if changed {
        s.set_summary(&format!("edited goal {}", g.key));
    }
    Ok(g.key)
}

/// `plan close` and `plan reopen`: set a goal's status; returns its key.
pub fn goal_set_status(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    goal: &str,
    status: GoalStatus,
    verb: &str,
) -> Result<String> {
    let patch = GoalPatch {
        status: Some(status),
        ..GoalPatch::default()
    };
    let (g, changed) = edit_goal(s, now, policy, goal, &patch)?;
    if changed {
        s.set_summary(&format!("{verb} goal {} as {status}", g.key));
    }
    Ok(g.key)
}

/// What `plan rm` would remove, as a question to confirm.
pub fn removal_question(s: &dyn Session, goal: &str, measure: Option<&str>) -> Result<String> {
    let g = get_goal(s, goal)?;
    Ok(match measure {
        Some(m) => {
            get_measure(s, &g, m)?;
            format!("Remove measure '{m}' of {} and its check-ins?", g.key)
        }
        None => format!(
            "Remove goal {} \"{}\" with its measures and check-ins?",
            g.key, g.title
        ),
    })
}

/// `plan rm`: remove a goal, or one of its measures.
pub fn goal_remove(
    s: &mut dyn Session,
    policy: &Policy,
    goal: &str,
    measure: Option<&str>,
) -> Result<()> {
    let g = get_goal(s, goal)?;
    match measure {
        Some(m) => {
            remove_measure(s, policy, &g, m)?;
            s.set_summary(&format!("removed measure '{m}' of {}", g.key));
        }
        None => {
            remove_goal(s, policy, &g.key)?;
            s.set_summary(&format!("removed goal {}", g.key));
        }
    }
    Ok(())
}

/// What `plan carry` does: for each unfinished goal of the source period,
/// the key of its copy, or why it is skipped.
#[derive(Debug, Clone)]
pub struct CarryPlan {
    /// The source period's name.
    pub from: String,
    /// The target period.
    pub to: Period,
    /// The goals to copy, with their new keys.
    pub goals: Vec<(Goal, String)>,
    /// Rows for display: (action, entity, key, detail).
    pub rows: Vec<(String, String, String, String)>,
}

/// Work out `plan carry`: every draft or active goal of `from` gets a copy
/// keyed `KEY-<to>`, unless one exists.
pub fn carry_plan(s: &dyn Session, week_start: Weekday, from: &str, to: &str) -> Result<CarryPlan> {
    let from = resolve_period(s, week_start, from)?.name;
    let to = resolve_period(s, week_start, to)?;
    if from == to.name {
        return Err(Error::invalid("--from and --to name the same period"));
    }
    let goals = list_goals(
        s,
        &GoalFilter {
            period: Some(from.clone()),
            statuses: vec![GoalStatus::Draft, GoalStatus::Active],
            ..GoalFilter::default()
        },
    )?;
    let suffix = to.name.to_ascii_lowercase();
    let mut rows = Vec::new();
    let mut plan = Vec::new();
    for g in goals {
        let base = g
            .key
            .strip_suffix(&format!("-{}", from.to_ascii_lowercase()))
            .unwrap_or(&g.key);
        let mut key = format!("{base}-{suffix}");
        key.truncate(crate::domain::names::MAX_KEY);
        let (action, detail) = if find_goal(s, &key)?.is_some() {
            ("skip", "already carried".to_string())
        } else {
            ("add", format!("from {}", g.key))
        };
        rows.push((action.into(), "goal".into(), key.clone(), detail));
        if action == "add" {
            plan.push((g, key));
        }
    }
    Ok(CarryPlan {
        from,
        to,
        goals: plan,
        rows,
    })
}

/// Carry the goals of a [`CarryPlan`]: each copied with its measures'
/// baselines set to their latest values, then re-aligned to the copies of
/// their parents.
pub fn carry(s: &mut dyn Session, now: &str, policy: &Policy, plan: &CarryPlan) -> Result<()> {
    let carried: std::collections::HashMap<&str, &str> = plan
        .goals
        .iter()
        .map(|(g, k)| (g.key.as_str(), k.as_str()))
        .collect();
    for (g, key) in &plan.goals {
        let patch = GoalPatch {
            key: Some(key.clone()),
            title: Some(g.title.clone()),
            description: Some(g.description.clone()),
            owner: Some(g.owner.clone()),
            period: Some(Some(plan.to.name.clone())),
            start: Some(Some(plan.to.start)),
            due: Some(Some(plan.to.end)),
            weight: Some(g.weight),
            priority: Some(g.priority),
            category: Some(g.category),
            status: Some(g.status),
            parent: None,
        };
        let new = add_goal(s, now, policy, &patch)?;
        for m in s.measures(g.id)? {
            let latest = s.latest_value(m.id)?.map(|(_, v)| v);
            let mp = MeasurePatch {
                name: Some(m.name.clone()),
                unit: Some(m.unit.clone()),
                kind: Some(m.kind),
                direction: Some(m.direction),
                baseline: Some(latest.unwrap_or(m.baseline)),
                target: Some(m.target),
                stretch: Some(m.stretch),
                floor: Some(m.floor),
                weight: Some(m.weight),
            };
            // A latest value already past the target leaves nothing to carry
            // for that measure's baseline; keep the original baseline so the
            // measure stays valid.
            if add_measure(s, now, policy, &new, &mp).is_err() {
                add_measure(
                    s,
                    now,
                    policy,
                    &new,
                    &MeasurePatch {
                        baseline: Some(m.baseline),
                        ..mp
                    },
                )?;
            }
        }
    }
    // Parents are linked after every carried goal exists.
    for (g, key) in &plan.goals {
        if let Some(p) = &g.parent {
            let target = carried.get(p.as_str()).map_or(p.as_str(), |k| k);
            let patch = GoalPatch {
                parent: Some(Some(target.to_string())),
                ..GoalPatch::default()
            };
            edit_goal(s, now, policy, key, &patch)?;
        }
    }
    s.set_summary(&format!(
        "carried {} goal(s) from {} to {}",
        plan.goals.len(),
        plan.from,
        plan.to.name
    ));
    Ok(())
}
