//! The configuration file (TOML): defaults for the database, the acting
//! person, the week start, colour and the lock timeout.
//!
//! Precedence, highest first: command-line flag, environment variable,
//! configuration file, built-in default. Unknown keys are rejected with their
//! line and column so a typo never silently does nothing.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The keys a configuration file may set.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Default database path (`~` is expanded).
    pub db: Option<String>,
    /// Default acting person (like `--as`).
    pub user: Option<String>,
    /// First day of the week: monday … sunday.
    pub week_start: Option<String>,
    /// Colour: auto, always or never.
    pub color: Option<String>,
    /// How long to wait for another process's lock, in milliseconds.
    pub busy_timeout_ms: Option<u64>,
    /// Check-in settings.
    #[serde(default)]
    pub checkin: CheckinConfig,
    /// Pace thresholds.
    #[serde(default)]
    pub pace: PaceConfig,
    /// Progress conventions.
    #[serde(default)]
    pub progress: ProgressConfig,
}

/// `[progress]`: the conventions of the measure and goal progress rules
/// (each the documented default unless set).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProgressConfig {
    /// A measure whose target equals its baseline: all-or-nothing (default), zero or half.
    pub start_equals_target: Option<String>,
    /// A goal with no measures and nothing to roll up: none (default) or zero.
    pub empty_goal: Option<String>,
    /// What progress is measured to: target (default) or stretch.
    pub reference: Option<String>,
    /// Zone bounds [commit, target, stretch] as fractions of the way (default: no zones).
    pub zones: Option<Vec<f64>>,
}

impl ProgressConfig {
    /// The rule for a target equal to the baseline.
    pub fn flat_target(&self) -> crate::domain::FlatTarget {
        self.start_equals_target
            .as_deref()
            .and_then(crate::domain::FlatTarget::from_name)
            .unwrap_or_default()
    }

    /// What progress is measured to.
    pub fn reference(&self) -> crate::domain::ProgressReference {
        self.reference
            .as_deref()
            .and_then(crate::domain::ProgressReference::from_name)
            .unwrap_or_default()
    }

    /// The zone bounds, when zones are configured (checked when the file is read).
    pub fn zones(&self) -> Option<[f64; 3]> {
        match self.zones.as_deref() {
            Some(&[c, t, s]) => Some([c, t, s]),
            _ => None,
        }
    }

    /// The rule for a goal with nothing to measure.
    pub fn empty_goal(&self) -> crate::domain::EmptyGoal {
        match self.empty_goal.as_deref() {
            Some("zero") => crate::domain::EmptyGoal::Zero,
            _ => crate::domain::EmptyGoal::None,
        }
    }
}

/// `[checkin]`: how often people are expected to check in, and value ranges.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CheckinConfig {
    /// Days between expected check-ins (default 7); a person's own cadence overrides it.
    pub cadence_days: Option<u32>,
    /// The largest value a percent measure accepts (default 100).
    pub percent_max: Option<u32>,
}

/// `[pace]`: when a goal behind its expected progress is at risk or off track,
/// in percentage points of progress, and the conventions of the rule (every
/// one off unless set).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PaceConfig {
    /// Behind by at least this many points: at risk (default 10).
    pub at_risk: Option<f64>,
    /// Behind by at least this many points: off track (default 25).
    pub off_track: Option<f64>,
    /// Ahead by at least this many points: the "ahead" state (default: none).
    pub ahead: Option<f64>,
    /// A gap exactly at a threshold keeps the better status (default false).
    pub inclusive: Option<bool>,
    /// "points" (default) or "ratio": the gap as a percentage of the expected progress.
    pub basis: Option<String>,
    /// Count days inclusively, nothing expected on the start day (default false).
    pub inclusive_days: Option<bool>,
}

impl PaceConfig {
    /// The pace rule these keys give, the defaults where left out.
    pub fn thresholds(&self) -> crate::domain::pace::PaceThresholds {
        use crate::domain::pace::{PaceBasis, PaceThresholds};
        let d = PaceThresholds::default();
        PaceThresholds {
            at_risk: self.at_risk.unwrap_or(d.at_risk),
            off_track: self.off_track.unwrap_or(d.off_track),
            ahead: self.ahead,
            inclusive: self.inclusive.unwrap_or(false),
            basis: match self.basis.as_deref() {
                Some("ratio") => PaceBasis::Ratio,
                _ => PaceBasis::Points,
            },
            inclusive_days: self.inclusive_days.unwrap_or(false),
        }
    }
}

/// Turn a byte offset into a 1-based (line, column).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Format a TOML error as `FILE:LINE:COL: message`.
pub fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> Error {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            Error::invalid(format!("{file}:{line}:{col}: {msg}"))
        }
        None => Error::invalid(format!("{file}: {msg}")),
    }
}

