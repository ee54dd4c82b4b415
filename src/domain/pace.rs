//! Pace and forecast: how far along a goal should be by today, whether it is
//! on track, and where a measure's value is heading by the due date.
//!
//! The rules here are stated for users in `docs/scoring.md` ("Pace and
//! forecast"); the worked examples there are checked against these functions
//! by a test. "Today" always comes in as an argument.

use crate::domain::measure::{MeasureSpec, Progress, progress};
use crate::domain::number::check_finite;
use crate::domain::types::PaceStatus;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How the gap between expected and actual progress is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaceBasis {
    /// In percentage points of progress: `(expected − progress) × 100`.
    #[default]
    Points,
    /// As a share of the expected progress, in percent:
    /// `(1 − progress / expected) × 100` (UpRaise's "0.95× ideal progress").
    Ratio,
}

impl PaceBasis {
    /// The spelling in the configuration file and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            PaceBasis::Points => "points",
            PaceBasis::Ratio => "ratio",
        }
    }

    fn is_points(&self) -> bool {
        *self == PaceBasis::Points
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How far behind the expected progress a goal may fall before it is at risk
/// or off track (percentage points of progress, or percent of the expected
/// progress with [`PaceBasis::Ratio`]), and the conventions of the rule.
///
/// Every convention is off by default; the serialized form leaves out those
/// that are off, so a record written before they existed reads the same.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PaceThresholds {
    /// A gap of at least this much is [`PaceStatus::AtRisk`].
    pub at_risk: f64,
    /// A gap of at least this much is [`PaceStatus::OffTrack`].
    pub off_track: f64,
    /// A lead (negative gap) of at least this much is [`PaceStatus::Ahead`];
    /// none: being ahead is on track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahead: Option<f64>,
    /// A gap exactly at a threshold keeps the status nearer on-track: at risk
    /// only when *more* than `at_risk` behind (and ahead only when more than
    /// `ahead` ahead).
    #[serde(default, skip_serializing_if = "is_false")]
    pub inclusive: bool,
    /// Points (default) or a ratio of the expected progress.
    #[serde(default, skip_serializing_if = "PaceBasis::is_points")]
    pub basis: PaceBasis,
    /// Count days inclusively, `(today − start + 1) / (due − start + 1)`,
    /// with nothing expected on the start day itself.
    #[serde(default, skip_serializing_if = "is_false")]
    pub inclusive_days: bool,
}

impl Default for PaceThresholds {
    /// 10 points for at-risk, 25 points for off-track, every convention off.
    fn default() -> Self {
        PaceThresholds {
            at_risk: 10.0,
            off_track: 25.0,
            ahead: None,
            inclusive: false,
            basis: PaceBasis::Points,
            inclusive_days: false,
        }
    }
}

impl PaceThresholds {
    /// Thresholds with every convention off.
    pub fn new(at_risk: f64, off_track: f64) -> PaceThresholds {
        PaceThresholds {
            at_risk,
            off_track,
            ..PaceThresholds::default()
        }
    }

    /// Check the thresholds: all finite, `0 ≤ at_risk ≤ off_track ≤ 100`
    /// and `0 ≤ ahead ≤ 100`.
    pub fn validate(&self) -> Result<()> {
        let at_risk = check_finite("the at-risk threshold", self.at_risk)?;
        let off_track = check_finite("the off-track threshold", self.off_track)?;
        let hint = "thresholds are percentage points of progress behind the expected progress, from 0 to 100";
        if at_risk < 0.0 {
            return Err(Error::invalid(format!(
                "the at-risk threshold must not be negative, got {at_risk}"
            ))
            .with_hint(hint));
        }
        if off_track > 100.0 {
            return Err(Error::invalid(format!(
                "the off-track threshold must be at most 100, got {off_track}"
            ))
            .with_hint(hint));
        }
        if at_risk > off_track {
            return Err(Error::invalid(format!(
                "the at-risk threshold ({at_risk}) is above the off-track threshold ({off_track})"
            ))
            .with_hint("set at-risk at or below off-track, for example 10 and 25"));
        }
        if let Some(a) = self.ahead {
            let a = check_finite("the ahead threshold", a)?;
            if !(0.0..=100.0).contains(&a) {
                return Err(Error::invalid(format!(
                    "the ahead threshold must be from 0 to 100, got {a}"
                ))
                .with_hint(
                    "ahead is how far progress is beyond the expected progress, from 0 to 100",
                ));
            }
        }
        Ok(())
    }

