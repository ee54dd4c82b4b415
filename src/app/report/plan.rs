//! Goals with their measures' current values, progress and standards, rolled
//! up along the alignment tree.

use crate::app::plan::{GoalFilter, list_goals};
use crate::domain::goal::{Goal, Measure};
use crate::domain::pace::{Forecast, PaceThresholds};
use crate::domain::{self, GoalNode, GoalStatus, PaceStatus, Progress, Standard};
use crate::error::Result;
use crate::store::Session;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A measure with its latest value and what that value means.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasureState {
    /// The measure.
    pub measure: Measure,
    /// The latest value, if any.
    pub current: Option<f64>,
    /// The date of the latest value.
    pub as_of: Option<NaiveDate>,
    /// Progress from baseline to target.
    pub progress: Progress,
    /// Below / meets / exceeds (none without a value).
    pub standard: Option<Standard>,
    /// The zone (fail, commit, target, stretch) when zones are configured;
    /// left out of frozen records when none, so they read and write as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<domain::Zone>,
    /// The value projected at the goal's due date from this period's check-ins.
    pub forecast: Option<Forecast>,
    /// The valued check-ins of the forecast window since the goal's start,
    /// oldest first (the trend line of reports).
    #[serde(skip)]
    pub points: Vec<(NaiveDate, f64)>,
}

/// A goal with its rolled-up progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoalState {
    /// The goal.
    pub goal: Goal,
    /// Its measures.
    pub measures: Vec<MeasureState>,
    /// Rolled-up progress (0–1 scored), none when nothing can be computed.
    pub progress: Option<f64>,
    /// Meets (progress ≥ 100 %) or below.
    pub standard: Option<Standard>,
    /// How many goals align directly to it.
    pub children: usize,
    /// Expected progress by today from the start and due dates (0–1).
    pub expected: Option<f64>,
    /// On track, at risk or off track, derived from progress against expected.
    pub pace: Option<PaceStatus>,
    /// The latest status someone reported in a check-in (shown beside the derived one).
    pub reported: Option<String>,
    /// The day of the latest check-in on the goal.
    pub last_checkin: Option<NaiveDate>,
    /// Days since the latest check-in.
    pub checkin_age_days: Option<i64>,
}

/// What the index needs to judge pace: today and the thresholds.
#[derive(Debug, Clone, Copy)]
pub struct PaceContext {
    /// Today.
    pub today: NaiveDate,
    /// When a gap is at risk or off track.
    pub thresholds: PaceThresholds,
    /// Progress as of this day: check-ins dated after it do not count (an
    /// appraisal scores goals as of its period's end). None: every check-in.
    pub until: Option<NaiveDate>,
    /// The progress of a measure whose target equals its baseline.
    pub flat_target: domain::FlatTarget,
    /// The progress of a goal with nothing to measure.
    pub empty_goal: domain::EmptyGoal,
    /// What a measure's progress is measured to.
    pub reference: domain::ProgressReference,
    /// Zone bounds [commit, target, stretch], when zones are configured.
    pub zones: Option<[f64; 3]>,
}

impl PaceContext {
    /// The same, with progress as of `day` (and today no later than it).
    pub fn as_of(&self, day: NaiveDate) -> PaceContext {
        PaceContext {
            today: self.today.min(day),
            until: Some(self.until.map_or(day, |u| u.min(day))),
            ..*self
        }
    }
}

/// Every goal's state, computed once over the whole alignment tree.
pub struct PlanIndex {
    states: Vec<GoalState>,
    by_id: HashMap<i64, usize>,
    children: Vec<Vec<usize>>,
}

impl PlanIndex {
    /// Build the index from the store.
    pub fn load(s: &dyn Session, pace: &PaceContext) -> Result<PlanIndex> {
        Self::load_from(s, pace, None)
    }

    /// Build the index of the goals `roots` and their descendants only (all
    /// a roll-up of those goals needs): a report on one team or person reads
    /// its own goals, not the organisation's.
    pub fn load_for(s: &dyn Session, pace: &PaceContext, roots: &[i64]) -> Result<PlanIndex> {
        Self::load_from(s, pace, Some(roots))
    }

