//! Why a score is what it is: the rule applied, each term with its value
//! and effective weight, the formula with the numbers substituted, the
//! rounding steps, and the summary rule that gave the level.
//!
//! An explanation is built from an [`Appraisal`] as it stands (computed
//! now, or as recorded when its cycle was finalized) and the goals'
//! attainment it was computed from; nothing here reads reviews again.

use super::{Appraisal, EPSILON, GoalInput, Template, goal_terms, maybe_round, show_number};
use crate::domain::types::{Component, MissingRule};

/// One component's term.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentTerm {
    /// Which component.
    pub component: Component,
    /// Its value (none: missing).
    pub value: Option<f64>,
    /// Its weight as configured, percent.
    pub weight: f64,
    /// Its share of the final score, percent.
    pub effective_weight: f64,
    /// Why it counts as it does ("left out: …", "counted as 0: …").
    pub note: Option<String>,
}

/// One goal's term in the goals component.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalLine {
    /// The goal's key.
    pub key: String,
    /// Its weight.
    pub weight: f64,
    /// Its attainment, 0–1 (none: no progress data).
    pub attainment: Option<f64>,
    /// Its value on the scale.
    pub level: Option<f64>,
    /// Its share of the goal weights, percent.
    pub share: f64,
    /// Its completion in percent after rounding (templates with rounding).
    pub completion: Option<f64>,
    /// Its points (templates with rounding).
    pub points: Option<f64>,
    /// Why it was left out or counted as 0.
    pub note: Option<String>,
}

/// Why an appraisal's score and level are what they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The rule that combines the components, in words.
    pub rule: String,
    /// The components.
    pub components: Vec<ComponentTerm>,
    /// The goals behind the goals component.
    pub goals: Vec<GoalLine>,
    /// The formula as written (templates with `[score] formula`).
    pub formula: Option<String>,
    /// The computation with the numbers substituted, and its result.
    pub computation: Option<String>,
    /// The rounding steps applied, in order.
    pub rounding: Vec<String>,
    /// The final score.
    pub score: Option<f64>,
    /// The level the summary thresholds give.
    pub threshold_level: Option<f64>,
    /// The summary level.
    pub level: Option<f64>,
    /// Its label.
    pub label: Option<String>,
    /// How the level was reached: the threshold, and any rule that
    /// overrode it (the OPM critical-element rule).
    pub summary: Vec<String>,
}

fn n(v: f64) -> String {
    show_number(v)
}

fn weighted_text(a: &Appraisal) -> Option<String> {
    let terms: Vec<&super::ComponentScore> = a
        .components
        .iter()
        .filter(|c| c.effective_weight > 0.0)
        .collect();
    if terms.is_empty() {
        return None;
    }
    let num: Vec<String> = terms
        .iter()
        .map(|c| format!("{} × {}", n(c.weight), n(c.value.unwrap_or(0.0))))
        .collect();
    let den: Vec<String> = terms.iter().map(|c| n(c.weight)).collect();
    let raw: f64 = terms
        .iter()
        .map(|c| c.weight * c.value.unwrap_or(0.0))
        .sum::<f64>()
        / terms.iter().map(|c| c.weight).sum::<f64>();
    Some(format!(
        "({}) / ({}) = {}",
        num.join(" + "),
        den.join(" + "),
        n(raw)
    ))
}

