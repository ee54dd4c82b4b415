//! Appraisal status and scores: for each participant of a cycle, the state
//! of their reviews, the computed score and level from the cycle's template,
//! and the outcome.

use super::plan::{PaceContext, PlanIndex};
use super::record::{CycleRecords, RecordLine, RecordedPacket};
use crate::app::access::Policy;
use crate::app::plan::{GoalFilter, list_goals};
use crate::domain::access::{Facts, Grant, Item};
use crate::domain::appraisal::{self, Appraisal, GoalInput, Inputs, Rating, ReviewInput, Template};
use crate::domain::cycle::counts;
use crate::domain::cycle::is_anonymous;
use crate::domain::cycle::{Cycle, Outcome, Participant, Review};
use crate::domain::goal::Goal;
use crate::domain::types::Component;
use crate::domain::{CycleState, GoalStatus, ReviewKind, ReviewState};
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
    /// The reviews of the subject (as a viewer sees them: see [`as_seen_by`]).
    pub reviews: Vec<Review>,
    /// Peer and upward reviews summarised for those who may not see them
    /// whole (filled by [`as_seen_by`]).
    pub anonymous: Vec<AnonymousSummary>,
    /// The packet's goals and measures as recorded when the cycle was
    /// finalized (none while it is not).
    pub frozen_packet: Option<RecordedPacket>,
    /// Every record finalizing the cycle stored for the subject, voided ones
    /// included (the history).
    pub records: Vec<RecordLine>,
    /// The subject's team (when the cycle was finalized, once it is).
    pub team: Option<String>,
    /// The subject's acknowledgements of their outcome, with their
    /// comments; voided ones (by a reopening) included.
    pub acknowledgements: Vec<crate::domain::cycle::Acknowledgement>,
}

