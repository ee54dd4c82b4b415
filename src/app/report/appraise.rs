//! Appraisal status and scores: for each participant of a cycle, the state
//! of their reviews, the computed score and level from the cycle's template,
//! and the outcome.

use super::plan::{PaceContext, PlanIndex};
use crate::app::plan::{GoalFilter, list_goals};
use crate::domain::appraisal::{self, Appraisal, GoalInput, Inputs, Rating, ReviewInput, Template};
use crate::domain::cycle::counts;
use crate::domain::cycle::{Cycle, Outcome, Participant, Review};
use crate::domain::goal::Goal;
use crate::domain::{GoalStatus, ReviewKind, ReviewState};
use crate::error::Result;
use crate::store::Session;

/// One participant's appraisal in a cycle.
#[derive(Debug, Clone)]
pub struct SubjectState {
    /// Who.
    pub person: Participant,
    /// The self review's state (none when not started).
    pub self_review: Option<ReviewState>,
    /// The manager review's state (none when not started).
    pub manager_review: Option<ReviewState>,
    /// Peer reviews submitted.
    pub peers_submitted: usize,
    /// Peer reviews nominated.
    pub peers_total: usize,
    /// Upward reviews submitted.
    pub upward_submitted: usize,
    /// The score and level computed now from the submitted reviews and goals.
    pub appraisal: Appraisal,
    /// The stored outcome (computed at calibration/finalization, calibration, recommendation).
    pub outcome: Option<Outcome>,
    /// The goals that count, with their attainment.
    pub goals: Vec<(Goal, Option<f64>)>,
    /// All reviews of the subject.
    pub reviews: Vec<Review>,
}

impl SubjectState {
    /// Whether the self review is submitted.
    pub fn self_submitted(&self) -> bool {
        self.self_review == Some(ReviewState::Submitted)
    }

    /// Whether the manager review is submitted.
    pub fn manager_submitted(&self) -> bool {
        self.manager_review == Some(ReviewState::Submitted)
    }

    /// The level that stands: calibrated if set, else computed.
    pub fn final_level(&self) -> Option<f64> {
        self.outcome
            .as_ref()
            .and_then(|o| o.calibrated_level)
            .or(self.appraisal.level)
    }
}

/// The goals of a subject that count in a cycle: owned by them, not dropped,
/// in the cycle's period or due within it.
pub fn subject_goals(
    index: &PlanIndex,
    all: &[Goal],
    cycle: &Cycle,
    handle: &str,
) -> Vec<(Goal, Option<f64>)> {
    all.iter()
        .filter(|g| !g.owner_is_team && g.owner == handle && g.status != GoalStatus::Dropped)
        .filter(|g| {
            g.period.as_deref() == Some(cycle.period.as_str())
                || g.due.is_some_and(|d| d >= cycle.start && d <= cycle.end)
        })
        .map(|g| (g.clone(), index.get(g.id).and_then(|s| s.progress)))
        .collect()
}

fn review_state(reviews: &[Review], kind: ReviewKind) -> Option<ReviewState> {
    reviews.iter().find(|r| r.kind == kind).map(|r| r.state)
}

/// Score one subject with the template.
pub fn score(template: &Template, goals: &[(Goal, Option<f64>)], reviews: &[Review]) -> Appraisal {
    let inputs = Inputs {
        goals: goals
            .iter()
            .map(|(g, a)| GoalInput {
                key: g.key.clone(),
                weight: g.weight,
                attainment: *a,
            })
            .collect(),
        reviews: reviews
            .iter()
            .filter(|r| counts(r))
            .map(|r| ReviewInput {
                kind: r.kind,
                ratings: r
                    .ratings
                    .iter()
                    .filter_map(|x| {
                        x.value.map(|v| Rating {
                            item: x.item.clone(),
                            value: v,
                        })
                    })
                    .collect(),
            })
            .collect(),
    };
    appraisal::appraise(template, &inputs)
}

/// Every participant's state in a cycle.
pub fn cycle_states(
    s: &dyn Session,
    cycle: &Cycle,
    template: &Template,
    pace: &PaceContext,
) -> Result<Vec<SubjectState>> {
    let index = PlanIndex::load(s, pace)?;
    let all = s.all_goals()?;
    s.participants(cycle.id)?
        .into_iter()
        .map(|p| state_of(s, cycle, template, &index, &all, p))
        .collect()
}

/// One participant's state (none if they do not take part), reading only
/// their own goals: a person's packet on an organisation's file.
pub fn subject_state(
    s: &dyn Session,
    cycle: &Cycle,
    template: &Template,
    pace: &PaceContext,
    person_id: i64,
) -> Result<Option<SubjectState>> {
    let Some(p) = s
        .participants(cycle.id)?
        .into_iter()
        .find(|p| p.person_id == person_id)
    else {
        return Ok(None);
    };
    let own = list_goals(
        s,
        &GoalFilter {
            owner: Some(p.handle.clone()),
            ..Default::default()
        },
    )?;
    let ids: Vec<i64> = own.iter().map(|g| g.id).collect();
    let index = PlanIndex::load_for(s, pace, &ids)?;
    state_of(s, cycle, template, &index, &own, p).map(Some)
}

fn state_of(
    s: &dyn Session,
    cycle: &Cycle,
    template: &Template,
    index: &PlanIndex,
    all: &[Goal],
    p: Participant,
) -> Result<SubjectState> {
    let reviews = s.reviews(cycle.id, Some(p.person_id))?;
    let goals = subject_goals(index, all, cycle, &p.handle);
    let appraisal = score(template, &goals, &reviews);
    let count = |kind: ReviewKind, submitted: bool| {
        reviews
            .iter()
            .filter(|r| r.kind == kind && (!submitted || counts(r)))
            .count()
    };
    Ok(SubjectState {
        self_review: review_state(&reviews, ReviewKind::SelfReview),
        manager_review: review_state(&reviews, ReviewKind::Manager),
        peers_submitted: count(ReviewKind::Peer, true),
        peers_total: count(ReviewKind::Peer, false),
        upward_submitted: count(ReviewKind::Upward, true),
        outcome: s.outcome(cycle.id, p.person_id)?,
        appraisal,
        goals,
        reviews,
        person: p,
    })
}
