//! `report explain GOAL`: why a goal's progress and pace are what they are —
//! each measure's progress and the rule applied (with the conventions in
//! effect), the roll-up with its weights, the expected progress from the
//! dates and the pace with its thresholds. The rules are those of
//! docs/scoring.md; the numbers are the ones `report goals` shows.

use super::plan::{GoalState, MeasureState, PaceContext, PlanIndex};
use crate::domain::appraisal::show_number as n;
use crate::domain::goal::Goal;
use crate::domain::{self, EmptyGoal, FlatTarget, GoalStatus, PaceStatus, ProgressReference};
use crate::error::{Error, Result};
use crate::store::Session;
use chrono::NaiveDate;
use serde::Serialize;

/// One measure's progress, explained.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureTerm {
    /// The measure's name.
    pub name: String,
    /// increase or decrease.
    pub direction: String,
    /// Progress 0.
    pub baseline: f64,
    /// The target.
    pub target: f64,
    /// The stretch, if any.
    pub stretch: Option<f64>,
    /// What progress 1 stands for: target or stretch.
    pub reference: &'static str,
    /// The value of that reference.
    pub reference_value: f64,
    /// The latest value (none: nothing reported).
    pub current: Option<f64>,
    /// Its date.
    pub as_of: Option<NaiveDate>,
    /// The measure's weight in the goal.
    pub weight: f64,
    /// Unclamped progress (none without a value).
    pub raw: Option<f64>,
    /// Progress clamped to 0–1: what the roll-up counts.
    pub scored: f64,
    /// The rule applied, with the numbers.
    pub rule: String,
    /// The zone, when zones are configured.
    pub zone: Option<&'static str>,
}

/// One term of the goal's roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct RollupTerm {
    /// measure or child goal.
    pub kind: &'static str,
    /// The measure's name or the child goal's key.
    pub name: String,
    /// Its weight.
    pub weight: f64,
    /// Its progress (scored), none when it has none.
    pub progress: Option<f64>,
    /// Whether it counts in the weighted mean.
    pub counted: bool,
    /// Why it counts as it does.
    pub note: String,
}

/// A goal's progress and pace, explained.
#[derive(Debug, Clone, Serialize)]
pub struct GoalExplanation {
    /// The goal.
    pub goal: Goal,
    /// The day the explanation is for.
    pub today: NaiveDate,
    /// Each measure's progress.
    pub measures: Vec<MeasureTerm>,
    /// The roll-up's rule in words.
    pub rollup_rule: String,
    /// The roll-up's terms.
    pub terms: Vec<RollupTerm>,
    /// The roll-up with the numbers substituted.
    pub computation: Option<String>,
    /// The goal's progress (0–1), none when nothing can be computed.
    pub progress: Option<f64>,
    /// The expected-progress rule, with the numbers.
    pub expected_rule: String,
    /// Expected progress by today (0–1).
    pub expected: Option<f64>,
    /// The pace rule: basis, thresholds, inclusivity.
    pub pace_rule: String,
    /// The gap with its numbers, when pace is judged.
    pub gap_computation: Option<String>,
    /// The gap (points, or % of the expected progress under the ratio basis).
    pub gap: Option<f64>,
    /// The pace.
    pub pace: Option<PaceStatus>,
    /// Why the pace is what it is (or why there is none).
    pub pace_note: String,
}

/// `report explain GOAL`.
pub fn explain_goal(s: &dyn Session, pace: &PaceContext, goal: &str) -> Result<GoalExplanation> {
    let g = crate::app::plan::get_goal(s, goal)?;
    let index = PlanIndex::load_for(s, pace, &[g.id])?;
    let Some(state) = index.get(g.id) else {
        return Err(Error::not_found("goal", &g.key));
    };
    let children = index.children_of(g.id);
    Ok(explain_state(state, &children, pace))
}

