//! Appraisal use cases: creating and moving review cycles, nominating
//! reviewers, writing reviews, calibrating, recording outcomes, the
//! subject's acknowledgement, and what each viewer sees of an appraisal.

use super::Actor;
use super::access::Policy;
use super::cycles::{
    add_template, calibrate as store_calibration, create_cycle, ensure_pending, ensure_review,
    get_cycle, load_template, participant, record_step, set_anonymous_averages, set_computed,
    set_rating, set_summary, submit as submit_review,
};
use super::report::appraise::{
    SubjectState, as_seen_by, cycle_states, cycle_states_seen, subject_goals, subject_state,
};
use super::report::plan::{PaceContext, PlanIndex};
use crate::domain::ReviewKind;
use crate::domain::access::Act;
use crate::domain::appraisal::{Template, check_calibration};
use crate::domain::cycle::{
    Cycle, CycleAction, CycleEvent, CycleStep, POTENTIALS, Participant, RECOMMENDATIONS, Review,
    check_action, check_step, counts, is_anonymous, missing_reviews, nomination_kind, reviewer_of,
};
use crate::domain::names::{max, validate_text};
use crate::domain::types::Component;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::cycles::NewCycle;
use crate::store::oplog::{Audience, AudienceKind};
use crate::time::{Clock, parse_date_end};
use chrono::NaiveDate;

/// `appraise peers`: nominate peer and upward reviewers for a subject;
/// returns how many were named.
pub fn nominate(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    cycle: &str,
    subject: &str,
    add: &[String],
) -> Result<usize> {
    let c = get_cycle(s, cycle)?;
    check_action(&c, CycleAction::Nominate)?;
    let p = participant(s, &c, subject)?;
    policy.check(s, Act::Nominate, Some(&p.handle), None)?;
    let mut plan = Vec::new();
    for h in add {
        let reviewer = super::org::get_person(s, h)?;
        let kind = nomination_kind(
            &p.handle,
            p.manager.as_deref(),
            &reviewer.handle,
            reviewer.manager.as_deref(),
        )?;
        plan.push((reviewer.id, h.clone(), kind));
    }
    for (id, _, kind) in &plan {
        ensure_review(s, now, c.id, p.person_id, *id, *kind)?;
    }
    let names: Vec<String> = plan.iter().map(|(_, h, k)| format!("{h} ({k})")).collect();
    s.set_summary(&format!(
        "nominated {} for {subject} in {}",
        names.join(", "),
        c.name
    ));
    s.set_audience(
        Audience {
            kind: AudienceKind::PeerReview,
            subject: p.handle.clone(),
        },
        &format!(
            "nominated {} reviewer(s) for {subject} in {}",
            plan.len(),
            c.name
        ),
    );
    Ok(plan.len())
}

/// `appraise calibrate`: set a subject's calibrated level (a value or a
/// label of the cycle's scale); returns the level and its label.
#[allow(clippy::too_many_arguments)]
pub fn calibrate(
    s: &mut dyn Session,
    now: &str,
    pace: &PaceContext,
    policy: &Policy,
    cycle: &str,
    subject: &str,
    level: &str,
    reason: &str,
) -> Result<(f64, String)> {
    let c = get_cycle(s, cycle)?;
    check_action(&c, CycleAction::Calibrate)?;
    let t = load_template(s, &c)?;
    let value = t
        .scale
        .parse_rating(level)
        .map_err(|e| e.context("--level"))?;
    validate_text("--reason", reason, max::REASON)?;
    let p = participant(s, &c, subject)?;
    policy.check(s, Act::Calibrate, Some(&p.handle), None)?;
    if let Some(st) = subject_state(s, &c, &t, pace, p.person_id)? {
        let a = &st.appraisal;
        check_calibration(&t, a.level, a.critical_failure, value)
            .map_err(|e| e.context(format!("{subject} in {}", c.name)))?;
    }
    store_calibration(s, now, c.id, p.person_id, value, reason.trim())?;
    s.set_summary(&format!("calibrated {subject} to {value} in {}", c.name));
    s.set_audience(
        Audience {
            kind: AudienceKind::Appraisal,
            subject: p.handle.clone(),
        },
        &format!("calibrated {subject} in {}", c.name),
    );
    Ok((value, t.scale.label(value).unwrap_or("?").to_string()))
}