    fn load_from(s: &dyn Session, pace: &PaceContext, roots: Option<&[i64]>) -> Result<PlanIndex> {
        let (goals, measures) = match roots {
            None => (s.all_goals()?, s.all_measures()?),
            Some(roots) => {
                let goals = s.goals_with_descendants(roots)?;
                let ids: Vec<i64> = goals.iter().map(|g| g.id).collect();
                let measures = s.measures_of_goals(&ids)?;
                (goals, measures)
            }
        };
        let ids: Option<Vec<i64>> = roots.map(|_| goals.iter().map(|g| g.id).collect());
        let ids = ids.as_deref();
        let recent = s.recent_points(domain::pace::FORECAST_WINDOW_DAYS, ids, pace.until)?;
        let latest: HashMap<i64, (NaiveDate, f64)> = recent
            .iter()
            .filter_map(|(id, points)| points.last().map(|p| (*id, *p)))
            .collect();
        let mut index = Self::build(goals, measures, &latest, pace);
        let last = s.last_checkin_by_goal(ids)?;
        let reported = s.last_status_by_goal(ids)?;
        for state in &mut index.states {
            state.last_checkin = last.get(&state.goal.id).copied();
            state.checkin_age_days = state.last_checkin.map(|d| (pace.today - d).num_days());
            state.reported = reported.get(&state.goal.id).cloned();
            for m in &mut state.measures {
                let since = state.goal.start.unwrap_or(NaiveDate::MIN);
                m.points = recent
                    .get(&m.measure.id)
                    .map(|p| p.iter().copied().filter(|(d, _)| *d >= since).collect())
                    .unwrap_or_default();
                if let Some(due) = state.goal.due {
                    m.forecast = domain::pace::forecast(&m.points, due);
                }
            }
        }
        Ok(index)
    }

    /// Build the index from loaded rows (pure).
    pub fn build(
        goals: Vec<Goal>,
        measures: Vec<Measure>,
        latest: &HashMap<i64, (NaiveDate, f64)>,
        pace: &PaceContext,
    ) -> PlanIndex {
        let by_id: HashMap<i64, usize> = goals.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        let by_key: HashMap<&str, usize> = goals
            .iter()
            .enumerate()
            .map(|(i, g)| (g.key.as_str(), i))
            .collect();
        let mut own: Vec<Vec<MeasureState>> = vec![Vec::new(); goals.len()];
        for m in measures {
            let Some(&gi) = by_id.get(&m.goal_id) else {
                continue;
            };
            let value = latest.get(&m.id).copied();
            let spec = m.spec();
            let current = value.map(|(_, v)| v);
            let progress =
                domain::progress_with(&spec.measured_to(pace.reference), current, pace.flat_target);
            own[gi].push(MeasureState {
                progress,
                zone: pace
                    .zones
                    .and_then(|b| domain::zone(&spec, pace.reference, &progress, b)),
                standard: domain::standard(&spec, current),
                forecast: None,
                points: Vec::new(),
                current,
                as_of: value.map(|(d, _)| d),
                measure: m,
            });
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); goals.len()];
        for (i, g) in goals.iter().enumerate() {
            if let Some(p) = g.parent.as_deref().and_then(|k| by_key.get(k)) {
                children[*p].push(i);
            }
        }
        let nodes: Vec<GoalNode> = goals
            .iter()
            .enumerate()
            .map(|(i, g)| GoalNode {
                id: g.id,
                weight: g.weight,
                status: g.status,
                measures: {
                    let mut m: Vec<(f64, f64)> = own[i]
                        .iter()
                        .map(|m| (m.measure.weight, m.progress.scored))
                        .collect();
                    // Nothing to measure and nothing to roll up: 0 under the
                    // `zero` rule (a measure of weight 1 at 0 says exactly that).
                    let live = children[i]
                        .iter()
                        .any(|&c| goals[c].status != GoalStatus::Dropped);
                    if m.is_empty()
                        && !live
                        && domain::goal_progress_with(&[], &[], pace.empty_goal).is_some()
                    {
                        m.push((1.0, 0.0));
                    }
                    m
                },
                children: children[i].clone(),
            })
            .collect();
        let rolled = domain::rollup_tree(&nodes);
        let states = goals
            .into_iter()
            .zip(own)
            .zip(rolled)
            .enumerate()
            .map(|(i, ((goal, measures), progress))| {
                // Nothing reported yet is not "below": the standard needs a value.
                let reported = measures.is_empty() || measures.iter().any(|m| m.progress.has_value);
                // Pace is judged for active goals only: closed and draft goals are not "behind".
                let judged = if goal.status == GoalStatus::Active {
                    progress
                } else {
                    None
                };
                let pace = domain::pace::goal_pace(
                    judged,
                    goal.start,
                    goal.due,
                    pace.today,
                    &pace.thresholds,
                );
                GoalState {
                    goal,
                    measures,
                    progress,
                    standard: if reported {
                        domain::goal_standard(progress)
                    } else {
                        None
                    },
                    children: children[i].len(),
                    expected: pace.map(|(e, _)| e),
                    pace: pace.map(|(_, p)| p),
                    reported: None,
                    last_checkin: None,
                    checkin_age_days: None,
                }
            })
            .collect();
        PlanIndex {
            states,
            by_id,
            children,
        }
    }

    /// Every goal's state, by id.
    pub fn goals(&self) -> impl Iterator<Item = &GoalState> {
        self.states.iter()
    }

    /// One goal's state.
    pub fn get(&self, id: i64) -> Option<&GoalState> {
        self.by_id.get(&id).map(|&i| &self.states[i])
    }

    /// The goals aligned directly to a goal.
    pub fn children_of(&self, id: i64) -> Vec<&GoalState> {
        self.by_id
            .get(&id)
            .map(|&i| self.children[i].iter().map(|&c| &self.states[c]).collect())
            .unwrap_or_default()
    }

    /// The alignment tree as rows in display order (depth first). With
    /// `root`, only that goal and everything below it; otherwise every goal
    /// whose parent is absent. `keep` decides which goals appear.
    pub fn tree(&self, root: Option<i64>, keep: &dyn Fn(&Goal) -> bool) -> Vec<TreeRow<'_>> {
        let mut out = Vec::new();
        let roots: Vec<usize> = match root.and_then(|id| self.by_id.get(&id)) {
            Some(&i) => vec![i],
            None if root.is_some() => Vec::new(),
            None => (0..self.states.len())
                .filter(|&i| {
                    let g = &self.states[i].goal;
                    g.parent.is_none()
                        || !self
                            .states
                            .iter()
                            .any(|s| Some(&s.goal.key) == g.parent.as_ref() && keep(&s.goal))
                })
                .collect(),
        };
        let mut seen = vec![false; self.states.len()];
        let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|i| (i, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            if seen[i] {
                continue;
            }
            seen[i] = true;
            let state = &self.states[i];
            if !keep(&state.goal) {
                continue;
            }
            out.push(TreeRow { depth, state });
            for &c in self.children[i].iter().rev() {
                stack.push((c, depth + 1));
            }
        }
        out
    }
}

