//! The follow-up of a review: development actions as tracked records
//! (added while calibrating, marked done or dropped afterwards, also once
//! the cycle is finalized), and what is overdue (actions and improvement
//! plans' check points) for `checkin due` and the packet.

use super::access::Policy;
use super::cycles::{get_cycle, participant};
use crate::domain::CycleState;
use crate::domain::access::{Act, Facts, Item};
use crate::domain::cycle::{ActionRow, ActionStatus, Cycle, CycleAction, check_action};
use crate::domain::names::{max, validate_text};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::followup::{ActionFilter, NewAction};
use crate::store::oplog::{Audience, AudienceKind};
use crate::time::{Clock, parse_date_end};
use chrono::NaiveDate;
use std::collections::HashMap;

/// What the policy's conditional grants read of a cycle's outcome: the
/// outcome is released to its subject once the cycle is finalized.
pub fn outcome_facts(cycle: &Cycle) -> Facts {
    Facts {
        closed: matches!(cycle.state, CycleState::Calibrating | CycleState::Finalized),
        released: cycle.state == CycleState::Finalized,
        ..Facts::default()
    }
}

/// Refuse an owner who is neither the subject nor above them in the
/// manager chain (an action is part of the subject's outcome: only those
/// who see it may carry it out).
fn check_owner(s: &dyn Session, subject: &str, owner: &str) -> Result<()> {
    super::org::person_id(s, owner)?;
    if owner == subject || s.manager_chain(subject)?.iter().any(|m| m == owner) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "--owner {owner} is neither {subject} nor one of their managers"
    ))
    .with_hint("a development action is carried out by its subject or a manager above them"))
}

/// A new development action as typed.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    /// The cycle (name or id).
    pub cycle: String,
    /// The subject's handle.
    pub subject: String,
    /// What to do.
    pub text: String,
    /// By when (a date expression).
    pub due: Option<String>,
    /// Who carries it out (default: the subject).
    pub owner: Option<String>,
}

/// Add development actions to a subject's outcome (the cycle calibrating);
/// returns their ids. Used by `appraise action add` and `appraise outcome --action`.
pub fn add_actions(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    input: &ActionInput,
    texts: &[String],
) -> Result<Vec<i64>> {
    let c = get_cycle(s, &input.cycle)?;
    check_action(&c, CycleAction::RecordOutcome)?;
    let p = participant(s, &c, &input.subject)?;
    policy.check(s, Act::Calibrate, Some(&p.handle), None)?;
    let due: Option<NaiveDate> = input
        .due
        .as_deref()
        .map(|d| parse_date_end(d, clock).map_err(|e| e.context("--due")))
        .transpose()?;
    let owner = input.owner.clone().unwrap_or_else(|| p.handle.clone());
    check_owner(s, &p.handle, &owner)?;
    let owner_id = super::org::person_id(s, &owner)?;
    let now = clock.timestamp();
    let mut ids = Vec::new();
    for text in texts {
        validate_text("action", text, max::ACTION)?;
        ids.push(s.add_action(
            &now,
            &NewAction {
                cycle: c.id,
                subject: p.person_id,
                owner: owner_id,
                text: text.trim(),
                due,
            },
        )?);
    }
    Ok(ids)
}

/// `appraise action add`: one development action; returns its id.
pub fn add_action(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    input: &ActionInput,
) -> Result<i64> {
    let ids = add_actions(s, clock, policy, input, std::slice::from_ref(&input.text))?;
    let id = ids.first().copied().unwrap_or_default();
    s.set_summary(&format!(
        "added development action {id} for {} in {}",
        input.subject, input.cycle
    ));
    s.set_audience(
        Audience {
            kind: AudienceKind::Appraisal,
            subject: input.subject.clone(),
        },
        "added a development action",
    );
    Ok(id)
}

/// Which actions `appraise action list` shows.
#[derive(Debug, Clone, Default)]
pub struct ActionQuery {
    /// In this cycle.
    pub cycle: Option<String>,
    /// About (or carried out by) this person.
    pub person: Option<String>,
    /// With this status.
    pub status: Option<String>,
    /// Only open ones past their due date.
    pub overdue: bool,
}

/// The development actions the acting person may see, by the filter;
/// returns them with how many were hidden.
pub fn list_actions(
    s: &dyn Session,
    today: NaiveDate,
    policy: &Policy,
    q: &ActionQuery,
) -> Result<Vec<ActionRow>> {
    let cycle = q.cycle.as_deref().map(|c| get_cycle(s, c)).transpose()?;
    if let Some(p) = &q.person {
        super::org::person_id(s, p)?;
    }
    let status = q.status.as_deref().map(ActionStatus::parse).transpose()?;
    let rows = s.actions(&ActionFilter {
        cycle: cycle.as_ref().map(|c| c.id),
        subject: None,
        overdue_on: q.overdue.then_some(today),
    })?;
    let rows = rows
        .into_iter()
        .filter(|a| {
            q.person
                .as_deref()
                .is_none_or(|p| a.subject == p || a.owner == p)
        })
        .filter(|a| status.is_none_or(|st| a.status == st))
        .collect();
    visible_actions(s, policy, rows)
}