/// What `appraise outcome` records, as typed.
#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    /// low, medium or high.
    pub potential: Option<String>,
    /// A recommendation.
    pub recommend: Option<String>,
    /// Development actions.
    pub actions: Vec<String>,
    /// When the actions are due (a date expression).
    pub due: Option<String>,
    /// The improvement plan a recommendation of one points at (its id).
    pub pip: Option<String>,
}

fn one_of(flag: &str, v: &Option<String>, allowed: &[&str]) -> Result<Option<String>> {
    match v {
        None => Ok(None),
        Some(x) if allowed.contains(&x.as_str()) => Ok(Some(x.clone())),
        Some(x) => Err(Error::invalid(format!(
            "{flag} '{x}' is not one of: {}",
            allowed.join(", ")
        ))),
    }
}

/// `appraise outcome`: record potential, a recommendation and development actions.
pub fn outcome(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    cycle: &str,
    subject: &str,
    input: &OutcomeInput,
) -> Result<()> {
    let c = get_cycle(s, cycle)?;
    check_action(&c, CycleAction::RecordOutcome)?;
    let p = participant(s, &c, subject)?;
    policy.check(s, Act::Calibrate, Some(&p.handle), None)?;
    let potential = one_of("--potential", &input.potential, &POTENTIALS)?;
    let recommend = one_of("--recommend", &input.recommend, &RECOMMENDATIONS)?;
    let due: Option<NaiveDate> = match &input.due {
        Some(d) => Some(parse_date_end(d, clock).map_err(|e| e.context("--due"))?),
        None => None,
    };
    if due.is_some() && input.actions.is_empty() {
        return Err(
            Error::invalid("--due goes with --action").with_hint("pass --action TEXT --due DATE")
        );
    }
    if potential.is_none() && recommend.is_none() && input.actions.is_empty() {
        return Err(Error::invalid("nothing to record")
            .with_hint("pass --potential, --recommend or --action"));
    }
    let pip =
        super::pip::recommended_plan(s, &p.handle, recommend.as_deref(), input.pip.as_deref())?;
    let now = clock.timestamp();
    super::cycles::set_outcome(
        s,
        &now,
        c.id,
        p.person_id,
        potential.as_deref(),
        recommend.as_deref(),
    )?;
    if recommend.is_some() {
        let id = s.outcome_id(&now, c.id, p.person_id)?;
        s.set_outcome_pip(&now, id, pip)?;
    }
    for a in &input.actions {
        super::cycles::add_action(s, &now, c.id, p.person_id, a, due)?;
    }
    s.set_summary(&format!("recorded the outcome of {subject} in {}", c.name));
    s.set_audience(
        Audience {
            kind: AudienceKind::Appraisal,
            subject: p.handle.clone(),
        },
        &format!("recorded the outcome of {subject} in {}", c.name),
    );
    Ok(())
}

/// `appraise status`: every participant's state in a cycle, as the acting
/// person may see it.
pub fn status(
    s: &dyn Session,
    policy: &Policy,
    pace: &PaceContext,
    cycle: &str,
) -> Result<(Cycle, Template, Vec<SubjectState>)> {
    let c = get_cycle(s, cycle)?;
    let t = load_template(s, &c)?;
    let states = cycle_states_seen(s, policy, &c, &t, pace)?;
    Ok((c, t, states))
}

/// One subject's appraisal as a viewer may see it, with notes on what was
/// hidden.
pub struct SubjectView {
    /// The cycle.
    pub cycle: Cycle,
    /// Its template.
    pub template: Template,
    /// The subject's state, with hidden reviews removed.
    pub state: SubjectState,
    /// What was hidden, for the viewer.
    pub notes: Vec<String>,
}

/// `appraise show`: one subject's appraisal as the acting person may see it.
pub fn show(
    s: &dyn Session,
    pace: &PaceContext,
    cycle: &str,
    subject: &str,
    policy: &Policy,
) -> Result<SubjectView> {
    let c = get_cycle(s, cycle)?;
    let t = load_template(s, &c)?;
    let p = participant(s, &c, subject)?;
    let Some(state) = subject_state(s, &c, &t, pace, p.person_id)? else {
        return Err(Error::not_found("participant", subject));
    };
    let (state, notes) = as_seen_by(s, policy, &c, &t, state)?;
    Ok(SubjectView {
        cycle: c,
        template: t,
        state,
        notes,
    })
}

