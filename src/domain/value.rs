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
            if v < 0.0 || v.fract() != 0.0 {
                return Err(Error::invalid(format!(
                    "'{}' is not a number of milestones",
                    shown(s)
                ))
                .with_hint(
                    "this measure counts milestones reached: pass a whole number, 0 or more",
                ));
            }
            Ok(v)
        }
        MeasureKind::Percent => {
            let v = parse_number(s.strip_suffix('%').unwrap_or(s))?;
            if !(0.0..=percent_max).contains(&v) {
                return Err(Error::invalid(format!("{v} is outside 0–{percent_max} for a percent measure"))
                    .with_hint("percent values run from 0 to 100 (see `[checkin] percent_max` in the configuration)"));
            }
            Ok(v)
        }
        MeasureKind::Number | MeasureKind::Currency => parse_number(s),
    }
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
}
