//! Check-ins: recording progress, listing, editing and removing check-ins,
//! and who is due for one.

use super::Actor;
use super::access::Policy;
use super::plan::{GoalFilter, get_goal, get_measure, list_goals, pick_measure};
use crate::domain::checkin::{Checkin, DueRow, check_day, due, parse_confidence, parse_status};
use crate::domain::goal::{Goal, Measure};
use crate::domain::value::parse_value;
use crate::domain::{GoalStatus, MeasureKind};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::checkins::{CheckinFilter, NewCheckin};
use crate::time::{Clock, parse_date, parse_window};
use chrono::NaiveDate;

/// A check-in as typed.
#[derive(Debug, Clone, Default)]
pub struct CheckinInput {
    /// Which measure (needed when the goal has several).
    pub measure: Option<String>,
    /// The value as typed.
    pub value: Option<String>,
    /// Confidence as typed.
    pub confidence: Option<String>,
    /// Reported status as typed.
    pub status: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The day, as a date expression.
    pub date: Option<String>,
    /// The largest percentage a percent measure takes.
    pub percent_max: f64,
}

/// A check-in checked and ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The goal.
    pub goal: Goal,
    /// The measure the value is for.
    pub measure: Option<Measure>,
    /// The row to write.
    pub new: NewCheckin,
}

impl Prepared {
    /// The goal's due date when this check-in records a value dated after
    /// it: a review cycle scores goals as of its period's end, so such a
    /// value counts in no cycle of a period that ended by then.
    pub fn after_due(&self) -> Option<NaiveDate> {
        self.new.value?;
        self.goal.due.filter(|due| self.new.date > *due)
    }
}

/// The acting person's id, if they are a person in the database. A handle
/// given for this run that names nobody is an error; no identity is fine.
pub fn author(s: &dyn Session, actor: &Actor) -> Result<Option<i64>> {
    match actor.handle() {
        Some(h) => match s.find_person(h)? {
            Some(p) => Ok(Some(p.id)),
            None if actor.explicit => {
                Err(Error::not_found("person", h).with_hint("check --as / YARDSTICK_USER"))
            }
            None => Ok(None),
        },
        None => Ok(None),
    }
}

/// The day a check-in is about: the expression given, else today; never
/// after today.
pub fn day(clock: &Clock, text: Option<&str>) -> Result<NaiveDate> {
    let d = match text {
        Some(d) => parse_date(d, clock).map_err(|e| e.context("--date"))?,
        None => clock.today,
    };
    check_day(d, clock.today)
}

/// Check a check-in of `goal` and work out what to write.
pub fn prepare(
    s: &dyn Session,
    clock: &Clock,
    actor: &Actor,
    goal: &Goal,
    input: &CheckinInput,
) -> Result<Prepared> {
    let measure = match &input.value {
        Some(_) => match pick_measure(s, goal, input.measure.as_deref())? {
            Some(m) => Some(m),
            None => {
                return Err(Error::invalid(format!("goal {} has no measures, so a value cannot be recorded", goal.key))
                    .with_hint(format!("add one with `yardstick plan measure {} NAME ...`, or record a status with --status", goal.key)));
            }
        },
        None => match &input.measure {
            Some(n) => Some(get_measure(s, goal, n)?),
            None => None,
        },
    };
    let parsed = match (&input.value, &measure) {
        (Some(v), Some(m)) => Some(
            parse_value(m.kind, v, input.percent_max)
                .map_err(|e| e.context(format!("value for {}", m.name)))?,
        ),
        _ => None,
    };
    let confidence = input
        .confidence
        .as_deref()
        .map(parse_confidence)
        .transpose()?;
    let status = input.status.as_deref().map(parse_status).transpose()?;
    if parsed.is_none() && status.is_none() && input.note.is_none() && confidence.is_none() {
        return Err(
            Error::invalid(format!("nothing to record for {}", goal.key)).with_hint(
                "pass a VALUE, or --status / --note / --confidence for an update without a value",
            ),
        );
    }
    let date = day(clock, input.date.as_deref())?;
    let author_id = author(s, actor)?;
    let note = input
        .note
        .as_deref()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if let Some(n) = &note {
        crate::domain::names::validate_text("note", n, crate::domain::names::max::NOTE)?;
    }
    Ok(Prepared {
        new: NewCheckin {
            goal_id: goal.id,
            measure_id: if parsed.is_some() {
                measure.as_ref().map(|m| m.id)
            } else {
                None
            },
            date,
            value: parsed,
            confidence,
            status,
            note,
            author_id,
        },
        goal: goal.clone(),
        measure,
    })
}

