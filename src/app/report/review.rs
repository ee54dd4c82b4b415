//! Appraisal reports: a cycle's completion, rating distribution, reviewer
//! averages and 9-box (`report cycle`), and one person's review packet
//! (`report person`).

use super::appraise::{SubjectState, as_seen_in_packet, cycle_states_seen, subject_state};
use super::plan::{GoalState, PaceContext};
use super::progress::{MeasureLine, goals_and_index, lines_of};
use crate::app::access::Policy;
use crate::app::plan::GoalFilter;
use crate::domain::ReviewKind;
use crate::domain::access::{Facts, Item};
use crate::domain::appraisal::{self, Reward, Template, suggested_reward};
use crate::domain::cycle::Cycle;
use crate::domain::cycle::{POTENTIALS, counts};
use crate::domain::feedback::Feedback;
use crate::domain::org::Person;
use crate::error::Result;
use crate::store::Session;
use crate::store::feedback::FeedbackFilter;

/// A manager's ratings against the cycle's average (for calibration).
#[derive(Debug, Clone)]
pub struct ReviewerLine {
    /// The reviewer.
    pub reviewer: String,
    /// Submitted manager reviews.
    pub reviews: i64,
    /// Their mean rating.
    pub average: f64,
    /// Their mean minus the cycle's mean.
    pub difference: f64,
}

/// Everything `report cycle` shows.
pub struct CycleReport {
    /// The cycle.
    pub cycle: Cycle,
    /// Its template.
    pub template: Template,
    /// Each participant.
    pub states: Vec<SubjectState>,
    /// (stage, done, total).
    pub stages: Vec<(String, i64, i64)>,
    /// (level value, label, people at that final level).
    pub distribution: Vec<(f64, String, i64)>,
    /// Manager averages.
    pub reviewers: Vec<ReviewerLine>,
    /// The mean of all manager ratings.
    pub cycle_average: Option<f64>,
    /// 9-box: rows potential high, medium, low; columns performance low, medium, high; names in each cell.
    pub nine_box: Vec<Vec<Vec<String>>>,
    /// Each participant's suggested reward (in the order of `states`), from
    /// the template's merit matrix and what the reader may see of their
    /// final level and potential.
    pub rewards: Vec<Option<Reward>>,
    /// The suggested rewards per team (people without a team last).
    pub team_rewards: Vec<TeamRewards>,
}

/// The suggested rewards of one team's participants.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRewards {
    /// The team's handle (none: people without a team).
    pub team: Option<String>,
    /// Participants in the team.
    pub people: usize,
    /// Of those, how many have a suggested reward.
    pub rewarded: usize,
    /// The sum of their raises, in percentage points of pay (multiply by a
    /// salary to budget: yardstick holds no pay).
    pub raise_total: f64,
    /// The sum of their bonuses, in percentage points of pay.
    pub bonus_total: f64,
}

impl TeamRewards {
    /// The mean raise of those rewarded, percent.
    pub fn raise_mean(&self) -> Option<f64> {
        (self.rewarded > 0).then(|| self.raise_total / self.rewarded as f64)
    }

    /// The mean bonus of those rewarded, percent.
    pub fn bonus_mean(&self) -> Option<f64> {
        (self.rewarded > 0).then(|| self.bonus_total / self.rewarded as f64)
    }
}