impl Config {
    /// Parse configuration text; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| {
            toml_error(file, text, &e)
                .with_hint("valid keys: db, user, week_start, color, busy_timeout_ms, [checkin] cadence_days, percent_max, [pace] at_risk, off_track, ahead, inclusive, basis, inclusive_days, [progress] start_equals_target, empty_goal, reference, zones")
        })?;
        if let Some(c) = &config.color {
            if !matches!(c.as_str(), "auto" | "always" | "never") {
                return Err(Error::invalid(format!(
                    "{file}: color must be auto, always or never (got '{c}')"
                )));
            }
        }
        if config.checkin.cadence_days == Some(0) {
            return Err(Error::invalid(format!(
                "{file}: checkin.cadence_days must be at least 1"
            )));
        }
        let (a, o) = (
            config.pace.at_risk.unwrap_or(10.0),
            config.pace.off_track.unwrap_or(25.0),
        );
        let at = |key: &str| {
            let needle = format!("{key} =");
            let (line, col) = text
                .find(&needle)
                .or_else(|| text.find(key))
                .map_or((1, 1), |i| line_col(text, i));
            format!("{file}:{line}:{col}")
        };
        if !(a.is_finite() && o.is_finite() && 0.0 <= a && a <= o && o <= 100.0) {
            return Err(Error::invalid(format!(
                "{}: pace thresholds must satisfy 0 <= at_risk <= off_track <= 100 (got {a} and {o})",
                at(if config.pace.at_risk.is_some() {
                    "at_risk"
                } else {
                    "off_track"
                })
            )));
        }
        if let Some(h) = config.pace.ahead {
            if !(h.is_finite() && (0.0..=100.0).contains(&h)) {
                return Err(Error::invalid(format!(
                    "{}: pace.ahead must be from 0 to 100 (got {h})",
                    at("ahead")
                ))
                .with_hint("ahead is how far progress may be beyond the expected progress before it is shown as ahead"));
            }
        }
        if let Some(v) = &config.progress.start_equals_target {
            if crate::domain::FlatTarget::from_name(v).is_none() {
                return Err(Error::invalid(format!(
                    "{}: progress.start_equals_target must be all-or-nothing, zero or half (got '{v}')",
                    at("start_equals_target")
                )));
            }
        }
        if let Some(v) = &config.progress.empty_goal {
            if !matches!(v.as_str(), "none" | "zero") {
                return Err(Error::invalid(format!(
                    "{}: progress.empty_goal must be none or zero (got '{v}')",
                    at("empty_goal")
                )));
            }
        }
        if let Some(v) = &config.progress.reference {
            if crate::domain::ProgressReference::from_name(v).is_none() {
                return Err(Error::invalid(format!(
                    "{}: progress.reference must be target or stretch (got '{v}')",
                    at("reference")
                )));
            }
        }
        if let Some(z) = &config.progress.zones {
            let ok = z.len() == 3
                && z.iter().all(|b| b.is_finite())
                && 0.0 < z[0]
                && z[0] < z[1]
                && z[1] < z[2];
            if !ok {
                return Err(Error::invalid(format!(
                    "{}: progress.zones must be three increasing fractions of the way, above 0 (got {z:?})",
                    at("zones")
                ))
                .with_hint("the bounds of the commit, target and stretch zones, e.g. zones = [0.3, 0.7, 1.0]"));
            }
        }
        if let Some(b) = &config.pace.basis {
            if !matches!(b.as_str(), "points" | "ratio") {
                return Err(Error::invalid(format!(
                    "{}: pace.basis must be points or ratio (got '{b}')",
                    at("basis")
                ))
                .with_hint("points: the gap in percentage points; ratio: the gap as a percentage of the expected progress"));
            }
        }
        Ok(config)
    }

    /// Load a configuration file. A missing file is an empty configuration
    /// when `required` is false (the default path), an error otherwise.
    pub fn load(path: &Path, required: bool) -> Result<Config> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::invalid(format!("{} is not valid UTF-8 text", path.display()))
                })?;
                Config::parse(&text, &path.display().to_string())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(e) => Err(Error::invalid(format!(
                "cannot read configuration {}: {e}",
                path.display()
            ))
            .with_hint("check --config / YARDSTICK_CONFIG")),
        }
    }
}

/// Expand a leading `~/` with the home directory.
pub fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_has_line_and_column() {
        let e =
            Config::parse("db = \"x.db\"\nweek_stat = \"sunday\"\n", "config.toml").unwrap_err();
        assert!(
            e.message().starts_with("config.toml:2:1:"),
            "{}",
            e.message()
        );
        assert!(e.message().contains("week_stat"), "{}", e.message());
    }

    #[test]
    fn parses_known_keys() {
        let c = Config::parse(
            "user = \"alice\"\ncolor = \"never\"\nbusy_timeout_ms = 100\n",
            "c",
        )
        .unwrap();
        assert_eq!(c.user.as_deref(), Some("alice"));
        assert_eq!(c.busy_timeout_ms, Some(100));
        assert!(Config::parse("color = \"blue\"", "c").is_err());
    }

    #[test]
    fn nested_tables() {
        let c = Config::parse(
            "[checkin]\ncadence_days = 14\n[pace]\nat_risk = 5\noff_track = 20\n",
            "c",
        )
        .unwrap();
        assert_eq!(c.checkin.cadence_days, Some(14));
        assert_eq!(c.pace.off_track, Some(20.0));
        let e = Config::parse("[pace]\nat_risk = 30\noff_track = 20\n", "c").unwrap_err();
        assert!(e.message().contains("at_risk <= off_track"));
        let e = Config::parse("[checkin]\ncadense = 3\n", "c.toml").unwrap_err();
        assert!(e.message().starts_with("c.toml:2:1:"), "{}", e.message());
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
