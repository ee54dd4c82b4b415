//! The appraisal score: components, the weighted final score, the summary
//! level and the OPM critical-element rule.

use super::{EPSILON, GoalMapping, NoProgress, Template, maybe_round};
use crate::domain::types::{Component, MissingRule, ReviewKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One of the subject's goals in the cycle's period.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalInput {
    /// The goal's key (what reviews rate it by).
    pub key: String,
    /// The goal's weight among the subject's goals.
    pub weight: f64,
    /// The goal's rolled-up scored progress, 0–1; `None` without data.
    pub attainment: Option<f64>,
}

/// One rating in a review.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// A goal key or a competency key.
    pub item: String,
    /// The rating, on the template's scale.
    pub value: f64,
}

/// A submitted review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewInput {
    /// Who wrote it.
    pub kind: ReviewKind,
    /// Its ratings.
    pub ratings: Vec<Rating>,
}

/// Everything an appraisal is computed from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inputs {
    /// The subject's goals, with their weights and attainment.
    pub goals: Vec<GoalInput>,
    /// The submitted reviews (drafts are not passed in).
    pub reviews: Vec<ReviewInput>,
}

/// One component of an appraisal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ComponentScore {
    /// Which component.
    pub component: Component,
    /// Its weight as configured, percent (a weight that is not a finite
    /// number of at least 0, possible only in an invalid template, reads 0).
    pub weight: f64,
    /// Its value on the scale; `None` when missing.
    pub value: Option<f64>,
    /// Its weight in the final score after re-normalisation or zero
    /// counting, percent (0 when it does not count).
    pub effective_weight: f64,
}

/// A computed appraisal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appraisal {
    /// Every component, in the order of [`Component::ALL`].
    pub components: Vec<ComponentScore>,
    /// The final score; `None` when no weighted component has a value.
    pub score: Option<f64>,
    /// The summary level's value.
    pub level: Option<f64>,
    /// The summary level's label.
    pub label: Option<String>,
    /// The level the thresholds alone give, before the critical-element rule.
    pub threshold_level: Option<f64>,
    /// Whether a manager review rates a critical competency at the lowest
    /// level (it decides the level only when the template's
    /// `critical_elements` is on).
    pub critical_failure: bool,
    /// How many peer reviews were submitted.
    pub peer_count: usize,
    /// Whether they were enough to count (at least the anonymity threshold).
    pub peers_counted: bool,
    /// How many upward reviews were submitted.
    pub upward_count: usize,
    /// Whether they were enough to count (the same threshold).
    pub upward_counted: bool,
}

impl Appraisal {
    /// The score of one component.
    pub fn component(&self, c: Component) -> Option<&ComponentScore> {
        self.components.iter().find(|s| s.component == c)
    }
}

/// `Σ wᵢ·vᵢ / Σ wᵢ` over pairs with a finite weight above 0 and a finite
/// value; `None` when there are none or the result is not finite.
fn mean<I: IntoIterator<Item = (f64, f64)>>(items: I) -> Option<f64> {
    let (mut tw, mut ws) = (0.0, 0.0);
    for (w, v) in items {
        if w.is_finite() && w > 0.0 && v.is_finite() {
            tw += w;
            ws += w * v;
        }
    }
    let m = ws / tw;
    (tw > 0.0 && m.is_finite()).then_some(if m == 0.0 { 0.0 } else { m })
}

fn usable_weight(w: f64) -> f64 {
    if w.is_finite() && w > 0.0 { w } else { 0.0 }
}

/// A goal's attainment (clamped to 0–1) on the template's scale: linear
/// between the scale's minimum and maximum, or the level of the highest
/// threshold at or below it. `None` for an attainment that is not finite.
pub fn goal_level(t: &Template, attainment: f64) -> Option<f64> {
    if !attainment.is_finite() {
        return None;
    }
    let a = attainment.clamp(0.0, 1.0);
    let (lo, hi) = (t.scale.min(), t.scale.max());
    let v = match &t.goals {
        GoalMapping::Linear => lo + a * (hi - lo),
        GoalMapping::Thresholds(ths) => ths
            .iter()
            .rev()
            .find(|&&(min, _)| min <= a + EPSILON)
            .map_or(lo, |&(_, level)| level),
    };
    v.is_finite().then_some(v)
}

