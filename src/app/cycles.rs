//! Review cycles' rules over the store: finding cycles, creating them,
//! writing reviews and ratings (never over a submitted one), recording
//! scores, calibration and outcomes, and moving a cycle through its states.

use crate::domain::ReviewKind;
use crate::domain::appraisal::Template;
use crate::domain::cycle::{Cycle, CycleEvent, CycleStep, Review};
use crate::domain::names::{max, validate_text};
use crate::domain::{ReviewState, cycle};
use crate::error::{Error, Result};
use crate::formats::template;
use crate::store::Session;
use crate::store::cycles::NewCycle;
use chrono::NaiveDate;

/// A cycle by name, or by id when the reference starts with digits (its
/// leading digits, as `2` or `2-old` name cycle 2), if there is one.
pub fn find_cycle(s: &dyn Session, reference: &str) -> Result<Option<Cycle>> {
    let r = reference.trim();
    if let Some(c) = s.cycle_by_name(r)? {
        return Ok(Some(c));
    }
    let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    let id = digits.parse::<i64>().unwrap_or(i64::MAX);
    Ok(s.cycle_by_id(id)?)
}

/// A cycle by name or id; exit 1 if there is none.
pub fn get_cycle(s: &dyn Session, reference: &str) -> Result<Cycle> {
    find_cycle(s, reference)?.ok_or_else(|| {
        let shown: String = reference.chars().take(80).collect();
        Error::not_found("cycle", &shown)
            .with_hint("`yardstick appraise cycle list` shows the cycles")
    })
}

/// The review template a cycle was created with.
pub fn load_template(s: &dyn Session, cycle: &Cycle) -> Result<Template> {
    let source = s.template_source(cycle.template_id)?.ok_or_else(|| {
        Error::database(format!(
            "the template of cycle {} is missing from the database",
            cycle.name
        ))
    })?;
    template::parse(&source, &format!("template of cycle {}", cycle.name))
}

/// Store a template's source text (once: the same name and text reuse the
/// stored copy); returns its id.
pub fn add_template(s: &mut dyn Session, now: &str, name: &str, source: &str) -> Result<i64> {
    if let Some(id) = s.find_template(name, source)? {
        return Ok(id);
    }
    Ok(s.insert_template(now, name, source)?)
}

/// Create a cycle in the draft state with its participants (person ids).
pub fn create_cycle(
    s: &mut dyn Session,
    now: &str,
    new: &NewCycle,
    participants: &[i64],
) -> Result<Cycle> {
    validate_text("cycle name", &new.name, max::CYCLE_NAME)?;
    let name = new.name.trim();
    if find_cycle(s, &new.name)?.is_some() {
        return Err(
            Error::failed(format!("a cycle named '{}' already exists", new.name))
                .with_hint("choose another name"),
        );
    }
    let id = s.insert_cycle(
        now,
        &NewCycle {
            name: name.to_string(),
            ..new.clone()
        },
    )?;
    for p in participants {
        s.add_participant(now, id, *p)?;
    }
    get_cycle(s, name)
}

/// Move a cycle on by `step` and record it in the cycle's history.
pub fn record_step(
    s: &mut dyn Session,
    now: &str,
    cycle: &Cycle,
    step: CycleStep,
    event: (&str, bool, Option<&str>),
) -> Result<()> {
    let (actor, forced, reason) = event;
    s.set_cycle_state(now, cycle.id, step.to(), step == CycleStep::Reopen)?;
    s.insert_cycle_event(
        now,
        cycle.id,
        &CycleEvent {
            at: now.to_string(),
            actor: actor.to_string(),
            from: step.from(),
            to: step.to(),
            forced,
            reason: reason.map(str::to_string),
        },
    )?;
    Ok(())
}

/// The review, created as pending if it does not exist yet.
pub fn ensure_review(
    s: &mut dyn Session,
    now: &str,
    cycle: i64,
    subject: i64,
    reviewer: i64,
    kind: ReviewKind,
) -> Result<Review> {
    if let Some(r) = s.find_review(cycle, subject, reviewer, kind)? {
        return Ok(r);
    }
    s.insert_review(now, cycle, subject, reviewer, kind)?;
    s.find_review(cycle, subject, reviewer, kind)?
        .ok_or_else(|| Error::internal("a review just written cannot be read back"))
}

