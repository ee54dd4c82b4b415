//! Performance improvement plans: started, followed through check points,
//! extended or closed by the subject's managers (or admins), acknowledged
//! by the subject; every step logged. A plan is confidential: its subject,
//! their managers and admins see it (`Item::ImprovementPlan`).

use super::access::Policy;
use super::report::plan::{GoalState, PaceContext, PlanIndex};
use crate::domain::access::{Act, Facts, Item};
use crate::domain::names::{max, validate_text};
use crate::domain::pip::{
    Pip, PipCheckpoint, PipOutcome, PipStep, PipStepKind, check_period, current_acknowledgement,
    next_checkpoint,
};
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::followup::NewPip;
use crate::store::oplog::{Audience, AudienceKind};
use crate::time::{Clock, parse_date, parse_date_end};
use chrono::NaiveDate;

/// A plan's number as typed (`3` or `#3`).
fn plan_id(reference: &str) -> Result<i64> {
    reference
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .map_err(|_| {
            Error::invalid(format!("'{reference}' is not an improvement plan's number"))
                .with_hint("`yardstick pip list` shows the plans and their numbers")
        })
}

/// A plan the acting person may see; one they may not is reported as not
/// found (its existence is confidential too).
pub fn get_plan(s: &dyn Session, policy: &Policy, reference: &str) -> Result<Pip> {
    let id = plan_id(reference)?;
    let missing = || {
        Error::not_found("improvement plan", reference.trim())
            .with_hint("`yardstick pip list` shows the plans you may see")
    };
    let p = s.pip_by_id(id)?.ok_or_else(missing)?;
    if !policy.sees(
        s,
        Item::ImprovementPlan,
        Some(&p.subject),
        None,
        Facts::default(),
    )? {
        return Err(missing());
    }
    Ok(p)
}

/// The plan an outcome recommending one points at (`--pip`): required with
/// `--recommend improvement-plan`, refused with any other recommendation,
/// and it must be the subject's.
pub fn recommended_plan(
    s: &dyn Session,
    subject: &str,
    recommend: Option<&str>,
    pip: Option<&str>,
) -> Result<Option<i64>> {
    match (recommend, pip) {
        (Some("improvement-plan"), None) => Err(Error::invalid(
            "--recommend improvement-plan needs the plan it opens: pass --pip N",
        )
        .with_hint(format!(
            "start it first: `yardstick pip start {subject} --until DATE --reason TEXT --goal KEY`"
        ))),
        (Some("improvement-plan"), Some(r)) => {
            let id = plan_id(r)?;
            let p = s
                .pip_by_id(id)?
                .ok_or_else(|| Error::not_found("improvement plan", r.trim()))?;
            if p.subject != subject {
                return Err(Error::failed(format!(
                    "improvement plan {id} is {}'s, not {subject}'s",
                    p.subject
                )));
            }
            Ok(Some(id))
        }
        (_, Some(_)) => Err(Error::invalid(
            "--pip goes with --recommend improvement-plan",
        )),
        (_, None) => Ok(None),
    }
}

/// A new plan as typed.
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    /// Whose plan.
    pub subject: String,
    /// First day (a date expression; default today).
    pub from: Option<String>,
    /// Last day (a date expression).
    pub until: Option<String>,
    /// Or a period (its dates).
    pub period: Option<String>,
    /// Why.
    pub reason: String,
    /// The expected results: goals of the subject with measures (keys or ids).
    pub goals: Vec<String>,
    /// Check points (date expressions).
    pub checkpoints: Vec<String>,
}

fn step(now: &str, actor: &str, kind: PipStepKind) -> PipStep {
    PipStep {
        at: now.to_string(),
        actor: actor.to_string(),
        kind,
        outcome: None,
        note: None,
    }
}

fn audience(s: &mut dyn Session, subject: &str, public: &str) {
    s.set_audience(
        Audience {
            kind: AudienceKind::Appraisal,
            subject: subject.to_string(),
        },
        public,
    );
}

