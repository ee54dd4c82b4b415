//! Feedback: giving it, listing what the viewer may see, removing it.

use super::Actor;
use super::access::Policy;
use crate::domain::FeedbackKind;
use crate::domain::access::{Act, Facts, Item};
use crate::domain::feedback::Feedback;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::feedback::{FeedbackFilter, NewFeedback};
use crate::store::oplog::{Audience, AudienceKind};
use crate::time::{Clock, parse_date, parse_window};

/// Feedback as typed.
#[derive(Debug, Clone)]
pub struct GiveInput {
    /// Who it is for.
    pub to: String,
    /// The text.
    pub text: String,
    /// What kind.
    pub kind: FeedbackKind,
    /// The goal it is about (id or key).
    pub goal: Option<String>,
    /// Private to the author and the subject's managers.
    pub private: bool,
    /// The day, a date expression (default today).
    pub date: Option<String>,
}

/// Whether the acting person may see `f`: shared feedback everyone;
/// private feedback its author, the subject's managers and admins, never
/// its subject.
pub fn visible(s: &dyn Session, f: &Feedback, policy: &Policy) -> Result<bool> {
    let item = if f.private {
        Item::PrivateFeedback
    } else {
        Item::SharedFeedback
    };
    policy.sees(s, item, Some(&f.to), f.from.as_deref(), Facts::default())
}

/// Check feedback to give and work out the row to write.
pub fn prepare(
    s: &dyn Session,
    clock: &Clock,
    actor: &Actor,
    input: &GiveInput,
) -> Result<NewFeedback> {
    let Some(me) = actor.handle() else {
        return Err(Error::invalid("who is giving the feedback?").with_hint(
            "pass --as HANDLE (or set YARDSTICK_USER, or `yardstick init --me HANDLE`)",
        ));
    };
    let from = super::org::get_person(s, me).map_err(|e| e.context("--as"))?;
    let subject = super::org::get_person(s, &input.to)?;
    crate::domain::feedback::check_recipient(&from.id, &subject.id)?;
    Policy::resolve(s, actor)?.check(s, Act::GiveFeedback, Some(&subject.handle), None)?;
    let goal_id = input
        .goal
        .as_deref()
        .map(|g| super::plan::get_goal(s, g).map(|g| g.id))
        .transpose()?;
    let date = match &input.date {
        Some(d) => parse_date(d, clock).map_err(|e| e.context("--date"))?,
        None => clock.today,
    };
    crate::domain::names::validate_text(
        "feedback text",
        &input.text,
        crate::domain::names::max::FEEDBACK,
    )?;
    Ok(NewFeedback {
        from_id: Some(from.id),
        to_id: subject.id,
        date,
        kind: input.kind,
        text: input.text.trim().to_string(),
        goal_id,
        private: input.private,
    })
}

/// A piece of feedback by id; exit 1 if there is none.
pub fn get(s: &dyn Session, id: i64) -> Result<Feedback> {
    s.feedback(id)?
        .ok_or_else(|| Error::not_found("feedback", &id.to_string()))
}

/// `feedback give`: record prepared feedback from `me`.
pub fn give(s: &mut dyn Session, now: &str, me: &str, new: &NewFeedback) -> Result<Feedback> {
    let id = s.insert_feedback(now, new)?;
    let f = get(s, id)?;
    s.set_summary(&format!(
        "{} feedback from {} to {}{}",
        f.kind,
        me,
        f.to,
        if f.private { " (private)" } else { "" }
    ));
    if f.private {
        s.set_audience(
            Audience {
                kind: AudienceKind::PrivateFeedback,
                subject: f.to.clone(),
            },
            "private feedback",
        );
    }
    Ok(f)
}

/// Which feedback `feedback list` shows, as typed.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    /// About this person.
    pub to: Option<String>,
    /// By this person.
    pub from: Option<String>,
    /// About people in this team and its sub-teams.
    pub team: Option<String>,
    /// From this date expression.
    pub since: Option<String>,
    /// Up to this date expression.
    pub until: Option<String>,
    /// Of this kind.
    pub kind: Option<FeedbackKind>,
    /// At most this many.
    pub limit: Option<usize>,
    /// Whether private feedback the acting person may see is listed (it is
    /// left out of data files unless asked for).
    pub include_private: bool,
}

/// `feedback list`: the feedback the acting person may see, newest first,
/// and how many private items were hidden from them (never counting those
/// about themselves, whose existence is not theirs to know).
pub fn list(
    s: &dyn Session,
    clock: &Clock,
    policy: &Policy,
    input: &ListInput,
) -> Result<(Vec<Feedback>, usize)> {
    let person = |h: &Option<String>| {
        h.as_deref()
            .map(|h| super::org::person_id(s, h))
            .transpose()
    };
    let (to, from) = (person(&input.to)?, person(&input.from)?);
    let teams = input
        .team
        .as_deref()
        .map(|t| super::org::subtree(s, t))
        .transpose()?;
    let (since, until) = parse_window(input.since.as_deref(), input.until.as_deref(), clock)?;
    let filter = FeedbackFilter {
        to,
        from,
        teams,
        since,
        until,
        kind: input.kind,
    };
    let mut shown = Vec::new();
    let mut hidden = 0usize;
    for f in s.list_feedback(&filter)? {
        if f.private && !input.include_private {
            if visible(s, &f, policy)? {
                hidden += 1;
            }
        } else if visible(s, &f, policy)? {
            shown.push(f);
        } else if policy.handle() != Some(f.to.as_str()) {
            hidden += 1;
        }
    }
    if let Some(l) = input.limit {
        shown.truncate(l);
    }
    Ok((shown, hidden))
}

/// A piece of feedback the acting person may see; exit 1 (as if it did
/// not exist) otherwise.
pub fn get_visible(s: &dyn Session, id: i64, policy: &Policy) -> Result<Feedback> {
    let f = get(s, id)?;
    if !visible(s, &f, policy)? {
        return Err(Error::not_found("feedback", &id.to_string()));
    }
    Ok(f)
}

/// `feedback rm`: remove a piece of feedback (its author or an admin may,
/// checked inside the write); with `purge`, also erase it from the undo
/// history.
pub fn remove(s: &mut dyn Session, id: i64, policy: &Policy, purge: bool) -> Result<()> {
    let f = get_visible(s, id, policy)?;
    policy.check(s, Act::RemoveFeedback, Some(&f.to), f.from.as_deref())?;
    s.delete_feedback(f.id)?;
    s.set_summary(&format!("removed feedback {} for {}", f.id, f.to));
    if f.private {
        s.set_audience(
            Audience {
                kind: AudienceKind::PrivateFeedback,
                subject: f.to.clone(),
            },
            "removed private feedback",
        );
    }
    if purge {
        super::admin::purge(s, "feedback", f.id)?;
    }
    Ok(())
}