/// Peer or upward reviews as their subject and managers may see them: how
/// many were submitted, their average and their comments, without names
/// (sorted, so their order names no one either).
#[derive(Debug, Clone, PartialEq)]
pub struct AnonymousSummary {
    /// Peer or upward.
    pub kind: ReviewKind,
    /// How many were submitted.
    pub count: usize,
    /// Their average (the one stored at finalization, for the subject).
    pub average: Option<f64>,
    /// Their comments and summaries.
    pub comments: Vec<String>,
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
/// in the cycle's period or due within it, and root goals among those (see
/// [`appraisal::root_goals`]: a sub-goal of one of them counts through its
/// parent's roll-up, not a second time).
pub fn subject_goals(
    index: &PlanIndex,
    all: &[Goal],
    cycle: &Cycle,
    handle: &str,
) -> Vec<(Goal, Option<f64>)> {
    let theirs: Vec<&Goal> = all
        .iter()
        .filter(|g| !g.owner_is_team && g.owner == handle && g.status != GoalStatus::Dropped)
        .filter(|g| {
            g.period.as_deref() == Some(cycle.period.as_str())
                || g.due.is_some_and(|d| d >= cycle.start && d <= cycle.end)
        })
        .collect();
    let pairs: Vec<(&str, Option<&str>)> = theirs
        .iter()
        .map(|g| (g.key.as_str(), g.parent.as_deref()))
        .collect();
    appraisal::root_goals(&pairs)
        .into_iter()
        .filter_map(|i| theirs.get(i))
        .map(|g| ((*g).clone(), index.get(g.id).and_then(|s| s.progress)))
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
    // Goals are scored as of the period's end: later check-ins never count.
    let index = PlanIndex::load(s, &pace.as_of(cycle.end))?;
    let all = s.all_goals()?;
    let mut records = CycleRecords::load(s, cycle, None)?;
    s.participants(cycle.id)?
        .into_iter()
        .map(|p| state_of(s, cycle, template, &index, &all, &mut records, p))
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
    let index = PlanIndex::load_for(s, &pace.as_of(cycle.end), &ids)?;
    let mut records = CycleRecords::load(s, cycle, Some(person_id))?;
    state_of(s, cycle, template, &index, &own, &mut records, p).map(Some)
}

fn state_of(
    s: &dyn Session,
    cycle: &Cycle,
    template: &Template,
    index: &PlanIndex,
    all: &[Goal],
    records: &mut CycleRecords,
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
    let (current, history) = records.take(p.person_id);
    let mut st = SubjectState {
        self_review: review_state(&reviews, ReviewKind::SelfReview),
        manager_review: review_state(&reviews, ReviewKind::Manager),
        peers_submitted: count(ReviewKind::Peer, true),
        peers_total: count(ReviewKind::Peer, false),
        upward_submitted: count(ReviewKind::Upward, true),
        outcome: s.outcome(cycle.id, p.person_id)?,
        appraisal,
        goals,
        reviews,
        anonymous: Vec::new(),
        frozen_packet: None,
        records: history,
        team: s.find_person(&p.handle)?.and_then(|x| x.team),
        acknowledgements: s
            .acknowledgements(cycle.id, Some(p.person_id))?
            .into_iter()
            .map(|(_, a)| a)
            .collect(),
        person: p,
    };
    // A finalized cycle shows what was recorded when it was finalized.
    if cycle.state == CycleState::Finalized
        && let Some(r) = current
    {
        super::record::apply(&mut st, r);
    }
    Ok(st)
}

/// The state of an appraisal that the policy's conditional grants read.
pub fn facts(cycle: &Cycle, st: &SubjectState) -> Facts {
    facts_of(
        cycle,
        st.self_review,
        st.manager_review,
        st.person.manager.is_some(),
    )
}

/// The same from the states of the self and manager reviews (a subject
/// without a manager needs only the self review).
pub fn facts_of(
    cycle: &Cycle,
    self_review: Option<ReviewState>,
    manager_review: Option<ReviewState>,
    has_manager: bool,
) -> Facts {
    let submitted = |s: Option<ReviewState>| s == Some(ReviewState::Submitted);
    Facts {
        both_submitted: submitted(self_review) && (submitted(manager_review) || !has_manager),
        closed: matches!(cycle.state, CycleState::Calibrating | CycleState::Finalized),
        released: cycle.state == CycleState::Finalized,
        at_threshold: false,
    }
}

/// One participant's appraisal as the acting person may see it (see the
/// access table in `domain::access`): reviews they may not see removed,
/// peer and upward reviews summarised without names where that is all
/// they may see, the score, level and outcome withheld until they may see
/// them. Returns notes on what was withheld. In a finalized cycle the
/// score and level are the ones stored when it was finalized.
pub fn as_seen_by(
    s: &dyn Session,
    policy: &Policy,
    cycle: &Cycle,
    template: &Template,
    st: SubjectState,
) -> Result<(SubjectState, Vec<String>)> {
    seen(s, policy, cycle, template, st, true)
}

/// The same for a review packet, which never names peer and upward
/// reviewers to anyone: those who may see their reviews whole get the
/// summary instead.
pub fn as_seen_in_packet(
    s: &dyn Session,
    policy: &Policy,
    cycle: &Cycle,
    template: &Template,
    st: SubjectState,
) -> Result<(SubjectState, Vec<String>)> {
    seen(s, policy, cycle, template, st, false)
}

fn seen(
    s: &dyn Session,
    policy: &Policy,
    cycle: &Cycle,
    template: &Template,
    mut st: SubjectState,
    names: bool,
) -> Result<(SubjectState, Vec<String>)> {
    let subject = st.person.handle.clone();
    let facts = facts(cycle, &st);
    let mut notes = Vec::new();
    if facts.released
        && let Some(o) = &st.outcome
        && o.computed_score.is_some()
    {
        st.appraisal.score = o.computed_score;
        st.appraisal.level = o.computed_level;
        st.appraisal.label = o
            .computed_level
            .and_then(|l| template.scale.label(l))
            .map(str::to_string);
    }
    // The peer and upward averages of a finalized cycle are the ones stored
    // when it was finalized, so no one can difference a reviewer out.
    if facts.released
        && let Some(o) = &st.outcome
        && (o.peer_count.is_some() || o.upward_count.is_some())
    {
        let a = &mut st.appraisal;
        for c in &mut a.components {
            match c.component {
                Component::Peer => c.value = o.peer_average,
                Component::Upward => c.value = o.upward_average,
                _ => {}
            }
        }
        a.peers_counted = o.peer_average.is_some();
        a.upward_counted = o.upward_average.is_some();
    }
    let all = std::mem::take(&mut st.reviews);
    let (mut drafts, mut blind, mut named) = (0, Vec::new(), 0);
    for r in &all {
        let item = if !counts(r) {
            Item::DraftReview
        } else if is_anonymous(r.kind) {
            Item::PeerReview
        } else {
            Item::SubmittedReview
        };
        if policy.sees(s, item, Some(&subject), Some(&r.reviewer), facts)?
            && (names || item != Item::PeerReview)
        {
            st.reviews.push(r.clone());
        } else {
            match item {
                Item::DraftReview => drafts += 1,
                Item::PeerReview => named += 1,
                _ => blind.push(r.kind),
            }
        }
    }
    if drafts > 0 {
        notes.push(format!(
            "{drafts} draft review(s) hidden: a draft is seen only by its author."
        ));
    }
    for kind in blind {
        notes.push(format!(
            "The {kind} review is hidden: self and manager reviews are seen once both are submitted, by their subject and managers."
        ));
    }
    let summary_grant = policy.grant(s, Item::PeerSummary, Some(&subject), None)?;
    for kind in [ReviewKind::Peer, ReviewKind::Upward] {
        let submitted: Vec<&Review> = all.iter().filter(|r| r.kind == kind && counts(r)).collect();
        // Those who see the reviews whole need no summary of them.
        if submitted.is_empty()
            || submitted
                .iter()
                .all(|r| st.reviews.iter().any(|k| k.id == r.id))
        {
            continue;
        }
        let at_threshold = submitted.len() >= template.anonymity_threshold as usize;
        let f = Facts {
            at_threshold,
            ..facts
        };
        if !summary_grant.holds(f) {
            continue;
        }
        let stored = st.outcome.as_ref().and_then(|o| match kind {
            ReviewKind::Peer => o.peer_average,
            _ => o.upward_average,
        });
        let live = st
            .appraisal
            .component(if kind == ReviewKind::Peer {
                Component::Peer
            } else {
                Component::Upward
            })
            .and_then(|c| c.value);
        let mut comments: Vec<String> = submitted
            .iter()
            .flat_map(|r| {
                r.ratings
                    .iter()
                    .filter_map(|x| x.comment.clone())
                    .chain(r.summary.clone())
            })
            .collect();
        comments.sort();
        st.anonymous.push(AnonymousSummary {
            kind,
            count: submitted.len(),
            average: if summary_grant == Grant::ReleasedAtThreshold {
                stored
            } else {
                live
            },
            comments,
        });
    }
    if named > 0 && names {
        notes.push(format!(
            "Peer and upward reviews are shown to their subject and managers only as an average with comments without names, once at least {} are submitted and reviews close (to the subject: once the cycle is finalized).",
            template.anonymity_threshold
        ));
    }
    if !policy.sees(s, Item::Appraisal, Some(&subject), None, facts)? {
        withhold_scores(&mut st);
        notes.push(
            "The score, level and components are shown to managers once reviews close, and to the subject once the cycle is finalized."
                .to_string(),
        );
    }
    let outcome_seen = policy.sees(s, Item::Outcome, Some(&subject), None, facts)?;
    if !outcome_seen {
        st.acknowledgements.clear();
    }
    if !outcome_seen && let Some(o) = &mut st.outcome {
        o.potential = None;
        o.recommendation = None;
        o.actions.clear();
        o.pip = None;
        notes.push(
            "The outcome (potential, recommendation, development actions, acknowledgement comments) is shown to the subject once the cycle is finalized."
                .to_string(),
        );
    }
    Ok((st, notes))
}

/// Take out the score, level, components and calibration of an appraisal.
fn withhold_scores(st: &mut SubjectState) {
    let a = &mut st.appraisal;
    a.score = None;
    a.level = None;
    a.label = None;
    a.threshold_level = None;
    a.critical_failure = false;
    for c in &mut a.components {
        c.value = None;
        c.effective_weight = 0.0;
    }
    for r in &mut st.records {
        r.score = None;
        r.final_level = None;
    }
    if let Some(o) = &mut st.outcome {
        o.computed_score = None;
        o.computed_level = None;
        o.calibrated_level = None;
        o.calibration_reason = None;
        o.peer_average = None;
        o.upward_average = None;
    }
}

/// Every participant's appraisal in a cycle as the acting person may see it.
pub fn cycle_states_seen(
    s: &dyn Session,
    policy: &Policy,
    cycle: &Cycle,
    template: &Template,
    pace: &PaceContext,
) -> Result<Vec<SubjectState>> {
    cycle_states(s, cycle, template, pace)?
        .into_iter()
        .map(|st| as_seen_by(s, policy, cycle, template, st).map(|(st, _)| st))
        .collect()
}