    /// The expected progress by `today` under this rule's day counting:
    /// [`expected_progress`], or [`expected_progress_inclusive`] with
    /// `inclusive_days`.
    pub fn expected(&self, start: NaiveDate, due: NaiveDate, today: NaiveDate) -> Option<f64> {
        if self.inclusive_days {
            expected_progress_inclusive(start, due, today)
        } else {
            expected_progress(start, due, today)
        }
    }

    /// The gap by which `progress` is behind `expected` under this rule's
    /// basis (negative when ahead); see [`pace`].
    pub fn gap(&self, progress: f64, expected: f64) -> f64 {
        match self.basis {
            PaceBasis::Points => gap_points(progress, expected),
            PaceBasis::Ratio => gap_ratio(progress, expected),
        }
    }

    /// The rule in words, for explanations: `behind by at least 10 points:
    /// at-risk; at least 25: off-track`.
    pub fn describe(&self) -> String {
        let unit = match self.basis {
            PaceBasis::Points => "points",
            PaceBasis::Ratio => "% of the expected progress",
        };
        let (cmp, cmp2) = if self.inclusive {
            ("more than", "more than")
        } else {
            ("at least", "at least")
        };
        let mut s = format!(
            "behind by {cmp} {} {unit}: at-risk; by {cmp2} {}: off-track",
            self.at_risk, self.off_track
        );
        if let Some(a) = self.ahead {
            s.push_str(&format!("; ahead by {cmp} {a}: ahead"));
        }
        s
    }
}

/// The share of a goal's period that has elapsed by `today`, from 0 to 1:
/// the progress expected by today if progress were linear.
///
/// `(today − start) / (due − start)`, counted in whole days and clamped to
/// `[0, 1]`: 0 on or before the start date, 1 on or after the due date. When
/// `due == start` it is 0 before that day and 1 on or after it. When `due` is
/// before `start` the period makes no sense and the result is `None`.
pub fn expected_progress(start: NaiveDate, due: NaiveDate, today: NaiveDate) -> Option<f64> {
    let span = (due - start).num_days();
    let elapsed = (today - start).num_days();
    if span < 0 {
        return None;
    }
    if span == 0 {
        return Some(if elapsed < 0 { 0.0 } else { 1.0 });
    }
    // Both counts are at most a few hundred million days, exact in an f64.
    let share = elapsed as f64 / span as f64;
    Some(share.clamp(0.0, 1.0))
}