/// Refuse a change to a review that is already submitted. Checked inside
/// the write, so two submissions racing each other cannot both win.
pub fn ensure_pending(s: &dyn Session, review: i64) -> Result<()> {
    if s.review_state(review)? == Some(ReviewState::Submitted) {
        return Err(Error::failed("the review is already submitted")
            .with_hint("a submitted review cannot be changed"));
    }
    Ok(())
}

/// Set (or replace) a rating and/or comment on an item of a pending review;
/// returns whether anything changed.
pub fn set_rating(
    s: &mut dyn Session,
    now: &str,
    review: i64,
    item: &str,
    value: Option<f64>,
    comment: Option<&str>,
) -> Result<bool> {
    ensure_pending(s, review)?;
    match s.rating(review, item)? {
        None => {
            s.insert_rating(now, review, item, value, comment)?;
            Ok(true)
        }
        Some((v, c)) => {
            let new_v = value.or(v);
            let new_c = comment.map(str::to_string).or(c.clone());
            if new_v == v && new_c == c {
                return Ok(false);
            }
            s.update_rating(now, review, item, new_v, new_c.as_deref())?;
            Ok(true)
        }
    }
}

/// Set a pending review's overall comment; returns whether it changed.
pub fn set_summary(s: &mut dyn Session, now: &str, review: i64, summary: &str) -> Result<bool> {
    ensure_pending(s, review)?;
    Ok(s.set_review_summary(now, review, summary)?)
}

/// Submit a pending review.
pub fn submit(s: &mut dyn Session, now: &str, review: i64) -> Result<()> {
    ensure_pending(s, review)?;
    Ok(s.submit_review(now, review)?)
}

/// Store the computed score and level of a subject (keeping any calibration).
pub fn set_computed(
    s: &mut dyn Session,
    now: &str,
    cycle: i64,
    subject: i64,
    score: Option<f64>,
    level: Option<f64>,
) -> Result<()> {
    let id = s.outcome_id(now, cycle, subject)?;
    Ok(s.set_computed(now, id, score, level)?)
}

/// Store a subject's peer and upward averages and counts (at finalization).
pub fn set_anonymous_averages(
    s: &mut dyn Session,
    now: &str,
    cycle: i64,
    subject: i64,
    peer: (Option<f64>, i64),
    upward: (Option<f64>, i64),
) -> Result<()> {
    let id = s.outcome_id(now, cycle, subject)?;
    Ok(s.set_anonymous_averages(now, id, peer, upward)?)
}

/// Set a subject's calibrated level with its reason (the computed one is kept).
pub fn calibrate(
    s: &mut dyn Session,
    now: &str,
    cycle: i64,
    subject: i64,
    level: f64,
    reason: &str,
) -> Result<()> {
    let id = s.outcome_id(now, cycle, subject)?;
    Ok(s.set_calibration(now, id, level, reason)?)
}

/// Set potential and recommendation (`None` leaves a field alone).
pub fn set_outcome(
    s: &mut dyn Session,
    now: &str,
    cycle: i64,
    subject: i64,
    potential: Option<&str>,
    recommendation: Option<&str>,
) -> Result<()> {
    let id = s.outcome_id(now, cycle, subject)?;
    Ok(s.set_outcome_fields(now, id, potential, recommendation)?)
}

/// Add a development action.
pub fn add_action(
    s: &mut dyn Session,
    now: &str,
    cycle: i64,
    subject: i64,
    text: &str,
    due: Option<NaiveDate>,
) -> Result<()> {
    validate_text("action", text, max::ACTION)?;
    Ok(s.insert_action(now, cycle, subject, text.trim(), due)?)
}

/// The participant of a cycle with this handle; exit 1 if the person does
/// not exist or does not take part.
pub fn participant(s: &dyn Session, cycle: &Cycle, handle: &str) -> Result<cycle::Participant> {
    super::org::person_id(s, handle)?;
    s.participants(cycle.id)?
        .into_iter()
        .find(|p| p.handle == handle)
        .ok_or_else(|| {
            Error::failed(format!(
                "{handle} is not a participant of cycle {}",
                cycle.name
            ))
        })
}
