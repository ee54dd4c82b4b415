//! Appraisal: review templates (rating scale, competencies, component
//! weights, goal mapping, summary rule) and the score computed from goal
//! attainment and submitted reviews.
//!
//! Pure like the rest of the model: the caller passes in the template, the
//! subject's goals with their attainment and the submitted reviews, and gets
//! back every component, the final score and the summary level. Nothing here
//! panics or produces NaN, whatever the input: values that are not finite,
//! weights that are not positive and ratings that are not on the scale are
//! left out. The rules are documented in `docs/scoring.md` ("Appraisal
//! score") and the template file format in `docs/templates.md`.

mod explain;
mod formula;
mod rules;
mod scale;
mod score;
mod validate;

pub use rules::{
    CalibrationRule, MeritRow, Reward, check_calibration, root_goals, suggested_reward,
};

pub use explain::{ComponentTerm, Explanation, GoalLine, explain};
pub use formula::{FUNCTIONS, Formula, FormulaError, variables as formula_variables};
pub use score::{
    Appraisal, ComponentScore, GoalInput, GoalTerm, Inputs, Rating, ReviewInput, appraise,
    goal_component, goal_level, goal_terms, review_score, summary_level,
};
pub use validate::{Place, Problem, WEIGHT_TOLERANCE, is_valid_key};

use crate::domain::types::Component;

/// Values closer than this are the same rating or threshold (guards against
/// binary rounding such as 0.1 + 0.2).
pub(crate) const EPSILON: f64 = 1e-9;

/// One level of a rating scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The level's value (what the scores are computed with).
    pub value: f64,
    /// What the level is called ("Meets expectations").
    pub label: String,
}

/// A rating scale: levels ascending by value, with distinct values and
/// labels, and whether a rating may fall halfway between two adjacent levels.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// The levels, ascending by value.
    pub levels: Vec<Level>,
    /// Whether midpoints between adjacent levels are ratings too.
    pub half_steps: bool,
    /// Whether any value from the lowest level to the highest is a rating
    /// (Frappe's manual goal scores on 0–5); the levels still name them.
    pub continuous: bool,
}

/// A competency (or, in OPM terms, a performance element) rated in reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Competency {
    /// The stable key used in `--rate KEY=LEVEL`.
    pub key: String,
    /// The display name.
    pub name: String,
    /// What the competency means, shown when rating it.
    pub description: Option<String>,
    /// Whether the competency is critical (OPM: a critical element).
    pub critical: bool,
    /// Its weight among the competencies; all weights add up to 100.
    pub weight: f64,
}

/// The weight of each score component, in percent; they add up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ComponentWeights {
    /// Goal attainment.
    pub goals: f64,
    /// The self review.
    pub self_review: f64,
    /// The manager review.
    pub manager: f64,
    /// The peer reviews.
    pub peer: f64,
    /// The upward reviews.
    pub upward: f64,
    /// The manager review's competency ratings.
    pub competencies: f64,
}

impl ComponentWeights {
    /// The weight of one component.
    pub fn get(&self, c: Component) -> f64 {
        match c {
            Component::Goals => self.goals,
            Component::SelfReview => self.self_review,
            Component::Manager => self.manager,
            Component::Peer => self.peer,
            Component::Upward => self.upward,
            Component::Competencies => self.competencies,
        }
    }

    /// The sum of all weights.
    pub fn total(&self) -> f64 {
        Component::ALL.iter().map(|&c| self.get(c)).sum()
    }
}

/// How a goal's attainment (its scored progress, 0–1) maps onto the scale.
#[derive(Debug, Clone, PartialEq)]
pub enum GoalMapping {
    /// Attainment 0 is the scale's minimum, 1 its maximum, linear between.
    Linear,
    /// `(attainment, level value)` pairs ascending by both; the highest
    /// threshold whose attainment is at or below the goal's gives its value.
    /// The first threshold's attainment is 0.
    Thresholds(Vec<(f64, f64)>),
}

/// How the final score becomes a summary level.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRule {
    /// `(minimum score, level value)` pairs ascending by both; a score gets
    /// the level of the highest threshold at or below it (a score below the
    /// first gets the first's level). The first minimum is at or below the
    /// scale's minimum.
    pub thresholds: Vec<(f64, f64)>,
    /// The OPM rule (5 CFR 430.208): the summary is the lowest level if and
    /// only if a critical competency is rated at the lowest level in the
    /// manager's review; otherwise it is never the lowest level (it is
    /// raised to the second level when the thresholds would give the lowest).
    pub critical_elements: bool,
}

impl SummaryRule {
    /// Thresholds that round a score to the nearest level (halves up): the
    /// first level from the scale's minimum, each next one from the midpoint
    /// between it and the level below. The default when a template gives none.
    pub fn nearest(scale: &Scale) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(scale.levels.len());
        for (i, level) in scale.levels.iter().enumerate() {
            let min = match i.checked_sub(1).and_then(|p| scale.levels.get(p)) {
                Some(below) => (below.value + level.value) / 2.0,
                None => level.value,
            };
            out.push((min, level.value));
        }
        out
    }
}