/// A goal's attainment as it counts: `None` without data (or, with
/// `without_progress = "zero"`, 0).
fn counted_attainment(t: &Template, g: &GoalInput) -> Option<f64> {
    match (g.attainment, t.conventions.goal_without_progress) {
        (Some(a), _) => Some(a),
        (None, NoProgress::Zero) => Some(0.0),
        (None, NoProgress::LeaveOut) => None,
    }
}

/// One goal's part of the goals component, for explanations.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalTerm {
    /// The goal's key.
    pub key: String,
    /// Its weight as given.
    pub weight: f64,
    /// Its attainment (0–1) as it counts; `None`: left out.
    pub attainment: Option<f64>,
    /// Its completion in percent after the rounding step (with rounding).
    pub completion: Option<f64>,
    /// Its value on the scale.
    pub level: Option<f64>,
    /// Its share of the goal weights, percent.
    pub share: f64,
    /// Its points (completion × share, rounded) when the template rounds.
    pub points: Option<f64>,
}

/// The terms of the goals component (see [`goal_component`]).
pub fn goal_terms(t: &Template, goals: &[GoalInput]) -> Vec<GoalTerm> {
    let counted: Vec<(usize, f64)> = goals
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let a = counted_attainment(t, g)?;
            (a.is_finite() && g.weight.is_finite() && g.weight > 0.0).then_some((i, a))
        })
        .collect();
    let total: f64 = counted.iter().map(|&(i, _)| goals[i].weight).sum();
    let r = t.conventions.rounding;
    let rounds = r.goal_completion.is_some() || r.goal_score.is_some();
    goals
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let a = counted.iter().find(|c| c.0 == i).map(|c| c.1);
            let share = if a.is_some() && total > 0.0 {
                g.weight * 100.0 / total
            } else {
                0.0
            };
            let completion = a.map(|a| maybe_round(a.clamp(0.0, 1.0) * 100.0, r.goal_completion));
            let level = match (rounds, completion, a) {
                (true, Some(c), _) => goal_level(t, c / 100.0),
                (_, _, Some(a)) => goal_level(t, a),
                _ => None,
            };
            let points = if rounds {
                completion.map(|c| maybe_round(c * share / 100.0, r.goal_score))
            } else {
                None
            };
            GoalTerm {
                key: g.key.clone(),
                weight: g.weight,
                attainment: a,
                completion: if rounds { completion } else { None },
                level,
                share,
                points,
            }
        })
        .collect()
}

/// The goals component: the mean of the goals' levels ([`goal_level`])
/// weighted by goal weight; goals without attainment are left out (or
/// count 0 with `without_progress = "zero"`).
///
/// With a rounding step for goals (`[rounding] goal_completion` or
/// `goal_score`), Frappe's arithmetic: each goal's completion in percent
/// (rounded), its points = completion × its share of the weights (rounded),
/// and the component is the sum of the points as a completion mapped onto
/// the scale (`Σ points / 100`, linear: × 5 on 0–5).
pub fn goal_component(t: &Template, goals: &[GoalInput]) -> Option<f64> {
    let r = t.conventions.rounding;
    if r.goal_completion.is_some() || r.goal_score.is_some() {
        let terms = goal_terms(t, goals);
        let points: Vec<f64> = terms.iter().filter_map(|g| g.points).collect();
        if points.is_empty() {
            return None;
        }
        let sum: f64 = points.iter().sum();
        return goal_level(t, sum / 100.0);
    }
    mean(goals.iter().filter_map(|g| {
        let level = goal_level(t, counted_attainment(t, g)?)?;
        Some((g.weight, level))
    }))
}

/// The weight of each rateable item: a competency weighs its competency
/// weight, a goal its weight × 100 / the sum of goal weights.
fn item_weights<'a>(t: &'a Template, goals: &'a [GoalInput]) -> HashMap<&'a str, f64> {
    let total: f64 = goals.iter().map(|g| usable_weight(g.weight)).sum();
    let mut out = HashMap::new();
    if total > 0.0 && total.is_finite() {
        for g in goals {
            out.insert(g.key.as_str(), usable_weight(g.weight) * 100.0 / total);
        }
    }
    // Competencies win over goals with the same key.
    for c in &t.competencies {
        out.insert(c.key.as_str(), usable_weight(c.weight));
    }
    out
}

