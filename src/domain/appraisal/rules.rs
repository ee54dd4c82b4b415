//! The rules around a score: which of a subject's goals count, and what a
//! calibration may do to a computed level.

use super::{EPSILON, Template};
use crate::error::{Error, Result};
use std::collections::HashSet;

/// Which of a subject's goals the goals component scores, by index: their
/// **root goals**, those whose parent is not also among `goals` (the
/// subject's goals of the cycle). A sub-goal of one's own goal already
/// counts through its parent's roll-up; counting it again would weigh it
/// twice. A goal aligned to someone else's goal (or to one of the
/// subject's goals outside the cycle) is a root goal here.
///
/// `goals` are `(key, parent key)` pairs.
pub fn root_goals(goals: &[(&str, Option<&str>)]) -> Vec<usize> {
    let keys: HashSet<&str> = goals.iter().map(|(k, _)| *k).collect();
    goals
        .iter()
        .enumerate()
        .filter(|(_, (key, parent))| parent.is_none_or(|p| p == *key || !keys.contains(p)))
        .map(|(i, _)| i)
        .collect()
}

/// The position of a rating on the scale, in levels from the lowest (a
/// half step is half a level); `None` for a value that is not a rating.
fn position(t: &Template, value: f64) -> Option<f64> {
    let levels = &t.scale.levels;
    for (i, l) in levels.iter().enumerate() {
        if (l.value - value).abs() <= EPSILON {
            return Some(i as f64);
        }
        if let Some(next) = levels.get(i + 1)
            && t.scale.half_steps
            && ((l.value + next.value) / 2.0 - value).abs() <= EPSILON
        {
            return Some(i as f64 + 0.5);
        }
    }
    None
}

fn describe(t: &Template, level: f64) -> String {
    let n = format!("{level}");
    match t.scale.label(level) {
        Some(l) => format!("{n} ({l})"),
        None => n,
    }
}

/// Check a calibration of a subject to `level` against the template:
///
/// - with `critical_elements = true`, the OPM rule of 5 CFR 430.208(b)(1)
///   holds on the final level too: the summary is the lowest level **if and
///   only if** a critical element is rated at the lowest level. Calibrating
///   away from the lowest level with a critical failure, or to it without
///   one, is refused;
/// - with `[calibration] max_steps = N`, the calibrated level is at most N
///   levels (a half step counts a half) from the computed one.
///
/// A refusal is a failure (exit 1) naming the rule.
pub fn check_calibration(
    t: &Template,
    computed: Option<f64>,
    critical_failure: bool,
    level: f64,
) -> Result<()> {
    if t.summary.critical_elements
        && let Some(lowest) = t.scale.levels.first().map(|l| l.value)
    {
        let to_lowest = (level - lowest).abs() <= EPSILON;
        if critical_failure && !to_lowest {
            return Err(Error::failed(format!(
                "calibration to {} refused: a critical element is rated {}, and under 5 CFR 430.208(b)(1) that makes the summary level {} — whatever the other ratings",
                describe(t, level),
                describe(t, lowest),
                describe(t, lowest),
            ))
            .with_hint(
                "to change it, the manager review's critical-element rating must change (reopen the review); calibration cannot",
            ));
        }
        if !critical_failure && to_lowest {
            return Err(Error::failed(format!(
                "calibration to {} refused: under 5 CFR 430.208(b)(1) the summary is {} only when a critical element is rated at that level, and none is",
                describe(t, level),
                describe(t, lowest),
            ))
            .with_hint("calibrate to another level, or rate the critical element in the manager review"));
        }
    }
    if let (Some(max), Some(from)) = (t.calibration.max_steps, computed)
        && let (Some(a), Some(b)) = (position(t, from), position(t, level))
        && (a - b).abs() > f64::from(max) + EPSILON
    {
        return Err(Error::failed(format!(
            "calibration to {} refused: the template allows calibration by at most {max} level(s) from the computed level {}",
            describe(t, level),
            describe(t, from),
        ))
        .with_hint(format!(
            "choose a level within {max} of {} (the template's [calibration] max_steps)",
            describe(t, from)
        )));
    }
    Ok(())
}

/// One row of a merit matrix (`[[merit]]`): the reward a final level (and,
/// when given, a potential) suggests.
#[derive(Debug, Clone, PartialEq)]
pub struct MeritRow {
    /// The final level (a level of the scale).
    pub level: f64,
    /// low, medium or high; none: any potential.
    pub potential: Option<String>,
    /// The suggested raise, percent of pay.
    pub raise: f64,
    /// The suggested bonus, percent of pay.
    pub bonus: f64,
}

/// A suggested reward.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reward {
    /// Raise, percent of pay.
    pub raise: f64,
    /// Bonus, percent of pay.
    pub bonus: f64,
}

/// The reward a template's merit matrix suggests for a final level and a
/// potential: the row of that level and that potential, else the row of
/// that level without a potential; none without a final level or a row.
pub fn suggested_reward(
    merit: &[MeritRow],
    final_level: Option<f64>,
    potential: Option<&str>,
) -> Option<Reward> {
    let level = final_level?;
    let of_level = |r: &&MeritRow| (r.level - level).abs() <= EPSILON;
    let exact = merit
        .iter()
        .filter(of_level)
        .find(|r| r.potential.is_some() && r.potential.as_deref() == potential);
    exact
        .or_else(|| {
            merit
                .iter()
                .filter(of_level)
                .find(|r| r.potential.is_none())
        })
        .map(|r| Reward {
            raise: r.raise,
            bonus: r.bonus,
        })
}

/// What a template allows calibration to do (`[calibration]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CalibrationRule {
    /// How many levels a calibrated level may be from the computed one
    /// (none: any level of the scale).
    pub max_steps: Option<u32>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_row_of_the_potential_wins_over_the_level_alone() {
        let row = |level: f64, potential: Option<&str>, raise: f64| MeritRow {
            level,
            potential: potential.map(str::to_string),
            raise,
            bonus: raise * 2.0,
        };
        let m = [
            row(4.0, None, 3.0),
            row(4.0, Some("high"), 5.0),
            row(5.0, Some("high"), 8.0),
        ];
        let r = |l: Option<f64>, p: Option<&str>| suggested_reward(&m, l, p).map(|r| r.raise);
        assert_eq!(r(Some(4.0), Some("high")), Some(5.0));
        assert_eq!(r(Some(4.0), Some("low")), Some(3.0));
        assert_eq!(r(Some(4.0), None), Some(3.0));
        assert_eq!(r(Some(5.0), Some("low")), None);
        assert_eq!(r(None, Some("high")), None);
    }

    #[test]
    fn root_goals_leave_out_children_of_the_subjects_own_goals() {
        let goals = [
            ("a", None),
            ("a1", Some("a")),
            ("a11", Some("a1")),
            ("b", Some("team-goal")),
            ("c", Some("c")),
        ];
        assert_eq!(root_goals(&goals), vec![0, 3, 4]);
        assert!(root_goals(&[]).is_empty());
    }
}