/// The expected progress with days counted inclusively: the period has
/// `due − start + 1` days and by `today` `today − start + 1` of them have
/// been worked, except that nothing is expected on the start day itself
/// (0 on or before the start, 1 on or after the due date). A one-day period
/// expects 1 on its day. `None` when `due` is before `start`.
pub fn expected_progress_inclusive(
    start: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<f64> {
    let span = (due - start).num_days();
    let elapsed = (today - start).num_days();
    if span < 0 {
        return None;
    }
    if span == 0 {
        return Some(if elapsed < 0 { 0.0 } else { 1.0 });
    }
    if elapsed <= 0 {
        return Some(0.0);
    }
    let share = (elapsed + 1) as f64 / (span + 1) as f64;
    Some(share.clamp(0.0, 1.0))
}

/// Round a gap to 9 decimal places, so that a gap that is a whole number on
/// paper is not a hair short of it in binary arithmetic.
fn round9(gap: f64) -> f64 {
    let rounded = (gap * 1e9).round() / 1e9;
    if rounded.is_finite() { rounded } else { gap }
}

/// The gap, in percentage points, by which `progress` is behind `expected`:
/// `(expected − progress) × 100`, rounded to 9 decimal places so that a gap
/// that is a whole number of points on paper (0.5 − 0.4 = 10 points) is not
/// a hair short of it in binary arithmetic. Negative when ahead.
fn gap_points(progress: f64, expected: f64) -> f64 {
    round9((expected - progress) * 100.0)
}

/// The shortfall as a percentage of the expected progress:
/// `(1 − progress / expected) × 100`, rounded to 9 decimal places; 0 when
/// nothing is expected yet (`expected ≤ 0`).
fn gap_ratio(progress: f64, expected: f64) -> f64 {
    if expected <= 0.0 {
        return 0.0;
    }
    round9((1.0 - progress / expected) * 100.0)
}

/// Whether a goal is on pace: from the gap between the progress expected by
/// today and the progress made (both fractions from 0 to 1; `progress` is
/// the scored, clamped one).
///
/// By default `gap = (expected − progress) × 100` (rounded to 9 decimal
/// places); a gap below `at_risk` is [`PaceStatus::OnTrack`] (being ahead, a
/// negative gap, is on track), below `off_track` is [`PaceStatus::AtRisk`],
/// otherwise [`PaceStatus::OffTrack`]. With `inclusive` a gap exactly at a
/// threshold keeps the better status; with `ahead` a lead of at least that
/// much (more than, with `inclusive`) is [`PaceStatus::Ahead`]; with
/// [`PaceBasis::Ratio`] the gap is a percentage of the expected progress. A
/// NaN input, which validated data never holds, gives
/// [`PaceStatus::OffTrack`].
pub fn pace(progress: f64, expected: f64, th: &PaceThresholds) -> PaceStatus {
    let gap = th.gap(progress, expected);
    if gap.is_nan() {
        return PaceStatus::OffTrack;
    }
    // `beyond(x, t)`: x has reached threshold t (strictly past it when inclusive).
    let beyond = |x: f64, t: f64| if th.inclusive { x > t } else { x >= t };
    if let Some(a) = th.ahead {
        if beyond(-gap, a) {
            return PaceStatus::Ahead;
        }
    }
    if !beyond(gap, th.at_risk) {
        PaceStatus::OnTrack
    } else if !beyond(gap, th.off_track) {
        PaceStatus::AtRisk
    } else {
        PaceStatus::OffTrack
    }
}

/// A goal's expected progress by `today` and its pace status, or `None` when
/// the goal has no progress, lacks a start or a due date, or is due before
/// it starts. See [`PaceThresholds::expected`] and [`pace`].
pub fn goal_pace(
    progress: Option<f64>,
    start: Option<NaiveDate>,
    due: Option<NaiveDate>,
    today: NaiveDate,
    th: &PaceThresholds,
) -> Option<(f64, PaceStatus)> {
    let progress = progress?;
    let expected = th.expected(start?, due?, today)?;
    Some((expected, pace(progress, expected, th)))
}

/// How a [`Forecast`] was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForecastMethod {
    /// The least-squares line through the check-ins, evaluated at the due date.
    Trend,
    /// The latest value, carried forward: fewer than two days of check-ins
    /// (or a trend that could not be computed in floating point).
    LastValue,
}

impl ForecastMethod {
    /// The spelling used in output and JSON: `trend` or `lastvalue`.
    pub fn as_str(self) -> &'static str {
        match self {
            ForecastMethod::Trend => "trend",
            ForecastMethod::LastValue => "lastvalue",
        }
    }
}

impl fmt::Display for ForecastMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far back from the latest check-in a forecast's trend looks: 13 weeks,
/// so it follows the recent pace (and a whole quarter's goal uses every
/// check-in of its quarter).
pub const FORECAST_WINDOW_DAYS: i64 = 91;

/// A forecast of a measure's value at its due date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The forecast value (always finite).
    pub value: f64,
    /// How it was made.
    pub method: ForecastMethod,
}

