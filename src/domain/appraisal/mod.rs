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

mod rules;
mod scale;
mod score;
mod validate;

pub use rules::{
    CalibrationRule, MeritRow, Reward, check_calibration, root_goals, suggested_reward,
};

pub use score::{
    Appraisal, ComponentScore, GoalInput, Inputs, Rating, ReviewInput, appraise, goal_component,
    goal_level, review_score, summary_level,
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