/// `appraise explain CYCLE SUBJECT`: why the subject's score and level are
/// what they are, as the acting person may see them (what they may not see
/// of the appraisal is not explained either); a finalized cycle is
/// explained from its record.
pub fn explain(
    s: &dyn Session,
    pace: &PaceContext,
    cycle: &str,
    subject: &str,
    policy: &Policy,
) -> Result<(SubjectView, Option<crate::domain::appraisal::Explanation>)> {
    let v = show(s, pace, cycle, subject, policy)?;
    let e = explanation_for(s, policy, &v.cycle, &v.template, &v.state)?;
    Ok((v, e))
}

/// The explanation of the appraisal `st` (as the acting person sees it) if
/// they may see its score, else `None`: what `appraise explain` shows, and
/// what a review packet includes.
pub fn explanation_for(
    s: &dyn Session,
    policy: &Policy,
    c: &Cycle,
    t: &Template,
    st: &SubjectState,
) -> Result<Option<crate::domain::appraisal::Explanation>> {
    let facts = super::report::appraise::facts(c, st);
    let may_see = policy.sees(
        s,
        crate::domain::access::Item::Appraisal,
        Some(&st.person.handle),
        None,
        facts,
    )?;
    Ok(may_see.then(|| explanation_of(t, st)))
}

/// The explanation of a subject's appraisal as it stands in `st` (computed
/// now, or the record of a finalized cycle).
pub fn explanation_of(t: &Template, st: &SubjectState) -> crate::domain::appraisal::Explanation {
    let goals: Vec<crate::domain::appraisal::GoalInput> = st
        .goals
        .iter()
        .map(|(g, att)| crate::domain::appraisal::GoalInput {
            key: g.key.clone(),
            weight: g.weight,
            attainment: *att,
        })
        .collect();
    crate::domain::appraisal::explain(t, &st.appraisal, &goals)
}

/// `appraise cycle list`: every cycle with its number of participants.
pub fn list_cycles(s: &dyn Session) -> Result<Vec<(Cycle, usize)>> {
    let mut rows = Vec::new();
    for c in s.list_cycles()? {
        let n = s.participants(c.id)?.len();
        rows.push((c, n));
    }
    Ok(rows)
}

/// `appraise cycle show`: a cycle, its template, participants and history.
pub fn cycle_view(
    s: &dyn Session,
    cycle: &str,
) -> Result<(Cycle, Template, Vec<Participant>, Vec<CycleEvent>)> {
    let c = get_cycle(s, cycle)?;
    let t = load_template(s, &c)?;
    let people = s.participants(c.id)?;
    let events = s.events(c.id)?;
    Ok((c, t, people, events))
}

/// A new cycle as typed (the template already read and parsed).
pub struct NewCycleInput<'a> {
    /// The cycle's name.
    pub name: String,
    /// The period under review.
    pub period: String,
    /// The template's source text and its parsed form.
    pub template: (&'a str, &'a Template),
    /// Everyone in this team and its sub-teams, or
    pub team: Option<String>,
    /// these people.
    pub people: Vec<String>,
    /// When self reviews are due (a date expression).
    pub self_due: Option<String>,
    /// When manager reviews are due (a date expression).
    pub manager_due: Option<String>,
}

