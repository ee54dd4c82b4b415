//! Rating scales: the ratings a scale allows, parsing what a user typed,
//! labels for display.

use super::{EPSILON, Scale};
use crate::domain::number::parse_number;
use crate::error::{Error, Result};

/// A number as people write it: `4`, `3.5`, `-1`, never `4.0`.
pub(crate) fn show(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
}

impl Scale {
    /// The lowest level's value (0 for a scale without levels).
    pub fn min(&self) -> f64 {
        self.levels.first().map_or(0.0, |l| l.value)
    }

    /// The highest level's value (0 for a scale without levels).
    pub fn max(&self) -> f64 {
        self.levels.last().map_or(0.0, |l| l.value)
    }

    /// Every rating the scale allows, ascending: the levels' values and,
    /// with half steps, the midpoints between adjacent levels.
    pub fn allowed(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.levels.len() * 2);
        for (i, level) in self.levels.iter().enumerate() {
            if self.half_steps {
                if let Some(below) = i.checked_sub(1).and_then(|p| self.levels.get(p)) {
                    out.push((below.value + level.value) / 2.0);
                }
            }
            out.push(level.value);
        }
        out
    }

    /// Whether `v` is a level's value (not a half step).
    pub fn is_level(&self, v: f64) -> bool {
        self.levels.iter().any(|l| (l.value - v).abs() <= EPSILON)
    }

    /// A rating typed by a user: a level's value (`4`), a half step when the
    /// scale allows them (`3.5`, the midpoint between two adjacent levels),
    /// or a level's label, case-insensitive (`exceeds expectations`).
    /// Anything else is invalid input; the error names it and lists what
    /// the scale allows.
    pub fn parse_rating(&self, s: &str) -> Result<f64> {
        let typed = s.trim();
        if let Ok(v) = parse_number(typed) {
            return self.check(v).map_err(|_| self.refuse(s));
        }
        let wanted = squash(typed);
        self.levels
            .iter()
            .find(|l| squash(&l.label) == wanted)
            .map(|l| l.value)
            .ok_or_else(|| self.refuse(s))
    }

    /// Check a numeric rating by the rules of [`Scale::parse_rating`]: the
    /// allowed value it stands for, or invalid input.
    pub fn check(&self, v: f64) -> Result<f64> {
        if self.continuous
            && v.is_finite()
            && v >= self.min() - EPSILON
            && v <= self.max() + EPSILON
        {
            let v = v.clamp(self.min(), self.max());
            return Ok(if v == 0.0 { 0.0 } else { v });
        }
        if v.is_finite() {
            if let Some(&a) = self.allowed().iter().find(|&&a| (a - v).abs() <= EPSILON) {
                return Ok(if a == 0.0 { 0.0 } else { a });
            }
        }
        Err(self.refuse(&show_any(v)))
    }

    /// The label of the level at or just below `v`, for display; `None`
    /// below the lowest level or for a value that is not finite.
    pub fn label(&self, v: f64) -> Option<&str> {
        if !v.is_finite() {
            return None;
        }
        self.levels
            .iter()
            .rev()
            .find(|l| l.value <= v + EPSILON)
            .map(|l| l.label.as_str())
    }

    /// What the scale allows, for hints: `1 (Unsatisfactory), 2 (…)`.
    pub fn describe(&self) -> String {
        let levels: Vec<String> = self
            .levels
            .iter()
            .map(|l| format!("{} ({})", show(l.value), l.label))
            .collect();
        let mut out = levels.join(", ");
        if self.continuous {
            out.push_str(&format!(
                "; any value from {} to {}",
                show(self.min()),
                show(self.max())
            ));
        } else if self.half_steps {
            let halves: Vec<String> = self
                .allowed()
                .into_iter()
                .filter(|&v| !self.is_level(v))
                .map(show)
                .collect();
            if !halves.is_empty() {
                out.push_str(&format!("; half steps {}", halves.join(", ")));
            }
        }
        out
    }

    fn refuse(&self, input: &str) -> Error {
        Error::invalid(format!(
            "'{}' is not a rating on this scale",
            input.escape_debug()
        ))
        .with_hint(format!(
            "rate with a level's value or label: {}",
            self.describe()
        ))
    }
}

fn show_any(v: f64) -> String {
    if v.is_finite() {
        show(v)
    } else {
        format!("{v}")
    }
}

/// Lowercase with runs of whitespace as one space, for label matching.
fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::Level;
    use super::*;

    fn scale(half: bool) -> Scale {
        Scale {
            levels: ["Poor", "Fair", "Good", "Very good", "Excellent"]
                .iter()
                .enumerate()
                .map(|(i, l)| Level {
                    value: (i + 1) as f64,
                    label: (*l).to_string(),
                })
                .collect(),
            half_steps: half,
            continuous: false,
        }
    }

    #[test]
    fn ratings() {
        let s = scale(false);
        assert_eq!(s.parse_rating("4").unwrap(), 4.0);
        assert_eq!(s.parse_rating(" very   GOOD ").unwrap(), 4.0);
        assert!(s.parse_rating("3.5").is_err());
        assert_eq!(scale(true).parse_rating("3.5").unwrap(), 3.5);
        assert!(scale(true).parse_rating("3.25").is_err());
        for bad in ["0", "6", "NaN", "inf", "", "great"] {
            let e = s.parse_rating(bad).unwrap_err();
            assert!(e.message().contains(bad), "{e}");
            assert!(e.hint().unwrap().contains("4 (Very good)"));
        }
        assert!(s.check(f64::NAN).is_err());
        assert!(s.check(f64::INFINITY).is_err());
        assert!(scale(true).describe().contains("half steps 1.5"));
    }

    #[test]
    fn labels() {
        let s = scale(true);
        assert_eq!(s.label(3.5), Some("Good"));
        assert_eq!(s.label(3.0), Some("Good"));
        assert_eq!(s.label(0.5), None);
        assert_eq!(s.label(f64::NAN), None);
        assert_eq!(s.label(9.0), Some("Excellent"));
        assert_eq!((s.min(), s.max()), (1.0, 5.0));
    }
}