/// One row of the alignment tree.
#[derive(Debug, Clone, Serialize)]
pub struct TreeRow<'a> {
    /// How deep below its root.
    pub depth: usize,
    /// The goal.
    pub state: &'a GoalState,
}

/// Goals matching a filter, with their state.
pub fn goal_list(
    s: &dyn Session,
    filter: &GoalFilter,
    pace: &PaceContext,
) -> Result<Vec<GoalState>> {
    let goals = list_goals(s, filter)?;
    if goals.is_empty() {
        return Ok(Vec::new());
    }
    let index = PlanIndex::load(s, pace)?;
    Ok(goals
        .iter()
        .filter_map(|g| index.get(g.id).cloned())
        .collect())
}

/// Whether a goal counts as open work (draft or active).
pub fn is_open(status: GoalStatus) -> bool {
    !status.is_closed()
}

/// `plan show`: a goal's state and the goals aligned directly to it.
pub fn goal_view(
    s: &dyn Session,
    pace: &PaceContext,
    reference: &str,
) -> Result<(GoalState, Vec<GoalState>)> {
    let g = crate::app::plan::get_goal(s, reference)?;
    let index = PlanIndex::load(s, pace)?;
    let Some(state) = index.get(g.id) else {
        return Err(crate::error::Error::not_found("goal", reference));
    };
    let children = index.children_of(g.id).into_iter().cloned().collect();
    Ok((state.clone(), children))
}

/// The alignment tree of `plan tree`: from a goal (or every root), showing
/// the goals a filter keeps.
pub struct PlanTree {
    index: PlanIndex,
    root: Option<i64>,
    keep: std::collections::HashSet<i64>,
}

impl PlanTree {
    /// The rows in display order.
    pub fn rows(&self) -> Vec<TreeRow<'_>> {
        self.index.tree(self.root, &|g| self.keep.contains(&g.id))
    }
}

/// Build the tree of `plan tree`.
pub fn plan_tree(
    s: &dyn Session,
    pace: &PaceContext,
    root: Option<i64>,
    filter: &GoalFilter,
) -> Result<PlanTree> {
    let keep = list_goals(s, filter)?.into_iter().map(|g| g.id).collect();
    let index = PlanIndex::load(s, pace)?;
    Ok(PlanTree { index, root, keep })
}