/// Forecast a measure's value at `due` from its check-ins `(date, value)`,
/// in any order.
///
/// - No points: `None`.
/// - One point, or every point on the same day: the latest value
///   ([`ForecastMethod::LastValue`]). Among several values on the latest
///   day, the one that comes last in `points` wins.
/// - Otherwise: the ordinary least-squares line of value on day number over
///   the points of the [`FORECAST_WINDOW_DAYS`] up to the latest one (days
///   counted from the earliest of them), evaluated at `due`
///   ([`ForecastMethod::Trend`]). `due` may lie before the points; the line
///   is extended either way.
///
/// Points whose value is not finite are ignored. When the trend's arithmetic
/// overflows (values near the limits of an `f64`), the forecast falls back
/// to the latest value, so the result is always finite and never negative
/// zero.
pub fn forecast(points: &[(NaiveDate, f64)], due: NaiveDate) -> Option<Forecast> {
    let mut latest: Option<(NaiveDate, f64)> = None;
    for &(date, value) in points.iter().filter(|p| p.1.is_finite()) {
        if latest.is_none_or(|(d, _)| date >= d) {
            latest = Some((date, value));
        }
    }
    let (last_day, last_value) = latest?;
    let window_start = last_day - chrono::Duration::days(FORECAST_WINDOW_DAYS);
    let finite = || {
        points
            .iter()
            .filter(move |p| p.1.is_finite() && p.0 >= window_start)
    };
    let earliest = finite().map(|p| p.0).min();
    let last = Forecast {
        value: no_negative_zero(last_value),
        method: ForecastMethod::LastValue,
    };
    let first_day = earliest.unwrap_or(last_day);
    if first_day == last_day {
        return Some(last);
    }

    let day = |d: NaiveDate| (d - first_day).num_days() as f64;
    let mut n = 0.0;
    let (mut sum_x, mut sum_y) = (0.0, 0.0);
    for &(date, value) in finite() {
        n += 1.0;
        sum_x += day(date);
        sum_y += value;
    }
    let (mean_x, mean_y) = (sum_x / n, sum_y / n);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for &(date, value) in finite() {
        let dx = day(date) - mean_x;
        sxx += dx * dx;
        sxy += dx * (value - mean_y);
    }
    let slope = sxy / sxx;
    let value = mean_y + slope * (day(due) - mean_x);
    if value.is_finite() {
        Some(Forecast {
            value: no_negative_zero(value),
            method: ForecastMethod::Trend,
        })
    } else {
        Some(last)
    }
}

/// The progress a forecast value would give: `progress(spec, Some(f.value))`.
pub fn forecast_progress(spec: &MeasureSpec, f: &Forecast) -> Progress {
    progress(spec, Some(f.value))
}