/// Each participant's suggested reward, and the totals per team.
fn rewards(
    template: &Template,
    states: &[SubjectState],
) -> (Vec<Option<Reward>>, Vec<TeamRewards>) {
    let each: Vec<Option<Reward>> = states
        .iter()
        .map(|s| {
            let potential = s.outcome.as_ref().and_then(|o| o.potential.as_deref());
            suggested_reward(&template.merit, s.final_level(), potential)
        })
        .collect();
    let mut teams: Vec<TeamRewards> = Vec::new();
    for (s, r) in states.iter().zip(&each) {
        let i = match teams.iter().position(|t| t.team == s.team) {
            Some(i) => i,
            None => {
                teams.push(TeamRewards {
                    team: s.team.clone(),
                    people: 0,
                    rewarded: 0,
                    raise_total: 0.0,
                    bonus_total: 0.0,
                });
                teams.len() - 1
            }
        };
        let t = &mut teams[i];
        t.people += 1;
        if let Some(r) = r {
            t.rewarded += 1;
            t.raise_total += r.raise;
            t.bonus_total += r.bonus;
        }
    }
    teams.sort_by(|a, b| match (&a.team, &b.team) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    (each, teams)
}

/// Build the cycle report from what the acting person may see of each
/// participant's appraisal.
pub fn cycle_report(
    s: &dyn Session,
    policy: &Policy,
    cycle: Cycle,
    template: Template,
    pace: &PaceContext,
) -> Result<CycleReport> {
    let states = cycle_states_seen(s, policy, &cycle, &template, pace)?;
    let n = i64::try_from(states.len()).unwrap_or(0);
    let count = |f: &dyn Fn(&SubjectState) -> bool| {
        i64::try_from(states.iter().filter(|s| f(s)).count()).unwrap_or(0)
    };
    let with_manager = count(&|s| s.person.manager.is_some());
    let peers_total: usize = states.iter().map(|s| s.peers_total).sum();
    let peers_done: usize = states.iter().map(|s| s.peers_submitted).sum();
    let stages = vec![
        (
            "self reviews".to_string(),
            count(&|s| s.self_submitted()),
            n,
        ),
        (
            "manager reviews".to_string(),
            count(&|s| s.manager_submitted()),
            with_manager,
        ),
        (
            "peer reviews".to_string(),
            i64::try_from(peers_done).unwrap_or(0),
            i64::try_from(peers_total).unwrap_or(0),
        ),
        (
            "scored".to_string(),
            count(&|s| s.final_level().is_some()),
            n,
        ),
        (
            "calibrated".to_string(),
            count(&|s| {
                s.outcome
                    .as_ref()
                    .is_some_and(|o| o.calibrated_level.is_some())
            }),
            n,
        ),
        (
            "outcomes".to_string(),
            count(&|s| {
                s.outcome
                    .as_ref()
                    .is_some_and(|o| o.recommendation.is_some())
            }),
            n,
        ),
        (
            "acknowledged".to_string(),
            count(&|s| s.person.acknowledged_at.is_some()),
            n,
        ),
    ];
    let distribution = template
        .scale
        .levels
        .iter()
        .map(|l| {
            let k = count(&|s| s.final_level().is_some_and(|v| (v - l.value).abs() < 1e-9));
            (l.value, l.label.clone(), k)
        })
        .collect();
    // Manager averages over submitted manager reviews.
    let mut by: Vec<(String, f64, i64, i64)> = Vec::new();
    let (mut total, mut count_all) = (0.0, 0i64);
    for s in &states {
        for r in s
            .reviews
            .iter()
            .filter(|r| r.kind == ReviewKind::Manager && counts(r))
        {
            let values: Vec<f64> = r.ratings.iter().filter_map(|x| x.value).collect();
            if values.is_empty() {
                continue;
            }
            let sum: f64 = values.iter().sum();
            let k = i64::try_from(values.len()).unwrap_or(0);
            total += sum;
            count_all += k;
            match by.iter_mut().find(|x| x.0 == r.reviewer) {
                Some(x) => {
                    x.1 += sum;
                    x.2 += k;
                    x.3 += 1;
                }
                None => by.push((r.reviewer.clone(), sum, k, 1)),
            }
        }
    }
    let cycle_average = (count_all > 0).then(|| total / count_all as f64);
    let mut reviewers: Vec<ReviewerLine> = by
        .into_iter()
        .map(|(reviewer, sum, k, reviews)| {
            let average = sum / k.max(1) as f64;
            ReviewerLine {
                reviewer,
                reviews,
                average,
                difference: average - cycle_average.unwrap_or(average),
            }
        })
        .collect();
    reviewers.sort_by(|a, b| b.difference.total_cmp(&a.difference));
    // 9-box: performance by the template's bands of the score, else by
    // thirds of the scale of the final level; potential low/medium/high.
    let mut nine_box = vec![vec![Vec::new(); 3]; 3];
    for s in &states {
        let (Some(col), Some(potential)) = (
            appraisal::performance_column(&template, s.appraisal.score, s.final_level()),
            s.outcome.as_ref().and_then(|o| o.potential.clone()),
        ) else {
            continue;
        };
        // Rows from the highest potential down.
        let row = POTENTIALS
            .iter()
            .rev()
            .position(|p| *p == potential.as_str())
            .unwrap_or(2)
            .min(2);
        nine_box[row][col].push(s.person.handle.clone());
    }
    let (rewards, team_rewards) = rewards(&template, &states);
    Ok(CycleReport {
        rewards,
        team_rewards,
        cycle,
        template,
        states,
        stages,
        distribution,
        reviewers,
        cycle_average,
        nine_box,
    })
}

/// Everything a review packet shows.
pub struct Packet {
    /// The person.
    pub person: Person,
    /// Their goals in the period (or all of theirs).
    pub goals: Vec<GoalState>,
    /// Their measures with values.
    pub measures: Vec<MeasureLine>,
    /// Feedback they received.
    pub feedback: Vec<Feedback>,
    /// How many private items were left out.
    pub private_hidden: usize,
    /// Their appraisal in the cycle, if any, as the reader may see it.
    pub appraisal: Option<(Cycle, Template, SubjectState)>,
    /// Its explanation (what `appraise explain` shows), when the reader may
    /// see the score; a finalized cycle's from its record.
    pub explanation: Option<crate::domain::appraisal::Explanation>,
    /// What was withheld from the reader.
    pub notes: Vec<String>,
    /// The pace thresholds the goals and measures were judged with, when
    /// they are a finalized cycle's record (not today's configuration).
    pub recorded_thresholds: Option<crate::domain::pace::PaceThresholds>,
    /// Their improvement plans the reader may see (overlapping the
    /// cycle's dates, or all of them without a cycle).
    pub plans: Vec<crate::app::pip::PlanView>,
}

/// A person's review packet as the acting person may see it. Private
/// feedback is left out unless `include_private` (and then only what they
/// may see); the appraisal is what they may see of it (see
/// [`as_seen_by`]); peer and upward reviews never appear with names in a
/// packet, even to those who may see them whole.
pub fn packet(
    s: &dyn Session,
    policy: &Policy,
    handle: &str,
    cycle: Option<(Cycle, Template)>,
    period: Option<&str>,
    include_private: bool,
    pace: &PaceContext,
) -> Result<Packet> {
    let person = crate::app::org::get_person(s, handle)?;
    let (goals, measures) = plan_part(s, handle, cycle.as_ref().map(|(c, _)| c), period, pace)?;
    let (since, until) = match &cycle {
        Some((c, _)) => (Some(c.start), Some(c.end)),
        None => (None, None),
    };
    let all = s.list_feedback(&FeedbackFilter {
        to: Some(person.id),
        since,
        until,
        ..FeedbackFilter::default()
    })?;
    let mut feedback = Vec::new();
    let mut private_hidden = 0;
    for f in all {
        let item = if f.private {
            Item::PrivateFeedback
        } else {
            Item::SharedFeedback
        };
        let visible = policy.sees(s, item, Some(&f.to), f.from.as_deref(), Facts::default())?;
        if visible && (include_private || !f.private) {
            feedback.push(f);
        } else if visible {
            private_hidden += 1;
        }
    }
    let mut notes = Vec::new();
    let (mut goals, mut measures) = (goals, measures);
    let mut recorded_thresholds = None;
    let plans = crate::app::pip::plans_of(
        s,
        pace,
        policy,
        handle,
        cycle.as_ref().map(|(c, _)| (c.start, c.end)),
    )?;
    let mut explanation = None;
    let appraisal = match cycle {
        Some((c, t)) => match subject_state(s, &c, &t, pace, person.id)? {
            Some(mut st) => {
                // A finalized cycle's packet shows the goals and measures
                // as they were recorded, whatever changed since.
                if let Some(frozen) = st.frozen_packet.take() {
                    goals = frozen.goals;
                    measures = frozen.measures;
                    recorded_thresholds = Some(frozen.thresholds);
                }
                let (st, n) = as_seen_in_packet(s, policy, &c, &t, st)?;
                notes = n;
                explanation = crate::app::appraise::explanation_for(s, policy, &c, &t, &st)?;
                Some((c, t, st))
            }
            None => None,
        },
        None => None,
    };
    Ok(Packet {
        person,
        goals,
        measures,
        feedback,
        private_hidden,
        appraisal,
        explanation,
        notes,
        recorded_thresholds,
        plans,
    })
}

/// The plan part of a packet: a person's goals and measures — of a cycle
/// (the goals in its period or due within its dates: a half-year holds its
/// quarters' goals), else of the period filter, else every goal of theirs.
pub fn plan_part(
    s: &dyn Session,
    handle: &str,
    cycle: Option<&Cycle>,
    period: Option<&str>,
    pace: &PaceContext,
) -> Result<(Vec<GoalState>, Vec<MeasureLine>)> {
    let filter = GoalFilter {
        owner: Some(handle.to_string()),
        period: period.map(str::to_string),
        ..GoalFilter::default()
    };
    let within = |due: Option<chrono::NaiveDate>, p: Option<&str>| match cycle {
        Some(c) => p == Some(c.period.as_str()) || due.is_some_and(|d| d >= c.start && d <= c.end),
        None => true,
    };
    // One read of the goals and their plan index serves both lists.
    let (listed, index) = goals_and_index(s, &filter, pace)?;
    let measures: Vec<MeasureLine> = lines_of(&listed, &index, None)
        .into_iter()
        .filter(|l| within(l.goal.goal.due, l.goal.goal.period.as_deref()))
        .collect();
    let goals = listed
        .iter()
        .filter(|g| within(g.due, g.period.as_deref()))
        .filter_map(|g| index.get(g.id).cloned())
        .collect();
    Ok((goals, measures))
}

/// The latest cycle a person takes part in.
pub fn latest_cycle_of(s: &dyn Session, person_id: i64) -> Result<Option<Cycle>> {
    for c in s.list_cycles()? {
        if s.participants(c.id)?
            .iter()
            .any(|p| p.person_id == person_id)
        {
            return Ok(Some(c));
        }
    }
    Ok(None)
}