/// The ratings of a review that count: on the scale, of a known item, the
/// last one for an item given twice.
fn ratings<'a>(
    t: &Template,
    weights: &HashMap<&str, f64>,
    review: &'a ReviewInput,
) -> Vec<(&'a str, f64)> {
    let mut out: Vec<(&str, f64)> = Vec::new();
    for r in &review.ratings {
        let Ok(v) = t.scale.check(r.value) else {
            continue;
        };
        if !weights.contains_key(r.item.as_str()) {
            continue;
        }
        match out.iter_mut().find(|(item, _)| *item == r.item) {
            Some(slot) => slot.1 = v,
            None => out.push((r.item.as_str(), v)),
        }
    }
    out
}

/// A review's score: the weighted mean of its ratings over the items it
/// rated (see [`appraise`] for the weights); `None` when it rated nothing
/// that counts.
pub fn review_score(t: &Template, goals: &[GoalInput], review: &ReviewInput) -> Option<f64> {
    let weights = item_weights(t, goals);
    review_score_with(t, &weights, review)
}

fn review_score_with(t: &Template, weights: &HashMap<&str, f64>, r: &ReviewInput) -> Option<f64> {
    mean(
        ratings(t, weights, r)
            .into_iter()
            .map(|(item, v)| (weights.get(item).copied().unwrap_or(0.0), v)),
    )
}

/// The summary level of a score: the level of the highest threshold at or
/// below it (the first threshold's level below them all). With the OPM
/// critical-element rule on, a critical failure gives the lowest level
/// (even without a score), and otherwise the lowest level is raised to the
/// second.
pub fn summary_level(t: &Template, score: Option<f64>, critical_failure: bool) -> Option<f64> {
    let level = summary_level_unchecked(t, score, critical_failure);
    level
        .filter(|l| l.is_finite())
        .map(|l| if l == 0.0 { 0.0 } else { l })
}

fn summary_level_unchecked(
    t: &Template,
    score: Option<f64>,
    critical_failure: bool,
) -> Option<f64> {
    let from_thresholds = score.and_then(|s| threshold_level(t, s));
    if !t.summary.critical_elements {
        return from_thresholds;
    }
    let lowest = t.scale.levels.first().map(|l| l.value);
    let second = t.scale.levels.get(1).map(|l| l.value);
    if critical_failure {
        return lowest.or(from_thresholds);
    }
    match (from_thresholds, lowest, second) {
        (Some(l), Some(lo), Some(sec)) if l <= lo + EPSILON => Some(sec),
        (l, _, _) => l,
    }
}

fn threshold_level(t: &Template, score: f64) -> Option<f64> {
    if !score.is_finite() {
        return None;
    }
    let ths = &t.summary.thresholds;
    ths.iter()
        .rev()
        .find(|&&(min, _)| min <= score + EPSILON)
        .or_else(|| ths.first())
        .map(|&(_, level)| level)
        .filter(|l| l.is_finite())
        .map(|l| if l == 0.0 { 0.0 } else { l })
}