fn measure_term(m: &MeasureState, pace: &PaceContext) -> MeasureTerm {
    let spec = m.measure.spec();
    let reference = pace.reference;
    let rv = spec.reference_value(reference);
    let to = match (reference, spec.stretch) {
        (ProgressReference::Stretch, Some(_)) => "stretch",
        _ => "target",
    };
    let p = m.progress;
    let mut rule = match m.current {
        None => "no value reported yet: progress 0".to_string(),
        Some(v) if rv == spec.baseline => match pace.flat_target {
            FlatTarget::AllOrNothing => format!(
                "{to} equals baseline ({}): all or nothing in the measure's direction ({}): {} → {}",
                n(rv),
                spec.direction,
                n(v),
                n(p.raw)
            ),
            other => format!(
                "{to} equals baseline ({}): progress.start_equals_target = {} → {}",
                n(rv),
                other.as_str(),
                n(p.raw)
            ),
        },
        Some(v) => format!(
            "(current − baseline) / ({to} − baseline) = ({} − {}) / ({} − {}) = {}",
            n(v),
            n(spec.baseline),
            n(rv),
            n(spec.baseline),
            n(p.raw)
        ),
    };
    if to == "stretch" {
        rule.push_str("; measured to the stretch (progress.reference = stretch)");
    }
    if p.has_value && p.scored != p.raw {
        rule.push_str(&format!("; clamped to 0–1: {}", n(p.scored)));
    }
    if let Some(z) = m.zone {
        if let Some(b) = pace.zones {
            rule.push_str(&format!(
                "; zone {} (bounds {}, {}, {} of the way)",
                z.as_str(),
                n(b[0]),
                n(b[1]),
                n(b[2])
            ));
        }
    } else if pace.zones.is_some() {
        rule.push_str(if p.has_value {
            "; no zone: the baseline equals the reference"
        } else {
            "; no zone without a value"
        });
    }
    MeasureTerm {
        name: m.measure.name.clone(),
        direction: spec.direction.to_string(),
        baseline: spec.baseline,
        target: spec.target,
        stretch: spec.stretch,
        reference: to,
        reference_value: rv,
        current: m.current,
        as_of: m.as_of,
        weight: m.measure.weight,
        raw: p.has_value.then_some(p.raw),
        scored: p.scored,
        rule,
        zone: m.zone.map(|z| z.as_str()),
    }
}

