//! The rules a template must follow, each problem tied to the place in the
//! template it is about (so a file loader can report its line and column).

use super::scale::show;
use super::{EPSILON, GoalMapping, Template};
use crate::domain::number::parse_number;
use crate::domain::types::Component;
use crate::error::Error;
use std::collections::HashMap;

/// The largest magnitude of a level value.
const MAX_LEVEL: f64 = 1e6;
/// The most levels a scale may have.
const MAX_LEVELS: usize = 100;
/// Text limits, in characters.
const MAX_NAME: usize = 200;
const MAX_LABEL: usize = 100;
const MAX_DESCRIPTION: usize = 10_000;
/// The longest competency key.
pub(crate) const MAX_KEY: usize = 64;
/// How far the weights may be from adding up to 100.
pub const WEIGHT_TOLERANCE: f64 = 0.001;

/// Where in a template a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// `name`.
    Name,
    /// `anonymity_threshold`.
    AnonymityThreshold,
    /// The scale's levels as a whole (too few, too many).
    Levels,
    /// The value of the level at this index.
    LevelValue(usize),
    /// The label of the level at this index.
    LevelLabel(usize),
    /// The component weights as a whole (they do not add up to 100).
    Weights,
    /// One component's weight.
    Weight(Component),
    /// The competency weights as a whole (they do not add up to 100).
    CompetencyWeights,
    /// The key of the competency at this index.
    CompetencyKey(usize),
    /// The name of the competency at this index.
    CompetencyName(usize),
    /// The description of the competency at this index.
    CompetencyDescription(usize),
    /// The weight of the competency at this index.
    CompetencyWeight(usize),
    /// The goal thresholds as a whole (none given).
    GoalThresholds,
    /// The attainment of the goal threshold at this index.
    GoalThresholdAttainment(usize),
    /// The level of the goal threshold at this index.
    GoalThresholdLevel(usize),
    /// `summary.critical_elements`.
    CriticalElements,
    /// The summary thresholds as a whole (none given).
    SummaryThresholds,
    /// The minimum score of the summary threshold at this index.
    SummaryThresholdMin(usize),
    /// The level of the summary threshold at this index.
    SummaryThresholdLevel(usize),
    /// The merit matrix row at this index.
    Merit(usize),
    /// The performance band at this index.
    Band(usize),
}

/// A rule a template breaks, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where the problem is.
    pub place: Place,
    /// What is wrong, as invalid input with a hint.
    pub error: Error,
}

fn problem(place: Place, message: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        place,
        error: Error::invalid(message).with_hint(hint),
    }
}

fn finite(place: Place, what: &str, v: f64) -> Result<(), Problem> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(problem(
            place,
            format!("{what} {v} is not a finite number"),
            "nan and inf are not allowed; write an ordinary number",
        ))
    }
}

/// A single-line (or, with `multiline`, multi-line) text within `max` characters.
fn text(place: Place, what: &str, v: &str, max: usize, multiline: bool) -> Result<(), Problem> {
    if v.trim().is_empty() {
        return Err(problem(
            place,
            format!("{what} is empty"),
            format!("give {what} some text"),
        ));
    }
    if v.chars().count() > max {
        return Err(problem(
            place,
            format!("{what} is longer than {max} characters"),
            format!("shorten {what}"),
        ));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    if v.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(problem(
            place,
            format!("{what} contains control characters"),
            if multiline {
                "only line breaks and tabs are allowed"
            } else {
                "write it on one line without tabs"
            },
        ));
    }
    Ok(())
}

/// Whether `key` is a valid competency key: a lowercase ASCII letter, then
/// up to 63 of `a-z 0-9 . _ -`.
pub fn is_valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && key.len() <= MAX_KEY
}

