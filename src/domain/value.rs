//! Reading a check-in value for a measure of a given kind.

use crate::domain::{MeasureKind, parse_number};
use crate::error::{Error, Result};

/// Parse a value typed for a measure of `kind`:
/// - number, currency: any finite number;
/// - percent: a number from 0 to `percent_max` (a trailing `%` is allowed);
/// - yes/no: yes, no, y, n, true, false, done, 1 or 0 (stored as 1 or 0);
/// - milestone: a whole number of milestones reached, 0 or more.
pub fn parse_value(kind: MeasureKind, text: &str, percent_max: f64) -> Result<f64> {
    let s = text.trim();
    match kind {
        MeasureKind::YesNo => match s.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "done" | "1" => Ok(1.0),
            "no" | "n" | "false" | "0" => Ok(0.0),
            _ => Err(
                Error::invalid(format!("'{}' is not a yes/no value", shown(s)))
                    .with_hint("this measure is yes/no: pass yes or no (or 1 / 0)"),
            ),
        },
        MeasureKind::Milestone => {
            let v = parse_number(s)?;
            check_value(kind, v, percent_max).map_err(|_| not_milestones(&shown(s)))
        }
        MeasureKind::Percent => {
            let v = parse_number(s.strip_suffix('%').unwrap_or(s))?;
            check_value(kind, v, percent_max)
        }
        MeasureKind::Number | MeasureKind::Currency => parse_number(s),
    }
}

/// Check a value (as stored, or read from a file) for a measure of `kind`:
/// finite; yes/no 1 or 0; milestones a whole number, 0 or more; percent
/// from 0 to `percent_max`. The rules [`parse_value`] applies to what is
/// typed.
pub fn check_value(kind: MeasureKind, v: f64, percent_max: f64) -> Result<f64> {
    let v = crate::domain::check_finite("value", v)?;
    match kind {
        MeasureKind::YesNo if v != 0.0 && v != 1.0 => {
            Err(Error::invalid(format!("{v} is not a yes/no value"))
                .with_hint("a yes/no measure records 1 (yes) or 0 (no)"))
        }
        MeasureKind::Milestone if v < 0.0 || v.fract() != 0.0 => {
            Err(not_milestones(&v.to_string()))
        }
        MeasureKind::Percent if !(0.0..=percent_max).contains(&v) => Err(Error::invalid(format!(
            "{v} is outside 0–{percent_max} for a percent measure"
        ))
        .with_hint(
            "percent values run from 0 to 100 (see `[checkin] percent_max` in the configuration)",
        )),
        _ => Ok(v),
    }
}

fn not_milestones(shown: &str) -> Error {
    Error::invalid(format!("'{shown}' is not a number of milestones"))
        .with_hint("this measure counts milestones reached: pass a whole number, 0 or more")
}

fn shown(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(parse_value(MeasureKind::YesNo, "Yes", 100.0).unwrap(), 1.0);
        assert_eq!(parse_value(MeasureKind::YesNo, "0", 100.0).unwrap(), 0.0);
        assert!(parse_value(MeasureKind::YesNo, "maybe", 100.0).is_err());
        assert_eq!(
            parse_value(MeasureKind::Milestone, "3", 100.0).unwrap(),
            3.0
        );
        assert!(parse_value(MeasureKind::Milestone, "2.5", 100.0).is_err());
        assert!(parse_value(MeasureKind::Milestone, "-1", 100.0).is_err());
        assert_eq!(
            parse_value(MeasureKind::Percent, "42.5%", 100.0).unwrap(),
            42.5
        );
        assert!(parse_value(MeasureKind::Percent, "101", 100.0).is_err());
        assert_eq!(
            parse_value(MeasureKind::Percent, "120", 200.0).unwrap(),
            120.0
        );
        assert_eq!(
            parse_value(MeasureKind::Number, "-3.5", 100.0).unwrap(),
            -3.5
        );
        for bad in ["NaN", "inf", "1e309", "", "１２"] {
            assert_eq!(
                parse_value(MeasureKind::Number, bad, 100.0)
                    .unwrap_err()
                    .exit_code(),
                2,
                "{bad}"
            );
        }
    }

    #[test]
    fn stored_values_follow_the_same_rules() {
        assert_eq!(check_value(MeasureKind::YesNo, 1.0, 100.0).unwrap(), 1.0);
        assert!(check_value(MeasureKind::YesNo, 0.5, 100.0).is_err());
        assert!(check_value(MeasureKind::Milestone, 2.5, 100.0).is_err());
        assert!(check_value(MeasureKind::Milestone, -1.0, 100.0).is_err());
        assert!(check_value(MeasureKind::Percent, 101.0, 100.0).is_err());
        assert!(check_value(MeasureKind::Number, f64::NAN, 100.0).is_err());
        assert_eq!(
            check_value(MeasureKind::Currency, -3.5, 100.0).unwrap(),
            -3.5
        );
    }
}
