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