fn no_negative_zero(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::types::Direction;
    use crate::error::ErrorKind;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn th(at_risk: f64, off_track: f64) -> PaceThresholds {
        PaceThresholds::new(at_risk, off_track)
    }

    #[test]
    fn pace_status_spellings() {
        assert_eq!(PaceStatus::OnTrack.to_string(), "on-track");
        assert_eq!("At-Risk".parse::<PaceStatus>().unwrap(), PaceStatus::AtRisk);
        assert_eq!(
            serde_json::to_string(&PaceStatus::OffTrack).unwrap(),
            "\"off-track\""
        );
        let e = "behind".parse::<PaceStatus>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid);
    }

    #[test]
    fn forecast_method_spellings() {
        assert_eq!(ForecastMethod::Trend.to_string(), "trend");
        assert_eq!(ForecastMethod::LastValue.to_string(), "lastvalue");
        assert_eq!(
            serde_json::to_string(&ForecastMethod::LastValue).unwrap(),
            "\"lastvalue\""
        );
        let m: ForecastMethod = serde_json::from_str("\"trend\"").unwrap();
        assert_eq!(m, ForecastMethod::Trend);
    }

    #[test]
    fn thresholds_validate() {
        PaceThresholds::default().validate().unwrap();
        assert_eq!(PaceThresholds::default(), th(10.0, 25.0));
        th(0.0, 0.0).validate().unwrap();
        th(0.0, 100.0).validate().unwrap();
        th(100.0, 100.0).validate().unwrap();
        for bad in [
            th(-1.0, 25.0),
            th(10.0, 101.0),
            th(30.0, 25.0),
            th(f64::NAN, 25.0),
            th(10.0, f64::INFINITY),
        ] {
            let e = bad.validate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid, "{bad:?}");
            assert!(e.hint().is_some(), "no hint for {bad:?}");
        }
    }

    #[test]
    fn expected_progress_rules() {
        let (s, e) = (d("2026-10-01"), d("2026-12-31"));
        assert_eq!(expected_progress(s, e, d("2026-09-01")), Some(0.0));
        assert_eq!(expected_progress(s, e, s), Some(0.0));
        assert_eq!(expected_progress(s, e, d("2026-11-15")), Some(45.0 / 91.0));
        assert_eq!(expected_progress(s, e, e), Some(1.0));
        assert_eq!(expected_progress(s, e, d("2027-03-01")), Some(1.0));
        assert_eq!(expected_progress(s, s, d("2026-09-30")), Some(0.0));
        assert_eq!(expected_progress(s, s, s), Some(1.0));
        assert_eq!(expected_progress(s, s, d("2026-10-02")), Some(1.0));
        assert_eq!(expected_progress(e, s, s), None);
        let p = expected_progress(s, e, d("2026-01-01")).unwrap();
        assert!(p.is_sign_positive());
    }

    #[test]
    fn pace_rules() {
        let t = PaceThresholds::default();
        assert_eq!(pace(0.25, 0.5, &t), PaceStatus::OffTrack);
        assert_eq!(pace(0.45, 0.5, &t), PaceStatus::OnTrack);
        assert_eq!(pace(0.35, 0.5, &t), PaceStatus::AtRisk);
        assert_eq!(pace(0.9, 0.5, &t), PaceStatus::OnTrack);
        // Boundaries: exactly at a threshold is the worse status, even where
        // binary arithmetic lands a hair short (0.5 − 0.4 = 0.0999…98).
        assert_eq!(pace(0.4, 0.5, &t), PaceStatus::AtRisk);
        assert_eq!(pace(0.7, 0.8, &t), PaceStatus::AtRisk);
        assert_eq!(pace(0.55, 0.8, &t), PaceStatus::OffTrack);
        assert_eq!(pace(0.0, 0.0, &th(0.0, 0.0)), PaceStatus::OffTrack);
        assert_eq!(pace(0.5, 0.5, &th(5.0, 15.0)), PaceStatus::OnTrack);
        assert_eq!(pace(0.4, 0.5, &th(5.0, 15.0)), PaceStatus::AtRisk);
        assert_eq!(pace(f64::NAN, 0.5, &t), PaceStatus::OffTrack);
        assert_eq!(pace(f64::MAX, -f64::MAX, &t), PaceStatus::OnTrack);
        assert_eq!(pace(-f64::MAX, f64::MAX, &t), PaceStatus::OffTrack);
    }

    #[test]
    fn pace_conventions() {
        let inclusive = PaceThresholds {
            inclusive: true,
            ..th(10.0, 25.0)
        };
        assert_eq!(pace(0.4, 0.5, &inclusive), PaceStatus::OnTrack);
        assert_eq!(pace(0.25, 0.5, &inclusive), PaceStatus::AtRisk);
        let ahead = PaceThresholds {
            ahead: Some(10.0),
            ..th(10.0, 25.0)
        };
        assert_eq!(pace(0.6, 0.5, &ahead), PaceStatus::Ahead);
        assert_eq!(pace(0.59, 0.5, &ahead), PaceStatus::OnTrack);
        assert_eq!(pace(f64::NAN, 0.5, &ahead), PaceStatus::OffTrack);
        let ratio = PaceThresholds {
            basis: PaceBasis::Ratio,
            ..th(5.0, 25.0)
        };
        assert_eq!(pace(0.475, 0.5, &ratio), PaceStatus::AtRisk);
        assert_eq!(pace(0.48, 0.5, &ratio), PaceStatus::OnTrack);
        assert_eq!(pace(0.375, 0.5, &ratio), PaceStatus::OffTrack);
        assert_eq!(pace(0.0, 0.0, &ratio), PaceStatus::OnTrack);
        assert_eq!(ratio.gap(0.3, 0.0), 0.0);
        let days = PaceThresholds {
            inclusive_days: true,
            ..th(10.0, 25.0)
        };
        let (s, e) = (d("2026-04-01"), d("2026-04-30"));
        assert_eq!(days.expected(s, e, d("2026-04-15")), Some(0.5));
        assert_eq!(days.expected(s, e, s), Some(0.0));
        assert_eq!(days.expected(s, e, e), Some(1.0));
        assert_eq!(days.expected(e, s, s), None);
        // Serialized, the conventions that are off are left out.
        assert_eq!(
            serde_json::to_string(&th(10.0, 25.0)).unwrap(),
            r#"{"at_risk":10.0,"off_track":25.0}"#
        );
        let back: PaceThresholds =
            serde_json::from_str(r#"{"at_risk":10.0,"off_track":25.0}"#).unwrap();
        assert_eq!(back, th(10.0, 25.0));
        assert!(
            PaceThresholds {
                ahead: Some(101.0),
                ..th(10.0, 25.0)
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn goal_pace_needs_progress_and_both_dates() {
        let t = PaceThresholds::default();
        let (s, e, today) = (d("2026-01-01"), d("2026-01-31"), d("2026-01-16"));
        assert_eq!(
            goal_pace(Some(0.25), Some(s), Some(e), today, &t),
            Some((0.5, PaceStatus::OffTrack))
        );
        assert_eq!(goal_pace(None, Some(s), Some(e), today, &t), None);
        assert_eq!(goal_pace(Some(0.25), None, Some(e), today, &t), None);
        assert_eq!(goal_pace(Some(0.25), Some(s), None, today, &t), None);
        assert_eq!(goal_pace(Some(0.25), Some(e), Some(s), today, &t), None);
    }

    #[test]
    fn forecast_rules() {
        let due = d("2026-12-31");
        assert_eq!(forecast(&[], due), None);
        assert_eq!(
            forecast(&[(d("2026-11-01"), 400.0)], due),
            Some(Forecast {
                value: 400.0,
                method: ForecastMethod::LastValue
            })
        );
        // Same day: the last in the slice.
        let f = forecast(&[(d("2026-11-01"), 400.0), (d("2026-11-01"), 380.0)], due).unwrap();
        assert_eq!((f.value, f.method), (380.0, ForecastMethod::LastValue));
        // Two points: the line through them.
        let f = forecast(&[(d("2026-12-01"), 20.0), (d("2026-11-01"), 10.0)], due).unwrap();
        assert_eq!(f.method, ForecastMethod::Trend);
        assert!(
            (f.value - (20.0 + 10.0 * 30.0 / 30.0)).abs() < 1e-9,
            "{f:?}"
        );
        // A perfect line is reproduced exactly.
        let pts = [
            (d("2026-01-01"), 10.0),
            (d("2026-01-11"), 20.0),
            (d("2026-01-21"), 30.0),
        ];
        let f = forecast(&pts, d("2026-01-31")).unwrap();
        assert_eq!((f.value, f.method), (40.0, ForecastMethod::Trend));
        // Non-finite values are ignored.
        let f = forecast(&[(d("2026-11-01"), f64::NAN), (d("2026-10-01"), 5.0)], due).unwrap();
        assert_eq!((f.value, f.method), (5.0, ForecastMethod::LastValue));
        assert_eq!(forecast(&[(d("2026-11-01"), f64::INFINITY)], due), None);
    }

    #[test]
    fn forecast_falls_back_to_last_value_on_overflow() {
        let pts = [(d("2026-01-01"), -f64::MAX), (d("2026-01-02"), f64::MAX)];
        let f = forecast(&pts, d("2026-12-31")).unwrap();
        assert_eq!((f.value, f.method), (f64::MAX, ForecastMethod::LastValue));
        // A steep but finite slope extended far beyond the points overflows too.
        let pts = [(d("2026-01-01"), 0.0), (d("2026-01-02"), f64::MAX / 2.0)];
        let f = forecast(&pts, NaiveDate::MAX).unwrap();
        assert_eq!(f.method, ForecastMethod::LastValue);
    }

    #[test]
    fn forecast_progress_is_progress_of_the_value() {
        let spec = MeasureSpec {
            direction: Direction::Decrease,
            baseline: 450.0,
            target: 200.0,
            stretch: None,
            floor: None,
            weight: 1.0,
        };
        let f = Forecast {
            value: 325.0,
            method: ForecastMethod::Trend,
        };
        assert_eq!(forecast_progress(&spec, &f), progress(&spec, Some(325.0)));
        assert_eq!(forecast_progress(&spec, &f).raw, 0.5);
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        let lo = NaiveDate::MIN.num_days_from_ce();
        let hi = NaiveDate::MAX.num_days_from_ce();
        (lo..=hi).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    fn near_date() -> impl Strategy<Value = NaiveDate> {
        (0u64..3650).prop_map(|n| d("2020-01-01") + chrono::Days::new(n))
    }

    fn finite() -> impl Strategy<Value = f64> {
        any::<f64>().prop_filter("finite", |x| x.is_finite())
    }

    proptest! {
        #[test]
        fn expected_is_always_in_unit_interval(s in date(), e in date(), t in date()) {
            match expected_progress(s, e, t) {
                None => prop_assert!(e < s),
                Some(p) => {
                    prop_assert!((0.0..=1.0).contains(&p), "{p}");
                    prop_assert!(p.is_sign_positive());
                }
            }
        }

        #[test]
        fn expected_grows_with_today(s in near_date(), e in near_date(), t1 in near_date(), t2 in near_date()) {
            let (a, b) = if t1 <= t2 { (t1, t2) } else { (t2, t1) };
            if let (Some(pa), Some(pb)) = (expected_progress(s, e, a), expected_progress(s, e, b)) {
                prop_assert!(pa <= pb);
            }
        }

        #[test]
        fn falling_further_behind_never_improves_pace(
            p1 in 0.0f64..=1.0, p2 in 0.0f64..=1.0, e in 0.0f64..=1.0,
            a in 0.0f64..=100.0, b in 0.0f64..=100.0,
        ) {
            let t = th(a.min(b), a.max(b));
            let (lo, hi) = if p1 <= p2 { (p1, p2) } else { (p2, p1) };
            prop_assert!(pace(lo, e, &t) >= pace(hi, e, &t));
        }

        #[test]
        fn forecast_is_finite_for_finite_inputs(
            pts in proptest::collection::vec((date(), finite()), 0..12), due in date(),
        ) {
            match forecast(&pts, due) {
                None => prop_assert!(pts.is_empty()),
                Some(f) => {
                    prop_assert!(f.value.is_finite(), "{f:?}");
                    prop_assert!(!(f.value == 0.0 && f.value.is_sign_negative()));
                }
            }
        }

        #[test]
        fn forecast_of_a_line_reproduces_the_line(
            a in -1e6f64..1e6, b in -1e3f64..1e3,
            days in proptest::collection::btree_set(0u64..=91, 2..10),
            due_day in 0u64..4000,
        ) {
            let origin = d("2024-01-01");
            let at = |n: u64| origin + chrono::Days::new(n);
            let line = |n: u64| a + b * n as f64;
            let pts: Vec<(NaiveDate, f64)> = days.iter().rev().map(|&n| (at(n), line(n))).collect();
            let f = forecast(&pts, at(due_day)).unwrap();
            prop_assert_eq!(f.method, ForecastMethod::Trend);
            let want = line(due_day);
            let scale = 1.0 + a.abs() + b.abs() * 4000.0;
            prop_assert!((f.value - want).abs() <= 1e-9 * scale, "{} vs {}", f.value, want);
        }

        #[test]
        fn check_ins_before_the_window_do_not_change_the_forecast(
            recent in proptest::collection::vec((0u64..=91, -1e6f64..1e6), 1..10),
            old in proptest::collection::vec((92u64..2000, finite()), 0..10),
            due_day in 0u64..4000,
        ) {
            // Days are counted back from the latest check-in, day 3000.
            let at = |back: u64| d("2024-01-01") + chrono::Days::new(3000 - back);
            let mut pts: Vec<(NaiveDate, f64)> = recent.iter().map(|&(b, v)| (at(b), v)).collect();
            pts.push((at(0), 1.0));
            let due = d("2024-01-01") + chrono::Days::new(due_day);
            let without = forecast(&pts, due);
            let mut with = old.iter().map(|&(b, v)| (at(b), v)).collect::<Vec<_>>();
            with.extend(pts.iter().copied());
            prop_assert_eq!(forecast(&with, due), without);
        }

        #[test]
        fn one_day_of_points_forecasts_the_last(day in date(), vals in proptest::collection::vec(finite(), 1..6), due in date()) {
            let pts: Vec<(NaiveDate, f64)> = vals.iter().map(|&v| (day, v)).collect();
            let f = forecast(&pts, due).unwrap();
            prop_assert_eq!(f.method, ForecastMethod::LastValue);
            let last = *vals.last().unwrap();
            prop_assert_eq!(f.value, if last == 0.0 { 0.0 } else { last });
        }
    }
}