/// The actions the acting person may see (an outcome's: its subject once
/// the cycle is finalized, their managers, admins).
pub fn visible_actions(
    s: &dyn Session,
    policy: &Policy,
    rows: Vec<ActionRow>,
) -> Result<Vec<ActionRow>> {
    let mut cycles: HashMap<String, Facts> = HashMap::new();
    let mut out = Vec::new();
    for a in rows {
        let facts = match cycles.get(&a.cycle) {
            Some(f) => *f,
            None => {
                let f = outcome_facts(&get_cycle(s, &a.cycle)?);
                cycles.insert(a.cycle.clone(), f);
                f
            }
        };
        if policy.sees(s, Item::Outcome, Some(&a.subject), None, facts)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// `appraise action done/drop`: mark a development action done or dropped
/// with a note; returns the action as it was.
pub fn set_action_status(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    id: i64,
    status: ActionStatus,
    note: Option<&str>,
) -> Result<ActionRow> {
    let a = s
        .action_by_id(id)?
        .ok_or_else(|| Error::not_found("development action", &id.to_string()))?;
    let c = get_cycle(s, &a.cycle)?;
    if !policy.sees(s, Item::Outcome, Some(&a.subject), None, outcome_facts(&c))? {
        return Err(Error::not_found("development action", &id.to_string()));
    }
    policy.check(s, Act::TrackAction, Some(&a.subject), None)?;
    check_action(&c, CycleAction::TrackAction)?;
    if let Some(n) = note {
        validate_text("--note", n, max::NOTE)?;
    }
    if a.status != ActionStatus::Open && status != ActionStatus::Open && a.status != status {
        return Err(Error::failed(format!(
            "development action {id} is already {}",
            a.status.as_str()
        )));
    }
    s.set_action_status(now, id, status, note.map(str::trim))?;
    s.set_summary(&format!(
        "marked development action {id} of {} {}",
        a.subject,
        status.as_str()
    ));
    s.set_audience(
        Audience {
            kind: AudienceKind::Appraisal,
            subject: a.subject.clone(),
        },
        &format!("marked a development action {}", status.as_str()),
    );
    Ok(a)
}

/// `appraise ack`: the acting subject acknowledges their outcome, with
/// their own words; returns whether it was new.
pub fn acknowledge(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    cycle: &str,
    comment: Option<&str>,
) -> Result<(String, String)> {
    let c = get_cycle(s, cycle)?;
    let Some(me) = policy.handle().map(str::to_string) else {
        return Err(
            Error::invalid("who is acknowledging?").with_hint("pass --as HANDLE (the subject)")
        );
    };
    let p = participant(s, &c, &me)?;
    policy.check(s, Act::Acknowledge, Some(&p.handle), None)?;
    check_action(&c, CycleAction::Acknowledge)?;
    if let Some(t) = comment {
        validate_text("--comment", t, max::COMMENT)?;
    }
    s.add_acknowledgement(now, c.id, p.person_id, comment.map(str::trim))?;
    s.set_summary(&format!("{me} acknowledged their outcome in {}", c.name));
    s.set_audience(
        Audience {
            kind: AudienceKind::Appraisal,
            subject: me.clone(),
        },
        &format!("{me} acknowledged their outcome in {}", c.name),
    );
    Ok((me, c.name))
}

/// Something overdue: a development action or a check point of an
/// improvement plan.
#[derive(Debug, Clone)]
pub struct Overdue {
    /// Whom it is about.
    pub subject: String,
    /// Who carries it out.
    pub owner: String,
    /// `development action` or `check point`.
    pub kind: &'static str,
    /// Its number (an action's id, a plan's id).
    pub id: i64,
    /// What it is.
    pub what: String,
    /// When it was due.
    pub due: NaiveDate,
    /// Days past it.
    pub days: i64,
}

/// The open development actions and unheld check points of improvement
/// plans past their day that the acting person may see, about (or carried
/// out by) `person`, or about members of `team`; oldest first.
pub fn overdue(
    s: &dyn Session,
    policy: &Policy,
    today: NaiveDate,
    person: Option<&str>,
    team: Option<&str>,
) -> Result<Vec<Overdue>> {
    let members: Option<Vec<String>> = team
        .map(|t| super::org::list_people(s, Some(t), true))
        .transpose()?
        .map(|v| v.into_iter().map(|p| p.handle).collect());
    let keep = |subject: &str, owner: &str| {
        person.is_none_or(|p| p == subject || p == owner)
            && members
                .as_ref()
                .is_none_or(|m| m.iter().any(|h| h == subject))
    };
    let mut out = Vec::new();
    let actions = s.actions(&ActionFilter {
        overdue_on: Some(today),
        ..ActionFilter::default()
    })?;
    for a in visible_actions(s, policy, actions)? {
        let Some(due) = a.due else { continue };
        if keep(&a.subject, &a.owner) {
            out.push(Overdue {
                subject: a.subject.clone(),
                owner: a.owner.clone(),
                kind: "development action",
                id: a.id,
                what: a.text.clone(),
                due,
                days: (today - due).num_days(),
            });
        }
    }
    for p in s.list_pips(None)? {
        if p.is_closed()
            || !policy.sees(
                s,
                Item::ImprovementPlan,
                Some(&p.subject),
                None,
                Facts::default(),
            )?
        {
            continue;
        }
        let owner = p.started_by.clone().unwrap_or_default();
        if !keep(&p.subject, &owner) {
            continue;
        }
        for c in s.pip_checkpoints(p.id)? {
            if c.overdue(today) {
                out.push(Overdue {
                    subject: p.subject.clone(),
                    owner: owner.clone(),
                    kind: "check point",
                    id: p.id,
                    what: format!("check point of improvement plan {}", p.id),
                    due: c.due,
                    days: (today - c.due).num_days(),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.due, &a.subject, a.id).cmp(&(b.due, &b.subject, b.id)));
    Ok(out)
}