/// `appraise cycle new`: create a cycle in the draft state; returns it and
/// its number of participants.
pub fn cycle_new(
    s: &mut dyn Session,
    clock: &Clock,
    policy: &Policy,
    input: &NewCycleInput<'_>,
) -> Result<(Cycle, usize)> {
    let period = super::plan::resolve_period(s, clock.week_start, &input.period)?;
    let people: Vec<(i64, String)> = match &input.team {
        Some(t) => super::org::list_people(s, Some(t), false)?
            .into_iter()
            .map(|p| (p.id, p.handle))
            .collect(),
        None => input
            .people
            .iter()
            .map(|h| super::org::person_id(s, h).map(|id| (id, h.clone())))
            .collect::<Result<_>>()?,
    };
    if people.is_empty() {
        return Err(Error::invalid("a cycle needs participants")
            .with_hint("pass --team TEAM or --person HANDLE (repeatable)"));
    }
    for (_, handle) in &people {
        policy.check(s, Act::CreateCycle, Some(handle), None)?;
    }
    let ids: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
    let created_by = match policy.handle() {
        Some(h) => s.person_id(h)?,
        None => None,
    };
    let date = |flag: &str, v: &Option<String>| -> Result<Option<NaiveDate>> {
        v.as_deref()
            .map(|d| parse_date_end(d, clock).map_err(|e| e.context(flag)))
            .transpose()
    };
    let (source, template) = input.template;
    let mut new = NewCycle {
        name: input.name.clone(),
        period: period.name,
        start: period.start,
        end: period.end,
        template_id: 0,
        self_due: date("--self-due", &input.self_due)?,
        manager_due: date("--manager-due", &input.manager_due)?,
        created_by,
    };
    let now = clock.timestamp();
    new.template_id = add_template(s, &now, &template.name, source)?;
    let c = create_cycle(s, &now, &new, &ids)?;
    s.set_summary(&format!(
        "created cycle {} for {} ({} people)",
        c.name,
        c.period,
        ids.len()
    ));
    Ok((c, ids.len()))
}

/// What a move of a cycle did.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The cycle's name.
    pub cycle: String,
    /// The state it is in now.
    pub to: crate::domain::CycleState,
    /// How many missing reviews it was forced past (0 when not forced).
    pub forced_past: usize,
}

/// A move of a cycle as asked for.
#[derive(Debug, Clone, Copy)]
pub struct MoveInput<'a> {
    /// The cycle (name or id).
    pub cycle: &'a str,
    /// Which step.
    pub step: CycleStep,
    /// Move on despite missing reviews.
    pub force: bool,
    /// Why (required to reopen).
    pub reason: Option<&'a str>,
    /// Who moves it (recorded in the cycle's history).
    pub actor: &'a str,
}