/// A review template: everything needed to rate and score an appraisal.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The template's name.
    pub name: String,
    /// The rating scale.
    pub scale: Scale,
    /// The competencies rated in reviews (may be empty).
    pub competencies: Vec<Competency>,
    /// The weight of each component in the final score.
    pub weights: ComponentWeights,
    /// How a missing component counts.
    pub missing: crate::domain::types::MissingRule,
    /// How goal attainment maps onto the scale.
    pub goals: GoalMapping,
    /// How the final score becomes a summary level.
    pub summary: SummaryRule,
    /// How many peer (and upward) reviews must be submitted before their
    /// mean counts (and is shown); default 3.
    pub anonymity_threshold: u32,
    /// What calibration may do (`[calibration]`).
    pub calibration: CalibrationRule,
    /// The merit matrix (`[[merit]]`): final level (and potential) → the
    /// suggested raise and bonus; empty: no rewards are suggested.
    pub merit: Vec<MeritRow>,
    /// Conventions a template may opt into (formula, rounding steps, goals
    /// without progress, performance bands); the defaults change nothing.
    pub conventions: Conventions,
}

/// How a goal without any progress data counts in the goals component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoProgress {
    /// Left out (the default): nothing to score.
    #[default]
    LeaveOut,
    /// Counted as attainment 0 with its weight (Frappe: a key result area
    /// without goals scores 0).
    Zero,
}

/// Rounding steps, each a number of decimals (none: not rounded). Rounding
/// is half away from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rounding {
    /// A goal's completion, in percent (Frappe: 2).
    pub goal_completion: Option<u32>,
    /// A goal's points: its completion × its share of the goal weights, in
    /// percent of the goals component (Frappe: 2).
    pub goal_score: Option<u32>,
    /// Every component's value (Frappe: 3).
    pub components: Option<u32>,
    /// The final score (Frappe: 3).
    pub score: Option<u32>,
    /// Weight totals are checked after rounding to this many decimals
    /// (Frappe: 2, so 99.996 is 100.00); none: within 0.001 of 100.
    pub weights: Option<u32>,
}

/// One performance band of a 9-box (`[[band]]`): a score at or above `min`
/// (and below the next band) is in it, whatever the summary level.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// The lowest score in the band.
    pub min: f64,
    /// low, medium or high.
    pub name: String,
}

/// Conventions a template may opt into.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conventions {
    /// The final score as a formula of the components (`[score] formula`);
    /// none: the weighted mean.
    pub formula: Option<Formula>,
    /// Rounding steps (`[rounding]`).
    pub rounding: Rounding,
    /// How a goal without progress counts (`[goals] without_progress`).
    pub goal_without_progress: NoProgress,
    /// Performance bands for the 9-box (`[[band]]`), ascending by `min`;
    /// empty: the box follows the summary level.
    pub bands: Vec<Band>,
}

/// Round `v` to `decimals` decimals, half away from zero (a value that is
/// a half on paper but a hair below in binary rounds up too).
pub fn round_to(v: f64, decimals: u32) -> f64 {
    let p = 10f64.powi(i32::try_from(decimals.min(12)).unwrap_or(12));
    let x = v * p;
    let r = (x + x.signum() * 1e-7).round() / p;
    if r.is_finite() {
        if r == 0.0 { 0.0 } else { r }
    } else {
        v
    }
}

/// A number for explanations: at most 4 decimals, no trailing zeros.
pub fn show_number(v: f64) -> String {
    let s = format!("{:.4}", round_to(v, 4));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The 9-box performance column (0 low, 1 medium, 2 high) of a subject:
/// with `[[band]]`s, the band of the score (independent of how the summary
/// level rounds it; a band's name is its column); without, the final level
/// by thirds of the scale. `None` when the needed number is missing.
pub fn performance_column(
    t: &Template,
    score: Option<f64>,
    final_level: Option<f64>,
) -> Option<usize> {
    if !t.conventions.bands.is_empty() {
        let s = score?;
        let band = t
            .conventions
            .bands
            .iter()
            .rev()
            .find(|b| b.min <= s + EPSILON)
            .or_else(|| t.conventions.bands.first())?;
        return crate::domain::cycle::POTENTIALS
            .iter()
            .position(|p| *p == band.name);
    }
    let level = final_level?;
    let (lo, hi) = (t.scale.min(), t.scale.max());
    let third = (hi - lo) / 3.0;
    Some(if level < lo + third {
        0
    } else if level < lo + 2.0 * third {
        1
    } else {
        2
    })
}

/// Apply an optional rounding step.
pub(crate) fn maybe_round(v: f64, decimals: Option<u32>) -> f64 {
    decimals.map_or(v, |d| round_to(v, d))
}

/// The default anonymity threshold.
pub const DEFAULT_ANONYMITY_THRESHOLD: u32 = 3;

impl Template {
    /// Check every rule a template must follow (see `docs/templates.md`);
    /// the first problem found is the error.
    pub fn validate(&self) -> crate::error::Result<()> {
        match self.find_problem() {
            None => Ok(()),
            Some(p) => Err(p.error),
        }
    }

    /// The weight of a competency, or `None` when `item` is not one.
    pub fn item_weight(&self, item: &str) -> Option<f64> {
        self.competency(item).map(|c| c.weight)
    }

    /// Whether `key` names a competency of this template.
    pub fn is_competency(&self, key: &str) -> bool {
        self.competency(key).is_some()
    }

    /// The competency with this key.
    pub fn competency(&self, key: &str) -> Option<&Competency> {
        self.competencies.iter().find(|c| c.key == key)
    }
}