/// Explain an appraisal computed with template `t` from `goals`.
pub fn explain(t: &Template, a: &Appraisal, goals: &[GoalInput]) -> Explanation {
    let formula = t.conventions.formula.as_ref();
    let rule = match (formula, t.missing) {
        (Some(_), _) => "the template's formula of the components".to_string(),
        (None, MissingRule::Renormalize) => {
            "weighted mean of the components that have a value (missing ones left out, weights re-normalised)".to_string()
        }
        (None, MissingRule::Zero) => {
            "weighted mean of all weighted components, a missing one counting as 0".to_string()
        }
    };
    let components = a
        .components
        .iter()
        .map(|c| {
            let note = if c.weight <= 0.0 {
                Some("not weighted in this template".to_string())
            } else if c.value.is_none() {
                let why = match c.component {
                    Component::Peer if a.peer_count > 0 && !a.peers_counted => format!(
                        "{} peer review(s), fewer than the anonymity threshold of {}",
                        a.peer_count, t.anonymity_threshold
                    ),
                    Component::Upward if a.upward_count > 0 && !a.upward_counted => format!(
                        "{} upward review(s), fewer than the anonymity threshold of {}",
                        a.upward_count, t.anonymity_threshold
                    ),
                    Component::Goals => "no goal with progress data".to_string(),
                    _ => "no submitted review rates it".to_string(),
                };
                Some(match (formula, t.missing) {
                    (Some(_), _) => format!("missing ({why}): reads 0 in the formula"),
                    (None, MissingRule::Zero) => format!("missing ({why}): counted as 0"),
                    (None, MissingRule::Renormalize) => format!("missing ({why}): left out"),
                })
            } else {
                None
            };
            ComponentTerm {
                component: c.component,
                value: c.value,
                weight: c.weight,
                effective_weight: c.effective_weight,
                note,
            }
        })
        .collect();

    let goals = goal_terms(t, goals)
        .into_iter()
        .zip(goals)
        .map(|(g, input)| {
            let note = match (input.attainment, g.attainment) {
                (None, Some(_)) => {
                    Some("no progress data: counted as 0 (without_progress = \"zero\")".to_string())
                }
                (None, None) => Some("no progress data: left out".to_string()),
                _ if !(g.weight.is_finite() && g.weight > 0.0) => {
                    Some("weight is not above 0: left out".to_string())
                }
                _ => None,
            };
            GoalLine {
                key: g.key,
                weight: g.weight,
                attainment: g.attainment,
                level: g.level,
                share: g.share,
                completion: g.completion,
                points: g.points,
                note,
            }
        })
        .collect();

    let values: Vec<(Component, Option<f64>)> = a
        .components
        .iter()
        .map(|c| (c.component, c.value))
        .collect();
    let mut rounding = Vec::new();
    let r = t.conventions.rounding;
    if let Some(d) = r.goal_completion {
        rounding.push(format!("each goal's completion in percent to {d} decimals"));
    }
    if let Some(d) = r.goal_score {
        rounding.push(format!("each goal's points to {d} decimals"));
    }
    if let Some(d) = r.components {
        rounding.push(format!("each component to {d} decimals"));
    }
    let (computation, unrounded) = match formula {
        Some(f) => {
            let raw = if a.score.is_some() {
                f.eval(&values)
            } else {
                None
            };
            (
                Some(format!(
                    "{} = {}",
                    f.substituted(&values),
                    raw.map_or("none".to_string(), n)
                )),
                raw,
            )
        }
        None => {
            let raw = a.score.and(weighted_text(a));
            let value = a
                .components
                .iter()
                .filter(|c| c.effective_weight > 0.0)
                .map(|c| (c.effective_weight, c.value.unwrap_or(0.0)))
                .fold((0.0, 0.0), |(w, s), (cw, v)| (w + cw, s + cw * v));
            (raw, (value.0 > 0.0).then(|| value.1 / value.0))
        }
    };
    if let (Some(d), Some(raw)) = (r.score, unrounded) {
        rounding.push(format!(
            "the score {} to {d} decimals: {}",
            n(raw),
            n(maybe_round(raw, Some(d)))
        ));
    }

    let mut summary = Vec::new();
    match (a.score, a.threshold_level) {
        (Some(s), Some(l)) => {
            let min = t
                .summary
                .thresholds
                .iter()
                .rev()
                .find(|&&(min, _)| min <= s + EPSILON)
                .map(|&(m, _)| m);
            summary.push(match min {
                Some(m) => format!(
                    "score {} is at or above the threshold {} of level {}{}",
                    n(s),
                    n(m),
                    n(l),
                    t.scale
                        .label(l)
                        .map(|x| format!(" ({x})"))
                        .unwrap_or_default()
                ),
                None => format!(
                    "score {} is below every threshold: the first threshold's level {}",
                    n(s),
                    n(l)
                ),
            });
        }
        (None, _) => summary.push("no score: no weighted component has a value".to_string()),
        _ => {}
    }
    if t.summary.critical_elements {
        let lowest = t.scale.levels.first();
        if a.critical_failure {
            summary.push(format!(
                "5 CFR 430.208(b)(1) (critical_elements): a critical element is rated {} by the manager, so the summary is {} whatever the score",
                lowest.map_or(String::new(), |l| format!("{} ({})", n(l.value), l.label)),
                lowest.map_or(String::new(), |l| format!("level {} ({})", n(l.value), l.label)),
            ));
        } else if a.threshold_level.is_some()
            && a.level != a.threshold_level
            && lowest.is_some_and(|l| {
                a.threshold_level
                    .is_some_and(|tl| (tl - l.value).abs() <= EPSILON)
            })
        {
            summary.push(
                "5 CFR 430.208(b)(1) (critical_elements): no critical element is at the lowest level, so the summary is raised to the second level".to_string(),
            );
        } else if a.score.is_some() {
            summary.push(
                "5 CFR 430.208(b)(1) (critical_elements): no critical element is at the lowest level; the thresholds decide".to_string(),
            );
        }
    } else if a.critical_failure {
        summary.push("a critical competency is rated at the lowest level, but this template does not apply the critical-element rule".to_string());
    }

    Explanation {
        rule,
        components,
        goals,
        formula: formula.map(|f| f.source().to_string()),
        computation,
        rounding,
        score: a.score,
        threshold_level: a.threshold_level,
        level: a.level,
        label: a.label.clone(),
        summary,
    }
}
