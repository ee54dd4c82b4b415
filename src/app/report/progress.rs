//! Progress reports: every measure against its target and pace (`report
//! goals`), the largest gaps between desired and actual results (`report
//! gaps`), and one goal's values over time (`report trend`).

use super::plan::{GoalState, MeasureState, PaceContext, PlanIndex};
use crate::app::plan::{GoalFilter, list_goals};
use crate::domain::goal::Goal;
use crate::domain::{self, PaceStatus};
use crate::error::Result;
use crate::store::Session;
use chrono::NaiveDate;

/// One measure of a goal, with where it stands.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MeasureLine {
    /// The goal's state.
    pub goal: GoalState,
    /// The measure's state.
    pub measure: MeasureState,
    /// The values of the forecast window this period with their days, oldest
    /// first (for the trend).
    pub points: Vec<(NaiveDate, f64)>,
    /// The value expected by today on the straight line from baseline to target.
    pub expected_value: Option<f64>,
}

impl MeasureLine {
    /// The values this period, oldest first.
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|(_, v)| *v).collect()
    }

    /// How far progress is behind what is expected by today, in percentage
    /// points (negative when ahead).
    pub fn gap_points(&self) -> Option<f64> {
        self.goal
            .expected
            .map(|e| (e - self.measure.progress.scored) * 100.0)
    }

    /// The measure's own pace against the goal's expected progress.
    pub fn pace(&self, ctx: &PaceContext) -> Option<PaceStatus> {
        self.goal
            .expected
            .map(|e| domain::pace::pace(self.measure.progress.scored, e, &ctx.thresholds))
    }
}

fn expected_value(m: &MeasureState, expected: Option<f64>) -> Option<f64> {
    expected.map(|e| m.measure.baseline + (m.measure.target - m.measure.baseline) * e)
}

/// Every measure of the goals that match the filter, in goal order.
pub fn measure_lines(
    s: &dyn Session,
    filter: &GoalFilter,
    pace: &PaceContext,
) -> Result<Vec<MeasureLine>> {
    let (goals, index) = goals_and_index(s, filter, pace)?;
    Ok(lines_of(&goals, &index, filter.limit))
}

/// The goals that match the filter (its limit aside), in id order, with a
/// plan index that holds them: only theirs when the filter narrows the
/// goals, every goal otherwise.
pub fn goals_and_index(
    s: &dyn Session,
    filter: &GoalFilter,
    pace: &PaceContext,
) -> Result<(Vec<Goal>, PlanIndex)> {
    let narrowed = filter.owner.is_some() || filter.team.is_some() || filter.period.is_some();
    if narrowed {
        let goals = list_goals(
            s,
            &GoalFilter {
                limit: None,
                ..filter.clone()
            },
        )?;
        let ids: Vec<i64> = goals.iter().map(|g| g.id).collect();
        let index = PlanIndex::load_for(s, pace, &ids)?;
        Ok((goals, index))
    } else {
        // Every goal is in the index already: filter its list by status
        // (the one filter left) instead of reading the goals twice.
        let index = PlanIndex::load(s, pace)?;
        let goals = index
            .goals()
            .map(|s| &s.goal)
            .filter(|g| {
                if filter.statuses.is_empty() {
                    g.status != crate::domain::GoalStatus::Dropped
                } else {
                    filter.statuses.contains(&g.status)
                }
            })
            .cloned()
            .collect();
        Ok((goals, index))
    }
}

/// The measure lines of `goals` as `index` sees them, at most `limit`.
pub fn lines_of(goals: &[Goal], index: &PlanIndex, limit: Option<usize>) -> Vec<MeasureLine> {
    let mut out = Vec::new();
    for g in goals {
        let Some(state) = index.get(g.id) else {
            continue;
        };
        for m in &state.measures {
            out.push(MeasureLine {
                expected_value: expected_value(m, state.expected),
                measure: m.clone(),
                points: m.points.clone(),
                goal: GoalState {
                    measures: Vec::new(),
                    ..state.clone()
                },
            });
        }
        if let Some(l) = limit.filter(|l| out.len() >= *l) {
            out.truncate(l);
            break;
        }
    }
    out
}

/// The measures of active goals behind their expected progress, largest gap first.
pub fn gaps(s: &dyn Session, filter: &GoalFilter, pace: &PaceContext) -> Result<Vec<MeasureLine>> {
    let limit = filter.limit;
    let mut lines: Vec<MeasureLine> = measure_lines(
        s,
        &GoalFilter {
            limit: None,
            ..filter.clone()
        },
        pace,
    )?
    .into_iter()
    .filter(|l| l.goal.goal.status == crate::domain::GoalStatus::Active)
    .filter(|l| l.gap_points().is_some_and(|g| g > 0.0))
    .collect();
    lines.sort_by(|a, b| {
        b.gap_points()
            .unwrap_or(0.0)
            .total_cmp(&a.gap_points().unwrap_or(0.0))
    });
    if let Some(l) = limit {
        lines.truncate(l);
    }
    Ok(lines)
}

/// One point of a measure's trend.
#[derive(Debug, Clone)]
pub struct TrendPoint {
    /// The measure's name.
    pub measure: String,
    /// The day.
    pub date: NaiveDate,
    /// The value recorded.
    pub value: f64,
    /// The value expected on that day on the pace line.
    pub expected: Option<f64>,
    /// The target.
    pub target: f64,
    /// Progress at that value (unclamped).
    pub progress: f64,
}

/// A goal's trend: each measure's check-ins against its target and pace.
pub struct Trend {
    /// The goal.
    pub goal: GoalState,
    /// Each measure with its points (oldest first).
    pub measures: Vec<(MeasureState, Vec<TrendPoint>)>,
}

/// The trend of one goal, with check-ins in [since, until].
pub fn trend(
    s: &dyn Session,
    goal: &Goal,
    pace: &PaceContext,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<Trend> {
    let index = PlanIndex::load_for(s, pace, &[goal.id])?;
    let Some(state) = index.get(goal.id).cloned() else {
        return Err(crate::error::Error::not_found("goal", &goal.key));
    };
    let mut measures = Vec::new();
    for m in &state.measures {
        let spec = m.measure.spec();
        let points =
            s.history(m.measure.id, since)?
                .into_iter()
                .filter(|(d, _)| until.is_none_or(|u| *d <= u))
                .map(|(date, value)| TrendPoint {
                    measure: m.measure.name.clone(),
                    date,
                    value,
                    expected: match (state.goal.start, state.goal.due) {
                        (Some(s), Some(d)) => pace.thresholds.expected(s, d, date).map(|e| {
                            m.measure.baseline + (m.measure.target - m.measure.baseline) * e
                        }),
                        _ => None,
                    },
                    target: m.measure.target,
                    progress: domain::progress(&spec, Some(value)).raw,
                })
                .collect();
        measures.push((m.clone(), points));
    }
    Ok(Trend {
        goal: state,
        measures,
    })
}