/// `appraise cycle open/calibrate/finalize/reopen`: move a cycle by a step.
/// Missing self and manager reviews hold a step back unless forced; the
/// computed scores are stored while the cycle still takes writes.
pub fn move_cycle(
    s: &mut dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    policy: &Policy,
    input: MoveInput<'_>,
) -> Result<Moved> {
    let MoveInput {
        cycle,
        step,
        force,
        reason,
        actor,
    } = input;
    let c = get_cycle(s, cycle)?;
    let role = policy.role(s, None, c.created_by.as_deref())?;
    policy.allow(Act::MoveCycle, role, &c.name)?;
    check_step(&c, step)?;
    if let Some(r) = reason {
        validate_text("--reason", r, max::REASON)?;
    }
    let t = load_template(s, &c)?;
    let states = cycle_states(s, &c, &t, pace)?;
    if states.is_empty() {
        return Err(Error::failed(format!(
            "cycle {} has no participants",
            c.name
        )));
    }
    let missing: Vec<String> = if step.waits_for_reviews() {
        states
            .iter()
            .flat_map(|x| {
                missing_reviews(
                    &x.person.handle,
                    x.person.manager.is_some(),
                    x.self_review,
                    x.manager_review,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let (from, to) = (step.from(), step.to());
    if !missing.is_empty() && !force {
        return Err(Error::failed(format!(
            "cycle {} cannot move to {to}: {} review(s) missing — {}",
            c.name,
            missing.len(),
            missing.join("; ")
        ))
        .with_hint("collect them (`yardstick appraise status CYCLE`), or pass --force to move on anyway (logged)"));
    }
    let forced = force && !missing.is_empty();
    if step == CycleStep::Finalize {
        // The calibrated levels must still be lawful (5 CFR 430.208(b)(1)):
        // the reviews they were set against may have changed since.
        for x in &states {
            if let Some(level) = x.outcome.as_ref().and_then(|o| o.calibrated_level) {
                let a = &x.appraisal;
                check_calibration(&t, a.level, a.critical_failure, level).map_err(|e| {
                    e.context(format!(
                        "cycle {} cannot be finalized: the calibration of {}",
                        c.name, x.person.handle
                    ))
                })?;
            }
        }
    }
    let now = clock.timestamp();
    let store_scores = |s: &mut dyn Session| -> Result<()> {
        for x in &states {
            set_computed(
                s,
                &now,
                c.id,
                x.person.person_id,
                x.appraisal.score,
                x.appraisal.level,
            )?;
            if step == CycleStep::Finalize {
                // What the subject sees: fixed now, so no one can difference
                // one reviewer out of a moving average.
                let a = &x.appraisal;
                let avg = |c: Component| a.component(c).and_then(|v| v.value);
                let n = |k: usize| i64::try_from(k).unwrap_or(i64::MAX);
                set_anonymous_averages(
                    s,
                    &now,
                    c.id,
                    x.person.person_id,
                    (avg(Component::Peer), n(a.peer_count)),
                    (avg(Component::Upward), n(a.upward_count)),
                )?;
            }
        }
        Ok(())
    };
    if step.stores_scores() && !step.stores_after_move() {
        store_scores(s)?;
    }
    if step == CycleStep::Finalize {
        // The record every view of the finalized cycle shows from now on.
        super::report::record::freeze(s, &now, actor, &c, pace, &states)?;
    }
    record_step(s, &now, &c, step, (actor, forced, reason))?;
    if step == CycleStep::Reopen {
        // The records stay in the history, voided with the reason.
        let why = reason.map_or("reopened", str::trim);
        s.void_appraisal_records(&now, c.id, why)?;
        // The acknowledgements were of the outcome as it was: void them
        // (the history keeps them), so the subjects acknowledge again.
        s.void_acknowledgements(&now, c.id)?;
    }
    if step.stores_scores() && step.stores_after_move() {
        store_scores(s)?;
    }
    s.set_summary(&format!(
        "cycle {}: {from} → {to}{}",
        c.name,
        if forced {
            format!(" (forced past {} missing review(s))", missing.len())
        } else {
            String::new()
        }
    ));
    Ok(Moved {
        cycle: c.name,
        to,
        forced_past: if forced { missing.len() } else { 0 },
    })
}

/// Everything needed to write one review: who writes it, what exists, and
/// which items it rates.
pub struct ReviewContext {
    /// The cycle.
    pub cycle: Cycle,
    /// Its template.
    pub template: Template,
    /// The subject.
    pub subject: Participant,
    /// The kind of review.
    pub kind: ReviewKind,
    /// The reviewer's handle.
    pub reviewer: String,
    /// The reviewer's person id.
    pub reviewer_id: i64,
    /// The review as written so far, if started.
    pub existing: Option<Review>,
    /// The items, (key, title): the subject's goals in the period, then
    /// the template's competencies.
    pub items: Vec<(String, String)>,
}

/// Work out who writes the `kind` review of `subject` in `cycle` when
/// `actor` is acting, and refuse what may not be written: a cycle not
/// open, a reviewer who is not the one for this kind (or not nominated),
/// a review already submitted.
pub fn review_context(
    s: &dyn Session,
    pace: &PaceContext,
    actor: &Actor,
    cycle: &str,
    subject: &str,
    kind: ReviewKind,
) -> Result<ReviewContext> {
    let c = get_cycle(s, cycle)?;
    check_action(&c, CycleAction::WriteReview)?;
    let t = load_template(s, &c)?;
    let subject = participant(s, &c, subject)?;
    let reviewer = reviewer_of(
        kind,
        &subject.handle,
        subject.manager.as_deref(),
        actor.handle(),
    )?;
    let reviewer_id = super::org::person_id(s, &reviewer)?;
    let existing = s.find_review(c.id, subject.person_id, reviewer_id, kind)?;
    if is_anonymous(kind) && existing.is_none() {
        return Err(Error::failed(format!(
            "{reviewer} is not nominated to write a {kind} review of {}",
            subject.handle
        ))
        .with_hint(format!(
            "nominate with `yardstick appraise peers {} {} --add {reviewer}`",
            c.name, subject.handle
        )));
    }
    if existing.as_ref().is_some_and(counts) {
        return Err(Error::failed(format!(
            "the {kind} review of {} by {reviewer} is already submitted",
            subject.handle
        ))
        .with_hint("a submitted review cannot be changed"));
    }
    let index = PlanIndex::load(s, &pace.as_of(c.end))?;
    let all = s.all_goals()?;
    let mut items: Vec<(String, String)> = subject_goals(&index, &all, &c, &subject.handle)
        .iter()
        .map(|(g, _)| (g.key.clone(), g.title.clone()))
        .collect();
    items.extend(
        t.competencies
            .iter()
            .map(|k| (k.key.clone(), k.name.clone())),
    );
    Ok(ReviewContext {
        cycle: c,
        template: t,
        subject,
        kind,
        reviewer,
        reviewer_id,
        existing,
        items,
    })
}

/// One item's rating and/or comment in a review.
pub type ItemRating = (String, Option<f64>, Option<String>);

fn split_pair<'a>(flag: &str, text: &'a str) -> Result<(&'a str, &'a str)> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => Err(Error::invalid(format!("{flag} '{text}' is not ITEM=VALUE"))
            .with_hint(format!("e.g. {flag} collaboration=4"))),
    }
}

impl ReviewContext {
    fn known(&self, item: &str) -> Result<()> {
        if self.items.iter().any(|(k, _)| k == item) {
            return Ok(());
        }
        let keys: Vec<&str> = self.items.iter().map(|(k, _)| k.as_str()).collect();
        Err(
            Error::invalid(format!("'{item}' is not an item of this review"))
                .with_hint(format!("items: {}", keys.join(", "))),
        )
    }

    /// Ratings (`ITEM=LEVEL`, a value or label of the scale) and comments
    /// (`ITEM=TEXT`) as typed, checked against the review's items.
    pub fn ratings(&self, rate: &[String], comment: &[String]) -> Result<Vec<ItemRating>> {
        let mut out: Vec<ItemRating> = Vec::new();
        for r in rate {
            let (item, level) = split_pair("--rate", r)?;
            self.known(item)?;
            let v = self
                .template
                .scale
                .parse_rating(level)
                .map_err(|e| e.context(format!("--rate {item}")))?;
            out.push((item.to_string(), Some(v), None));
        }
        for r in comment {
            let (item, text) = split_pair("--comment", r)?;
            self.known(item)?;
            validate_text("comment", text, max::COMMENT)?;
            match out.iter_mut().find(|(i, _, _)| i == item) {
                Some(x) => x.2 = Some(text.to_string()),
                None => out.push((item.to_string(), None, Some(text.to_string()))),
            }
        }
        Ok(out)
    }

    /// Refuse to submit a review with no rating at all (given now or before).
    pub fn check_submittable(&self, ratings: &[ItemRating]) -> Result<()> {
        let rated = ratings.iter().filter(|r| r.1.is_some()).count()
            + self.existing.as_ref().map_or(0, |r| {
                r.ratings.iter().filter(|x| x.value.is_some()).count()
            });
        if rated == 0 {
            return Err(
                Error::invalid("a review needs at least one rating to be submitted")
                    .with_hint("pass --rate ITEM=LEVEL"),
            );
        }
        Ok(())
    }
}

/// `appraise review`: write ratings, comments and the summary of a review,
/// and submit it when asked. The cycle's state and the review's are checked
/// again inside the write: another process may have moved on meanwhile.
pub fn write_review(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    r: &ReviewContext,
    ratings: &[ItemRating],
    summary: Option<&str>,
    submit: bool,
) -> Result<()> {
    let fresh = get_cycle(s, &r.cycle.name)?;
    check_action(&fresh, CycleAction::WriteReview)?;
    policy.check(
        s,
        Act::WriteReview,
        Some(&r.subject.handle),
        Some(&r.reviewer),
    )?;
    let kind = r.kind;
    let subject = &r.subject.handle;
    let review = ensure_review(s, now, r.cycle.id, r.subject.person_id, r.reviewer_id, kind)?;
    ensure_pending(s, review.id)
        .map_err(|e| e.context(format!("the {kind} review of {subject}")))?;
    for (item, value, comment) in ratings {
        set_rating(s, now, review.id, item, *value, comment.as_deref())?;
    }
    if let Some(text) = summary {
        validate_text("--summary", text, max::SUMMARY)?;
        set_summary(s, now, review.id, text.trim())?;
    }
    if submit {
        submit_review(s, now, review.id)?;
    }
    let done = if submit { "submitted" } else { "saved" };
    s.set_summary(&format!(
        "{done} {kind} review of {subject} by {} in {}",
        r.reviewer, r.cycle.name
    ));
    if is_anonymous(kind) {
        s.set_audience(
            Audience {
                kind: AudienceKind::PeerReview,
                subject: subject.clone(),
            },
            &format!("{done} a {kind} review of {subject} in {}", r.cycle.name),
        );
    }
    Ok(())
}