/// The appraisal of one subject from a template and the inputs.
///
/// - **goals**: [`goal_component`].
/// - A **review's score** is the weighted mean of its ratings over the items
///   it rated: a competency weighs its competency weight; a goal weighs its
///   goal weight × 100 / the sum of the subject's goal weights, so goals and
///   competencies weigh on the same 0–100 footing. Ratings of unknown items
///   and ratings that are not on the scale are left out.
/// - **self**, **manager**: the score of the submitted review of that kind
///   (the mean, should there be several).
/// - **peer**, **upward**: the mean of the scores of the submitted reviews
///   of that kind, only when there are at least `anonymity_threshold` of
///   them; otherwise missing.
/// - **competencies**: the manager review's ratings of competencies only,
///   weighted by competency weight.
/// - **score**: with [`MissingRule::Renormalize`], the weighted mean over the
///   components that have a value (their weights re-normalised to add up to
///   100); with [`MissingRule::Zero`], a missing component counts as 0 with
///   its weight. Components of weight 0 never count. No weighted component
///   with a value: no score.
/// - **level**: [`summary_level`].
pub fn appraise(t: &Template, inputs: &Inputs) -> Appraisal {
    let weights = item_weights(t, &inputs.goals);
    let scores_of = |kind: ReviewKind| -> (usize, Vec<f64>) {
        let of_kind: Vec<&ReviewInput> = inputs.reviews.iter().filter(|r| r.kind == kind).collect();
        let scores = of_kind
            .iter()
            .filter_map(|r| review_score_with(t, &weights, r))
            .collect();
        (of_kind.len(), scores)
    };
    let plain_mean = |v: &[f64]| mean(v.iter().map(|&x| (1.0, x)));
    let threshold = usize::try_from(t.anonymity_threshold.max(1)).unwrap_or(usize::MAX);

    let (_, self_scores) = scores_of(ReviewKind::SelfReview);
    let (_, manager_scores) = scores_of(ReviewKind::Manager);
    let (peer_count, peer_scores) = scores_of(ReviewKind::Peer);
    let (upward_count, upward_scores) = scores_of(ReviewKind::Upward);
    let peers_counted = peer_count >= threshold;
    let upward_counted = upward_count >= threshold;

    let managers: Vec<&ReviewInput> = inputs
        .reviews
        .iter()
        .filter(|r| r.kind == ReviewKind::Manager)
        .collect();
    let lowest = t.scale.levels.first().map(|l| l.value);
    let mut critical_failure = false;
    let mut competency_scores = Vec::new();
    for r in &managers {
        let rated = ratings(t, &weights, r);
        let mut comp = Vec::new();
        for (item, v) in rated {
            if let Some(c) = t.competency(item) {
                comp.push((usable_weight(c.weight), v));
                if c.critical && lowest.is_some_and(|lo| v <= lo + EPSILON) {
                    critical_failure = true;
                }
            }
        }
        if let Some(s) = mean(comp) {
            competency_scores.push(s);
        }
    }

    let value_of = |c: Component| -> Option<f64> {
        match c {
            Component::Goals => goal_component(t, &inputs.goals),
            Component::SelfReview => plain_mean(&self_scores),
            Component::Manager => plain_mean(&manager_scores),
            Component::Peer => peers_counted.then(|| plain_mean(&peer_scores)).flatten(),
            Component::Upward => upward_counted.then(|| plain_mean(&upward_scores)).flatten(),
            Component::Competencies => plain_mean(&competency_scores),
        }
    };
    let rounding = t.conventions.rounding;
    let mut components: Vec<ComponentScore> = Component::ALL
        .iter()
        .map(|&c| ComponentScore {
            component: c,
            weight: usable_weight(t.weights.get(c)),
            value: value_of(c).map(|v| maybe_round(v, rounding.components)),
            effective_weight: 0.0,
        })
        .collect();

    let counts = |s: &ComponentScore| {
        usable_weight(s.weight) > 0.0
            && match t.missing {
                MissingRule::Renormalize => s.value.is_some(),
                MissingRule::Zero => true,
            }
    };
    let total: f64 = components
        .iter()
        .filter(|s| counts(s))
        .map(|s| s.weight)
        .sum();
    let any_value = components
        .iter()
        .any(|s| usable_weight(s.weight) > 0.0 && s.value.is_some());
    let mut score = None;
    if any_value && total > 0.0 && total.is_finite() {
        for s in components.iter_mut().filter(|s| counts(s)) {
            s.effective_weight = s.weight * 100.0 / total;
        }
        score = mean(
            components
                .iter()
                .filter(|s| s.effective_weight > 0.0)
                .map(|s| (s.effective_weight, s.value.unwrap_or(0.0))),
        );
        if let Some(f) = &t.conventions.formula {
            let values: Vec<(Component, Option<f64>)> =
                components.iter().map(|s| (s.component, s.value)).collect();
            score = f.eval(&values);
        }
        if score.is_none() {
            for s in &mut components {
                s.effective_weight = 0.0;
            }
        }
    }
    let score = score.map(|s| maybe_round(s, rounding.score));

    let threshold_level = score.and_then(|s| threshold_level(t, s));
    let level = summary_level(t, score, critical_failure);
    let label = level.and_then(|l| t.scale.label(l)).map(str::to_owned);
    Appraisal {
        components,
        score,
        level,
        label,
        threshold_level,
        critical_failure,
        peer_count,
        peers_counted,
        upward_count,
        upward_counted,
    }
}