/// The explanation of `state` (a goal in an index) with its child goals.
pub fn explain_state(
    state: &GoalState,
    children: &[&GoalState],
    pace: &PaceContext,
) -> GoalExplanation {
    let measures: Vec<MeasureTerm> = state
        .measures
        .iter()
        .map(|m| measure_term(m, pace))
        .collect();
    let mut terms = Vec::new();
    let rollup_rule;
    if !measures.is_empty() {
        rollup_rule = "the weighted mean of the measures' scored progress (child goals are not counted: the goal has measures of its own)".to_string();
        for m in &measures {
            terms.push(RollupTerm {
                kind: "measure",
                name: m.name.clone(),
                weight: m.weight,
                progress: Some(m.scored),
                counted: true,
                note: if m.raw.is_none() {
                    "no value yet: counts as 0".into()
                } else {
                    String::new()
                },
            });
        }
    } else if children
        .iter()
        .any(|c| c.goal.status != GoalStatus::Dropped)
    {
        rollup_rule =
            "the weighted mean of the child goals' progress, by goal weight; dropped children and children without progress are left out".to_string();
        for c in children {
            let (counted, note) = if c.goal.status == GoalStatus::Dropped {
                (false, "dropped: left out")
            } else if c.progress.is_none() {
                (false, "no progress: left out")
            } else {
                (true, "")
            };
            terms.push(RollupTerm {
                kind: "child goal",
                name: c.goal.key.clone(),
                weight: c.goal.weight,
                progress: c.progress,
                counted,
                note: note.into(),
            });
        }
    } else {
        rollup_rule = match pace.empty_goal {
            EmptyGoal::None => {
                "no measures and no child goals to roll up: no progress (progress.empty_goal = none)"
                    .to_string()
            }
            EmptyGoal::Zero => {
                "no measures and no child goals to roll up: 0 (progress.empty_goal = zero)"
                    .to_string()
            }
        };
    }
    let counted: Vec<(f64, f64)> = terms
        .iter()
        .filter(|t| t.counted)
        .filter_map(|t| t.progress.map(|p| (t.weight, p)))
        .collect();
    let computation = (!counted.is_empty()).then(|| {
        let total: f64 = counted.iter().map(|(w, _)| w).sum();
        let sum = counted
            .iter()
            .map(|(w, p)| format!("{}×{}", n(*w), n(*p)))
            .collect::<Vec<_>>()
            .join(" + ");
        format!(
            "({sum}) / {} = {}",
            n(total),
            state.progress.map_or("none".into(), n)
        )
    });

    let th = &pace.thresholds;
    let today = pace.today;
    let (expected, expected_rule) = match (state.goal.start, state.goal.due) {
        (Some(start), Some(due)) if due < start => (
            None,
            format!("due {due} before start {start}: no expected progress"),
        ),
        (Some(start), Some(due)) => {
            let e = th.expected(start, due, today);
            let span = (due - start).num_days();
            let elapsed = (today - start).num_days();
            let value = e.map_or("none".into(), n);
            let text = if span == 0 {
                format!("a one-day period ({start}): 0 before the day, 1 on it and after → {value}")
            } else if th.inclusive_days {
                format!(
                    "days counted inclusively (pace.inclusive_days): (today − start + 1) / (due − start + 1) = ({} + 1) / ({} + 1), 0 on or before the start day, clamped to 0–1 → {value}",
                    elapsed, span
                )
            } else {
                format!(
                    "(today − start) / (due − start) in days = {elapsed} / {span}, clamped to 0–1 → {value}"
                )
            };
            (e, format!("from {start} to {due}, on {today}: {text}"))
        }
        _ => (
            None,
            "no expected progress: the goal needs both a start and a due date".to_string(),
        ),
    };
    let basis = match th.basis {
        domain::PaceBasis::Points => "points",
        domain::PaceBasis::Ratio => "ratio",
    };
    let pace_rule = format!(
        "{}; basis {basis}{}",
        th.describe(),
        if th.inclusive {
            ", a gap exactly at a threshold keeps the better status (pace.inclusive)"
        } else {
            ", a gap exactly at a threshold is the worse status"
        }
    );
    let judged = state.goal.status == GoalStatus::Active;
    let (gap, gap_computation, pace_note) = match (judged, state.progress, expected) {
        (false, _, _) => (
            None,
            None,
            format!(
                "pace is judged for active goals only (this goal is {})",
                state.goal.status
            ),
        ),
        (true, None, _) => (None, None, "no progress: no pace".to_string()),
        (true, Some(_), None) => (None, None, "no expected progress: no pace".to_string()),
        (true, Some(p), Some(e)) => {
            let gap = th.gap(p, e);
            let text = match th.basis {
                domain::PaceBasis::Points => format!(
                    "(expected − progress) × 100 = ({} − {}) × 100 = {} points behind",
                    n(e),
                    n(p),
                    n(gap)
                ),
                domain::PaceBasis::Ratio => format!(
                    "(1 − progress / expected) × 100 = (1 − {} / {}) × 100 = {} % short",
                    n(p),
                    n(e),
                    n(gap)
                ),
            };
            let status = state.pace.map_or("none", |s| s.as_str());
            (Some(gap), Some(text), format!("gap {} → {status}", n(gap)))
        }
    };
    GoalExplanation {
        goal: state.goal.clone(),
        today,
        measures,
        rollup_rule,
        terms,
        computation,
        progress: state.progress,
        expected_rule,
        expected,
        pace_rule,
        gap_computation,
        gap,
        pace: state.pace,
        pace_note,
    }
}