/// `checkin`: record a prepared check-in; returns its id.
pub fn record(s: &mut dyn Session, now: &str, policy: &Policy, p: &Prepared) -> Result<i64> {
    policy.check_goal(s, &p.goal)?;
    let id = s.insert_checkin(now, &p.new)?;
    let what = match (&p.measure, p.new.value) {
        (Some(m), Some(v)) => format!("{}/{} = {v}", p.goal.key, m.name),
        _ => format!("{} status update", p.goal.key),
    };
    s.set_summary(&format!("checked in {what} on {}", p.new.date));
    Ok(id)
}

/// A check-in by id; exit 1 if there is none.
pub fn get(s: &dyn Session, id: i64) -> Result<Checkin> {
    s.checkin(id)?.ok_or_else(|| {
        Error::not_found("check-in", &id.to_string())
            .with_hint("`yardstick checkin list` shows ids")
    })
}

/// Which check-ins `checkin list` shows, as typed.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    /// A goal (id or key).
    pub goal: Option<String>,
    /// A person's handle.
    pub person: Option<String>,
    /// A team's handle.
    pub team: Option<String>,
    /// From this date expression.
    pub since: Option<String>,
    /// Up to this date expression.
    pub until: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
}

/// `checkin list`: check-ins matching a filter, newest first.
pub fn list(s: &dyn Session, clock: &Clock, input: &ListInput) -> Result<Vec<Checkin>> {
    let goal = input.goal.as_deref().map(|g| get_goal(s, g)).transpose()?;
    let people = input
        .person
        .as_deref()
        .map(|p| super::org::person_id(s, p))
        .transpose()?;
    let teams = input
        .team
        .as_deref()
        .map(|t| super::org::subtree(s, t))
        .transpose()?;
    let (since, until) = parse_window(input.since.as_deref(), input.until.as_deref(), clock)?;
    let f = CheckinFilter {
        goal: goal.map(|g| g.id),
        people: people.map(|id| vec![id]),
        teams,
        since,
        until,
        limit: input.limit,
        ..CheckinFilter::default()
    };
    Ok(s.list_checkins(&f)?)
}

/// Changes to a check-in (`Some(None)` clears a field); the value as typed.
#[derive(Debug, Clone, Default)]
pub struct EditInput {
    /// New day (a date expression).
    pub date: Option<String>,
    /// New value as typed.
    pub value: Option<Option<String>>,
    /// New confidence as typed.
    pub confidence: Option<Option<String>>,
    /// New status as typed.
    pub status: Option<Option<String>>,
    /// New note.
    pub note: Option<Option<String>>,
    /// The largest percentage a percent measure takes.
    pub percent_max: f64,
}

/// Apply typed changes to a check-in.
fn apply_edit(s: &dyn Session, clock: &Clock, c: &mut Checkin, e: &EditInput) -> Result<()> {
    let value = match &e.value {
        None => None,
        Some(None) => Some(None),
        Some(Some(v)) => {
            let Some(mid) = c.measure_id else {
                return Err(Error::invalid(format!(
                    "check-in {} is a status-only update; it has no value to set",
                    c.id
                )));
            };
            let kind = s
                .measure_by_id(mid)?
                .map_or(MeasureKind::Number, |m| m.kind);
            Some(Some(
                parse_value(kind, v, e.percent_max).map_err(|e| e.context("--value"))?,
            ))
        }
    };
    let date = e
        .date
        .as_deref()
        .map(|d| parse_date(d, clock).map_err(|e| e.context("--date")))
        .transpose()?;
    let confidence = match &e.confidence {
        None => None,
        Some(v) => Some(v.as_deref().map(parse_confidence).transpose()?),
    };
    let status = match &e.status {
        None => None,
        Some(v) => Some(v.as_deref().map(parse_status).transpose()?),
    };
    if let Some(d) = date {
        c.date = d;
    }
    if let Some(v) = value {
        c.value = v;
    }
    if let Some(x) = confidence {
        c.confidence = x;
    }
    if let Some(x) = status {
        c.status = x;
    }
    if let Some(n) = &e.note {
        c.note = n.clone();
    }
    Ok(())
}

/// `checkin edit`: apply typed changes to a check-in, read and written in
/// the same transaction; returns it.
pub fn edit(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    id: i64,
    changes: &EditInput,
) -> Result<Checkin> {
    let before = get(s, id)?;
    policy.check_goal(s, &goal_by_id(s, before.goal_id)?)?;
    let mut after = before.clone();
    apply_edit(s, clock, &mut after, changes)?;
    if after == before {
        return Ok(before);
    }
    s.update_checkin(&clock.timestamp(), &after)?;
    s.set_summary(&format!("edited check-in {id} on {}", after.goal));
    get(s, id)
}