/// A sum of weights for messages: at most 6 decimals, so binary rounding
/// (100.00999999999999) does not show.
fn show_sum(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Whether weights add up to 100: within [`WEIGHT_TOLERANCE`] (99.999 and
/// 100.001 are accepted, binary rounding notwithstanding), or, with
/// `[rounding] weights = N`, when the total rounds to 100 at N decimals.
fn sum_is_100(total: f64, decimals: Option<u32>) -> bool {
    match decimals {
        Some(d) => (super::round_to(total, d) - 100.0).abs() <= EPSILON,
        None => (total - 100.0).abs() <= WEIGHT_TOLERANCE + EPSILON,
    }
}

impl Template {
    /// The first rule this template breaks, with its place; `None` when it
    /// is valid. [`Template::validate`] returns the same error without the
    /// place.
    pub fn find_problem(&self) -> Option<Problem> {
        self.check_all().err()
    }

    fn check_all(&self) -> Result<(), Problem> {
        text(Place::Name, "name", &self.name, MAX_NAME, false)?;
        if self.anonymity_threshold == 0 {
            return Err(problem(
                Place::AnonymityThreshold,
                "anonymity_threshold must be at least 1",
                "use 1 to count every peer review, 3 (the default) to hide fewer than three",
            ));
        }
        self.check_scale()?;
        self.check_weights()?;
        self.check_competencies()?;
        self.check_goal_mapping()?;
        self.check_summary()?;
        self.check_merit()?;
        self.check_bands()
    }

    fn check_bands(&self) -> Result<(), Problem> {
        for (i, b) in self.conventions.bands.iter().enumerate() {
            let at = Place::Band(i);
            finite(at, "band minimum", b.min)?;
            if !crate::domain::cycle::POTENTIALS.contains(&b.name.as_str()) {
                return Err(problem(
                    at,
                    format!(
                        "band '{}' is not one of low, medium, high",
                        b.name.escape_debug()
                    ),
                    "a 9-box has three performance bands: low, medium, high",
                ));
            }
            match i.checked_sub(1).and_then(|p| self.conventions.bands.get(p)) {
                None if b.min > self.scale.min() + EPSILON => {
                    return Err(problem(
                        at,
                        format!(
                            "the first band starts at {}, above the bottom of the scale ({})",
                            show(b.min),
                            show(self.scale.min())
                        ),
                        "start the first band at the scale's lowest value so every score has a band",
                    ));
                }
                Some(prev) if b.min <= prev.min => {
                    return Err(problem(
                        at,
                        format!(
                            "band minimum {} is not above the band before it",
                            show(b.min)
                        ),
                        "list the bands lowest first",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn check_merit(&self) -> Result<(), Problem> {
        for (i, row) in self.merit.iter().enumerate() {
            let at = Place::Merit(i);
            if !self.scale.is_level(row.level) {
                return Err(problem(
                    at,
                    format!("merit level {} is not a level of the scale", row.level),
                    format!("use one of: {}", self.scale.describe()),
                ));
            }
            if let Some(p) = &row.potential
                && !crate::domain::cycle::POTENTIALS.contains(&p.as_str())
            {
                return Err(problem(
                    at,
                    format!(
                        "merit potential '{}' is not one of low, medium, high",
                        p.escape_debug()
                    ),
                    "leave potential out for a row that holds for every potential",
                ));
            }
            for (what, v, max) in [("raise", row.raise, 100.0), ("bonus", row.bonus, 1000.0)] {
                finite(at, what, v)?;
                if !(0.0..=max).contains(&v) {
                    return Err(problem(
                        at,
                        format!("merit {what} {v} is not between 0 and {max} (percent of pay)"),
                        "write percentages: raise = 3.5 is a 3.5 % raise",
                    ));
                }
            }
            if self.merit[..i]
                .iter()
                .any(|r| (r.level - row.level).abs() <= EPSILON && r.potential == row.potential)
            {
                return Err(problem(
                    at,
                    format!(
                        "merit level {} with potential {} is given twice",
                        row.level,
                        row.potential.as_deref().unwrap_or("(any)")
                    ),
                    "keep one row per level and potential",
                ));
            }
        }
        Ok(())
    }

    fn check_scale(&self) -> Result<(), Problem> {
        let levels = &self.scale.levels;
        if levels.len() < 2 || levels.len() > MAX_LEVELS {
            return Err(problem(
                Place::Levels,
                format!(
                    "a scale needs 2 to {MAX_LEVELS} levels, not {}",
                    levels.len()
                ),
                "list the levels as { value = 1, label = \"…\" }, lowest first",
            ));
        }
        let mut labels: HashMap<String, usize> = HashMap::new();
        for (i, level) in levels.iter().enumerate() {
            let place = Place::LevelValue(i);
            finite(place, "level value", level.value)?;
            if level.value.abs() > MAX_LEVEL {
                return Err(problem(
                    place,
                    format!("level value {} is too large", show(level.value)),
                    "level values must lie between -1000000 and 1000000",
                ));
            }
            if let Some(below) = i.checked_sub(1).and_then(|p| levels.get(p)) {
                if level.value <= below.value + EPSILON {
                    let msg = if (level.value - below.value).abs() <= EPSILON {
                        format!("level value {} is given twice", show(level.value))
                    } else {
                        format!(
                            "level value {} is below the level before it ({})",
                            show(level.value),
                            show(below.value)
                        )
                    };
                    return Err(problem(
                        place,
                        msg,
                        "list the levels lowest first, each value once",
                    ));
                }
            }
            let lp = Place::LevelLabel(i);
            text(lp, "level label", &level.label, MAX_LABEL, false)?;
            if parse_number(&level.label).is_ok() {
                return Err(problem(
                    lp,
                    format!("level label '{}' is a number", level.label.trim()),
                    "a label is a name such as \"Meets expectations\"; the value is the number",
                ));
            }
            let folded = level
                .label
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if labels.insert(folded, i).is_some() {
                return Err(problem(
                    lp,
                    format!("level label '{}' is given twice", level.label.trim()),
                    "labels are matched without regard to case, so each must differ",
                ));
            }
        }
        Ok(())
    }

    fn check_weights(&self) -> Result<(), Problem> {
        for &c in Component::ALL {
            let w = self.weights.get(c);
            let place = Place::Weight(c);
            finite(place, &format!("weight {c}"), w)?;
            if !(0.0..=100.0).contains(&w) {
                return Err(problem(
                    place,
                    format!("weight {c} is {}, outside 0 to 100", show(w)),
                    "weights are percentages; 0 leaves a component out",
                ));
            }
        }
        let total = self.weights.total();
        if !sum_is_100(total, self.conventions.rounding.weights) {
            return Err(problem(
                Place::Weights,
                format!(
                    "the component weights add up to {}, not 100",
                    show_sum(total)
                ),
                "goals + self + manager + peer + upward + competencies must be 100",
            ));
        }
        Ok(())
    }

    fn check_competencies(&self) -> Result<(), Problem> {
        let mut keys: HashMap<&str, usize> = HashMap::new();
        for (i, c) in self.competencies.iter().enumerate() {
            if !is_valid_key(&c.key) {
                return Err(problem(
                    Place::CompetencyKey(i),
                    format!("competency key '{}' is not valid", c.key.escape_debug()),
                    format!(
                        "a key starts with a lowercase letter, then up to {} of a-z, 0-9, '.', '_', '-'",
                        MAX_KEY - 1
                    ),
                ));
            }
            if keys.insert(&c.key, i).is_some() {
                return Err(problem(
                    Place::CompetencyKey(i),
                    format!("competency key '{}' is given twice", c.key),
                    "give each competency its own key",
                ));
            }
            text(
                Place::CompetencyName(i),
                "competency name",
                &c.name,
                MAX_NAME,
                false,
            )?;
            if let Some(d) = &c.description {
                text(
                    Place::CompetencyDescription(i),
                    "competency description",
                    d,
                    MAX_DESCRIPTION,
                    true,
                )?;
            }
            let wp = Place::CompetencyWeight(i);
            finite(wp, "competency weight", c.weight)?;
            if !(c.weight > 0.0 && c.weight <= 100.0) {
                return Err(problem(
                    wp,
                    format!("competency weight {} is outside (0, 100]", show(c.weight)),
                    "competency weights are percentages above 0 that add up to 100",
                ));
            }
        }
        if !self.competencies.is_empty() {
            let total: f64 = self.competencies.iter().map(|c| c.weight).sum();
            if !sum_is_100(total, self.conventions.rounding.weights) {
                return Err(problem(
                    Place::CompetencyWeights,
                    format!(
                        "the competency weights add up to {}, not 100",
                        show_sum(total)
                    ),
                    "adjust the competencies' weights so they add up to 100",
                ));
            }
        } else if self.weights.competencies > 0.0 {
            return Err(problem(
                Place::Weight(Component::Competencies),
                "the competencies component has a weight but there are no competencies",
                "add [[competency]] tables or set weights.competencies = 0",
            ));
        }
        Ok(())
    }

    fn check_goal_mapping(&self) -> Result<(), Problem> {
        let GoalMapping::Thresholds(ths) = &self.goals else {
            return Ok(());
        };
        if ths.is_empty() {
            return Err(problem(
                Place::GoalThresholds,
                "goal mapping \"thresholds\" needs at least one threshold",
                "add thresholds = [ { attainment = 0, level = … }, … ] or use mapping = \"linear\"",
            ));
        }
        for (i, &(att, level)) in ths.iter().enumerate() {
            let ap = Place::GoalThresholdAttainment(i);
            finite(ap, "attainment", att)?;
            if !(0.0..=1.0).contains(&att) {
                return Err(problem(
                    ap,
                    format!("attainment {} is outside 0 to 1", show(att)),
                    "attainment is a fraction: 0.9 means 90 % of the target",
                ));
            }
            let lp = Place::GoalThresholdLevel(i);
            finite(lp, "level", level)?;
            if self.scale.check(level).is_err() {
                return Err(problem(
                    lp,
                    format!("level {} is not on the scale", show(level)),
                    format!("use one of: {}", self.scale.describe()),
                ));
            }
            match i.checked_sub(1).and_then(|p| ths.get(p)) {
                None if att != 0.0 => {
                    return Err(problem(
                        ap,
                        format!("the first goal threshold starts at {}, not 0", show(att)),
                        "start with { attainment = 0, level = … } so every attainment has a level",
                    ));
                }
                Some(&(pa, pl)) => {
                    if att <= pa {
                        return Err(problem(
                            ap,
                            format!(
                                "attainment {} is not above the threshold before it ({})",
                                show(att),
                                show(pa)
                            ),
                            "list the thresholds lowest first, each attainment once",
                        ));
                    }
                    if level <= pl {
                        return Err(problem(
                            lp,
                            format!(
                                "level {} is not above the threshold before it ({})",
                                show(level),
                                show(pl)
                            ),
                            "a higher attainment must give a higher level",
                        ));
                    }
                }
                None => {}
            }
        }
        Ok(())
    }

    fn check_summary(&self) -> Result<(), Problem> {
        let rule = &self.summary;
        if rule.critical_elements && !self.competencies.iter().any(|c| c.critical) {
            return Err(problem(
                Place::CriticalElements,
                "critical_elements is on but no competency is critical",
                "mark the critical elements with critical = true, or set critical_elements = false",
            ));
        }
        let ths = &rule.thresholds;
        if ths.is_empty() {
            return Err(problem(
                Place::SummaryThresholds,
                "the summary rule needs at least one threshold",
                "leave thresholds out to round to the nearest level",
            ));
        }
        let (lo, hi) = (self.scale.min(), self.scale.max());
        for (i, &(min, level)) in ths.iter().enumerate() {
            let mp = Place::SummaryThresholdMin(i);
            finite(mp, "minimum score", min)?;
            let lp = Place::SummaryThresholdLevel(i);
            finite(lp, "level", level)?;
            if !self.scale.is_level(level) {
                let values: Vec<String> = self.scale.levels.iter().map(|l| show(l.value)).collect();
                return Err(problem(
                    lp,
                    format!("level {} is not a level of the scale", show(level)),
                    format!("use one of: {}", values.join(", ")),
                ));
            }
            if min > hi + EPSILON {
                return Err(problem(
                    mp,
                    format!(
                        "minimum score {} is above the top of the scale ({})",
                        show(min),
                        show(hi)
                    ),
                    "no score could reach it",
                ));
            }
            match i.checked_sub(1).and_then(|p| ths.get(p)) {
                None if min > lo + EPSILON => {
                    return Err(problem(
                        mp,
                        format!(
                            "the first summary threshold starts at {}, above the bottom of the scale ({})",
                            show(min),
                            show(lo)
                        ),
                        format!(
                            "start with {{ min = {}, level = … }} so every score has a level",
                            show(lo)
                        ),
                    ));
                }
                Some(&(pm, pl)) => {
                    if min <= pm {
                        return Err(problem(
                            mp,
                            format!(
                                "minimum score {} is not above the threshold before it ({})",
                                show(min),
                                show(pm)
                            ),
                            "list the thresholds lowest first, each minimum once",
                        ));
                    }
                    if level <= pl {
                        return Err(problem(
                            lp,
                            format!(
                                "level {} is not above the threshold before it ({})",
                                show(level),
                                show(pl)
                            ),
                            "a higher score must give a higher level",
                        ));
                    }
                }
                None => {}
            }
        }
        Ok(())
    }
}