/// Check points as typed, each within the plan's dates.
fn checkpoint_days(
    clock: &Clock,
    exprs: &[String],
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<NaiveDate>> {
    exprs
        .iter()
        .map(|e| {
            let d = parse_date(e, clock).map_err(|x| x.context("--checkpoint"))?;
            if d < start || d > end {
                return Err(Error::invalid(format!(
                    "--checkpoint {d} is outside the plan ({start} to {end})"
                )));
            }
            Ok(d)
        })
        .collect()
}

/// `pip start`: start a plan with its expected results (goals of the
/// subject with measures) and check points; returns it.
pub fn start(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    actor: &str,
    input: &StartInput,
) -> Result<Pip> {
    let subject = super::org::get_person(s, &input.subject)?;
    policy.check(s, Act::ManagePlan, Some(&subject.handle), None)?;
    validate_text("--reason", &input.reason, max::REASON)?;
    let (start, end) = match (&input.period, &input.until) {
        (Some(p), None) if input.from.is_none() => {
            let p = super::plan::resolve_period(s, clock.week_start, p)?;
            (p.start, p.end)
        }
        (None, Some(u)) => {
            let start = match &input.from {
                Some(f) => parse_date(f, clock).map_err(|e| e.context("--from"))?,
                None => clock.today,
            };
            (
                start,
                parse_date_end(u, clock).map_err(|e| e.context("--until"))?,
            )
        }
        _ => {
            return Err(Error::invalid("a plan needs its dates")
                .with_hint("pass --until DATE (and --from DATE, default today), or --period P"));
        }
    };
    check_period(start, end)?;
    if input.goals.is_empty() {
        return Err(Error::invalid("a plan needs its expected results").with_hint(format!(
            "pass --goal KEY (repeatable): goals of {} with measures (`yardstick plan add … --owner {} --metric …`)",
            subject.handle, subject.handle
        )));
    }
    let mut goals = Vec::new();
    for g in &input.goals {
        let goal = super::plan::get_goal(s, g)?;
        if goal.owner_is_team || goal.owner != subject.handle {
            return Err(Error::invalid(format!(
                "goal {} is {}'s, not {}'s: a plan's expected results are the subject's goals",
                goal.key, goal.owner, subject.handle
            )));
        }
        if s.measures(goal.id)?.is_empty() {
            return Err(Error::invalid(format!(
                "goal {} has no measure: an expected result is measured",
                goal.key
            ))
            .with_hint(format!(
                "add one with `yardstick plan measure {} NAME --baseline B --target T`",
                goal.key
            )));
        }
        goals.push(goal.id);
    }
    let points = checkpoint_days(clock, &input.checkpoints, start, end)?;
    let started_by = match policy.handle() {
        Some(h) => s.person_id(h)?,
        None => None,
    };
    let now = clock.timestamp();
    let id = s.insert_pip(
        &now,
        &NewPip {
            subject: subject.id,
            started_by,
            start,
            end,
            reason: input.reason.trim(),
        },
    )?;
    for g in goals {
        s.link_pip_goal(&now, id, g)?;
    }
    for d in points {
        s.add_pip_checkpoint(&now, id, d)?;
    }
    s.add_pip_step(&now, id, &step(&now, actor, PipStepKind::Started))?;
    s.set_summary(&format!(
        "started improvement plan {id} for {} ({start} to {end})",
        subject.handle
    ));
    audience(s, &subject.handle, "started an improvement plan");
    s.pip_by_id(id)?
        .ok_or_else(|| Error::internal("a plan just written cannot be read back"))
}

/// Everything `pip show` shows.
pub struct PlanView {
    /// The plan.
    pub pip: Pip,
    /// Its expected results, with progress.
    pub goals: Vec<GoalState>,
    /// Its check points.
    pub checkpoints: Vec<PipCheckpoint>,
    /// Its history.
    pub steps: Vec<PipStep>,
}

impl PlanView {
    /// The subject's current acknowledgement.
    pub fn acknowledged(&self) -> Option<&PipStep> {
        current_acknowledgement(&self.steps)
    }
}

/// `pip show`: a plan, its expected results with progress, check points
/// and history.
pub fn show(
    s: &dyn Session,
    pace: &PaceContext,
    policy: &Policy,
    reference: &str,
) -> Result<PlanView> {
    let pip = get_plan(s, policy, reference)?;
    view(s, pace, pip)
}

fn view(s: &dyn Session, pace: &PaceContext, pip: Pip) -> Result<PlanView> {
    let ids = s.pip_goals(pip.id)?;
    let index = PlanIndex::load_for(s, pace, &ids)?;
    let goals = ids
        .iter()
        .filter_map(|id| index.get(*id).cloned())
        .collect();
    Ok(PlanView {
        goals,
        checkpoints: s.pip_checkpoints(pip.id)?,
        steps: s.pip_steps(pip.id)?,
        pip,
    })
}

/// The plans about `subject` the acting person may see, in full (for the
/// review packet), that overlap `within` (first and last day) if given.
pub fn plans_of(
    s: &dyn Session,
    pace: &PaceContext,
    policy: &Policy,
    subject: &str,
    within: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<PlanView>> {
    let id = super::org::person_id(s, subject)?;
    if !policy.sees(
        s,
        Item::ImprovementPlan,
        Some(subject),
        None,
        Facts::default(),
    )? {
        return Ok(Vec::new());
    }
    s.list_pips(Some(id))?
        .into_iter()
        .filter(|p| within.is_none_or(|(a, b)| p.start <= b && p.end >= a))
        .map(|p| view(s, pace, p))
        .collect()
}

/// One line of `pip list`.
pub struct PlanLine {
    /// The plan.
    pub pip: Pip,
    /// The next check point not held.
    pub next_checkpoint: Option<NaiveDate>,
    /// When the subject acknowledged it (currently).
    pub acknowledged_at: Option<String>,
}

/// `pip list`: the plans the acting person may see (one person's, and/or
/// active or closed ones).
pub fn list(
    s: &dyn Session,
    policy: &Policy,
    person: Option<&str>,
    status: Option<&str>,
) -> Result<Vec<PlanLine>> {
    let subject = person.map(|p| super::org::person_id(s, p)).transpose()?;
    let closed = match status {
        None => None,
        Some("active") => Some(false),
        Some("closed") => Some(true),
        Some(x) => {
            return Err(Error::invalid(format!(
                "--status '{x}' is not one of: active, closed"
            )));
        }
    };
    let mut out = Vec::new();
    for p in s.list_pips(subject)? {
        if closed.is_some_and(|c| c != p.is_closed())
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
        let points = s.pip_checkpoints(p.id)?;
        let steps = s.pip_steps(p.id)?;
        out.push(PlanLine {
            next_checkpoint: next_checkpoint(&points)
                .filter(|_| !p.is_closed())
                .map(|c| c.due),
            acknowledged_at: current_acknowledgement(&steps).map(|a| a.at.clone()),
            pip: p,
        });
    }
    Ok(out)
}

/// `pip checkpoint`: record that the next scheduled check point was held
/// on `on` (default today), with what was found; an unscheduled one is
/// added when none is left. Returns the plan.
pub fn checkpoint(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    actor: &str,
    reference: &str,
    on: Option<&str>,
    note: &str,
) -> Result<Pip> {
    let p = get_plan(s, policy, reference)?;
    policy.check(s, Act::ManagePlan, Some(&p.subject), None)?;
    p.check_open()?;
    validate_text("--note", note, max::NOTE)?;
    let day = match on {
        Some(d) => parse_date(d, clock).map_err(|e| e.context("--on"))?,
        None => clock.today,
    };
    if day < p.start || day > clock.today {
        return Err(Error::invalid(format!(
            "--on {day} is before the plan starts ({}) or after today",
            p.start
        )));
    }
    let now = clock.timestamp();
    let points = s.pip_checkpoints(p.id)?;
    let id = match next_checkpoint(&points) {
        Some(c) => c.id,
        None => s.add_pip_checkpoint(&now, p.id, day)?,
    };
    s.hold_pip_checkpoint(&now, id, day, note.trim())?;
    s.add_pip_step(
        &now,
        p.id,
        &PipStep {
            note: Some(note.trim().to_string()),
            ..step(&now, actor, PipStepKind::Checkpoint)
        },
    )?;
    s.set_summary(&format!(
        "held a check point of improvement plan {} for {} on {day}",
        p.id, p.subject
    ));
    audience(s, &p.subject, "held a check point of an improvement plan");
    Ok(p)
}

/// How `pip close` ends (or extends) a plan, as typed.
#[derive(Debug, Clone, Default)]
pub struct CloseInput {
    /// successful, extended or unsuccessful.
    pub outcome: String,
    /// The new last day of an extended plan (a date expression).
    pub until: Option<String>,
    /// New check points of an extended plan.
    pub checkpoints: Vec<String>,
    /// Why, what was found.
    pub note: Option<String>,
}

/// `pip close`: close a plan as successful or unsuccessful, or extend it
/// to a new end date; returns the plan as it is now.
pub fn close(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    actor: &str,
    reference: &str,
    input: &CloseInput,
) -> Result<Pip> {
    let outcome = PipOutcome::parse(&input.outcome).map_err(|e| e.context("--outcome"))?;
    let p = get_plan(s, policy, reference)?;
    policy.check(s, Act::ManagePlan, Some(&p.subject), None)?;
    p.check_open()?;
    if let Some(n) = &input.note {
        validate_text("--note", n, max::NOTE)?;
    }
    let end = match (outcome, &input.until) {
        (PipOutcome::Extended, Some(u)) => {
            let d = parse_date_end(u, clock).map_err(|e| e.context("--until"))?;
            if d <= p.end {
                return Err(Error::invalid(format!(
                    "--until {d} does not extend the plan (it ends {})",
                    p.end
                )));
            }
            d
        }
        (PipOutcome::Extended, None) => {
            return Err(Error::invalid(
                "an extended plan needs its new end: pass --until DATE",
            ));
        }
        (_, Some(_)) => {
            return Err(Error::invalid("--until goes with --outcome extended"));
        }
        (_, None) => p.end,
    };
    if !input.checkpoints.is_empty() && outcome.closes() {
        return Err(Error::invalid("--checkpoint goes with --outcome extended"));
    }
    let points = checkpoint_days(clock, &input.checkpoints, p.end, end)?;
    let now = clock.timestamp();
    for d in points {
        s.add_pip_checkpoint(&now, p.id, d)?;
    }
    s.set_pip_outcome(&now, p.id, outcome, end)?;
    let kind = if outcome.closes() {
        PipStepKind::Closed
    } else {
        PipStepKind::Extended
    };
    s.add_pip_step(
        &now,
        p.id,
        &PipStep {
            outcome: Some(outcome),
            note: input.note.as_deref().map(|n| n.trim().to_string()),
            ..step(&now, actor, kind)
        },
    )?;
    let what = if outcome.closes() {
        format!("closed improvement plan {} as {}", p.id, outcome.as_str())
    } else {
        format!("extended improvement plan {} to {end}", p.id)
    };
    s.set_summary(&format!("{what} for {}", p.subject));
    audience(s, &p.subject, "closed or extended an improvement plan");
    s.pip_by_id(p.id)?
        .ok_or_else(|| Error::internal("a plan just written cannot be read back"))
}

/// `pip ack`: the subject acknowledges their plan with an optional comment
/// (their own words); returns the plan and whether it was new (a plan is
/// acknowledged once, and again after an extension).
pub fn acknowledge(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    reference: &str,
    comment: Option<&str>,
) -> Result<(Pip, bool)> {
    let p = get_plan(s, policy, reference)?;
    let Some(me) = policy.handle().map(str::to_string) else {
        return Err(
            Error::invalid("who is acknowledging?").with_hint("pass --as HANDLE (the subject)")
        );
    };
    policy.check(s, Act::Acknowledge, Some(&p.subject), None)?;
    if let Some(c) = comment {
        validate_text("--comment", c, max::COMMENT)?;
    }
    if current_acknowledgement(&s.pip_steps(p.id)?).is_some() {
        return Ok((p, false));
    }
    s.add_pip_step(
        now,
        p.id,
        &PipStep {
            note: comment.map(|c| c.trim().to_string()),
            ..step(now, &me, PipStepKind::Acknowledged)
        },
    )?;
    s.set_summary(&format!("{me} acknowledged improvement plan {}", p.id));
    audience(s, &p.subject, "acknowledged an improvement plan");
    Ok((p, true))
}