fn goal_by_id(s: &dyn Session, id: i64) -> Result<Goal> {
    s.goal_by_id(id)?
        .ok_or_else(|| Error::not_found("goal", &id.to_string()))
}

/// How `checkin rm` names a check-in.
pub fn describe(c: &Checkin) -> String {
    match (&c.measure, c.value) {
        (Some(m), Some(v)) => format!("{} {m} = {v} on {}", c.goal, c.date),
        _ => format!("{} status update on {}", c.goal, c.date),
    }
}

/// `checkin rm`: remove a check-in; with `purge`, also erase it from the
/// undo history.
pub fn remove(s: &mut dyn Session, policy: &Policy, id: i64, purge: bool) -> Result<()> {
    let c = get(s, id)?;
    policy.check_goal(s, &goal_by_id(s, c.goal_id)?)?;
    s.delete_checkin(id)?;
    s.set_summary(&format!("removed check-in {id} ({})", describe(&c)));
    if purge {
        super::admin::purge(s, "checkin", id)?;
    }
    Ok(())
}

/// Who checks in on a goal: its owner, or a team goal's lead.
fn responsible(s: &dyn Session, g: &Goal) -> Result<Option<String>> {
    if g.owner_is_team {
        Ok(s.find_team(&g.owner)?.and_then(|t| t.lead))
    } else {
        Ok(Some(g.owner.clone()))
    }
}

/// `checkin due`: the measures of active goals whose last check-in is
/// older than the responsible person's cadence (or that have none), by
/// person, longest overdue first.
pub fn due_rows(
    s: &dyn Session,
    today: NaiveDate,
    default_cadence: i64,
    person: Option<&str>,
    team: Option<&str>,
) -> Result<Vec<DueRow>> {
    if let Some(p) = person {
        super::org::person_id(s, p)?;
    }
    let people: std::collections::HashMap<String, crate::domain::org::Person> =
        super::org::list_people(s, team, false)?
            .into_iter()
            .map(|p| (p.handle.clone(), p))
            .collect();
    let goals = list_goals(
        s,
        &GoalFilter {
            statuses: vec![GoalStatus::Active],
            ..GoalFilter::default()
        },
    )?;
    let mut rows = Vec::new();
    for g in goals {
        let Some(who) = responsible(s, &g)? else {
            continue;
        };
        if person.is_some_and(|p| p != who) {
            continue;
        }
        let Some(p) = people.get(&who) else { continue };
        let cadence = p.cadence_days.unwrap_or(default_cadence);
        for m in s.measures(g.id)? {
            let last = s.latest_value(m.id)?.map(|(d, _)| d);
            if let Some(days) = due(last, today, cadence) {
                rows.push(DueRow {
                    person: who.clone(),
                    goal: g.key.clone(),
                    measure: m.name.clone(),
                    last,
                    days,
                    cadence,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        a.person
            .cmp(&b.person)
            .then(b.days.unwrap_or(i64::MAX).cmp(&a.days.unwrap_or(i64::MAX)))
    });
    Ok(rows)
}

/// The active measures a person checks in on (their goals' and the goals
/// of the teams they lead), with each one's latest value.
pub fn my_measures(s: &dyn Session, me: &str) -> Result<Vec<(Goal, Measure, Option<f64>)>> {
    let active = |owner: &str| GoalFilter {
        owner: Some(owner.to_string()),
        statuses: vec![GoalStatus::Active],
        ..GoalFilter::default()
    };
    let mut goals = list_goals(s, &active(me))?;
    for t in s.list_teams()? {
        if t.lead.as_deref() == Some(me) {
            goals.extend(list_goals(s, &active(&t.handle))?);
        }
    }
    let mut out = Vec::new();
    for g in goals {
        for m in s.measures(g.id)? {
            let current = s.latest_value(m.id)?.map(|(_, v)| v);
            out.push((g.clone(), m, current));
        }
    }
    Ok(out)
}

/// A check-in answered at the prompt: goal, measure, value, confidence, note.
pub type Answer = (Goal, Measure, f64, Option<i64>, Option<String>);

/// `checkin` on a terminal: save the answers, all on one day.
pub fn record_answers(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    date: NaiveDate,
    author: i64,
    answers: &[Answer],
) -> Result<()> {
    for (g, m, v, c, note) in answers {
        policy.check_goal(s, g)?;
        s.insert_checkin(
            now,
            &NewCheckin {
                goal_id: g.id,
                measure_id: Some(m.id),
                date,
                value: Some(*v),
                confidence: *c,
                status: None,
                note: note.clone(),
                author_id: Some(author),
            },
        )?;
    }
    s.set_summary(&format!(
        "checked in {} measure(s) on {date}",
        answers.len()
    ));
    Ok(())
}
