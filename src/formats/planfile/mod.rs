//! Plans as code: the TOML plan file that `plan apply` reads and `plan
//! export` writes.
//!
//! The module is pure: [`parse`] turns text into a validated [`PlanFile`]
//! (with source [`Positions`] for errors found later), [`to_toml`] writes the
//! canonical text back, [`diff`] lists what a desired state changes relative
//! to a current one, [`merge`] computes the state after applying it and
//! [`check_references`] checks that every reference in a whole state
//! resolves. The format is described in `docs/plan-file.md`.
//!
//! Identity: periods are matched by name, teams and people by handle, goals
//! by key and measures by (goal key, measure name).

mod change;
mod diff;
mod parse;
mod raw;
mod refs;
mod write;

use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use chrono::NaiveDate;
use std::collections::HashMap;

pub use change::{Change, Entity, EntityRef, FieldChange};
pub use diff::{diff, merge};
pub use parse::parse;
pub use refs::check_references;
pub use write::{canonicalize, to_toml};

/// The largest magnitude accepted for any number in a plan file (±10¹⁵).
///
/// Larger values are almost certainly typos, and keeping below 2⁵³ means
/// every whole number is exact.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// The longest team or person handle.
pub const MAX_HANDLE_LEN: usize = 32;

/// The longest goal key.
pub const MAX_KEY_LEN: usize = 64;

/// A whole plan: the contents of one plan file, or the whole state of a
/// database expressed in the same terms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanFile {
    /// Custom periods (`[[period]]`); built-in names need no declaration.
    pub periods: Vec<PeriodDef>,
    /// Teams (`[[team]]`).
    pub teams: Vec<TeamDef>,
    /// People (`[[person]]`).
    pub people: Vec<PersonDef>,
    /// Goals with their measures (`[[goal]]`, `[[goal.measure]]`).
    pub goals: Vec<GoalDef>,
}

impl PlanFile {
    /// The period with this name, if declared.
    pub fn period(&self, name: &str) -> Option<&PeriodDef> {
        self.periods.iter().find(|p| p.name == name)
    }

    /// The team with this handle.
    pub fn team(&self, handle: &str) -> Option<&TeamDef> {
        self.teams.iter().find(|t| t.handle == handle)
    }

    /// The person with this handle.
    pub fn person(&self, handle: &str) -> Option<&PersonDef> {
        self.people.iter().find(|p| p.handle == handle)
    }

    /// The goal with this key.
    pub fn goal(&self, key: &str) -> Option<&GoalDef> {
        self.goals.iter().find(|g| g.key == key)
    }

    /// The measure `name` of goal `key`.
    pub fn measure(&self, key: &str, name: &str) -> Option<&MeasureDef> {
        self.goal(key)?.measures.iter().find(|m| m.name == name)
    }

    /// Whether the plan declares nothing at all.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
            && self.teams.is_empty()
            && self.people.is_empty()
            && self.goals.is_empty()
    }
}

/// A custom, named date range such as a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeriodDef {
    /// The name goals refer to (`FY2027`).
    pub name: String,
    /// The first day.
    pub start: NaiveDate,
    /// The last day (inclusive).
    pub end: NaiveDate,
}

/// A team: a node in the organisation tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TeamDef {
    /// The stable handle (`platform`).
    pub handle: String,
    /// The display name.
    pub name: String,
    /// The handle of the parent team; none for the root (the organisation).
    pub parent: Option<String>,
    /// The handle of the person who leads the team.
    pub lead: Option<String>,
}

pub use crate::domain::Mission;

/// A person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDef {
    /// The stable handle (`alice`).
    pub handle: String,
    /// The full name.
    pub name: String,
    /// An email address.
    pub email: Option<String>,
    /// A job title.
    pub title: Option<String>,
    /// The handle of the person's manager.
    pub manager: Option<String>,
    /// The handle of the person's team.
    pub team: Option<String>,
    /// Whether the person is active (true unless said otherwise).
    pub active: bool,
    /// The person's job mission statement.
    pub mission: Option<Mission>,
}

impl Default for PersonDef {
    fn default() -> Self {
        Self {
            handle: String::new(),
            name: String::new(),
            email: None,
            title: None,
            manager: None,
            team: None,
            active: true,
            mission: None,
        }
    }
}

/// A goal with its measures.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalDef {
    /// The stable key (`api-latency`): the goal's identity in files.
    pub key: String,
    /// The title.
    pub title: String,
    /// A longer description.
    pub description: Option<String>,
    /// The handle of the owner: a person or a team.
    pub owner: String,
    /// The key of the goal this one aligns to.
    pub parent: Option<String>,
    /// The period name (built-in like `2026-Q4`, or declared).
    pub period: Option<String>,
    /// The start date.
    pub start: Option<NaiveDate>,
    /// The due date.
    pub due: Option<NaiveDate>,
    /// The weight among siblings (> 0; default 1).
    pub weight: f64,
    /// The priority (default medium).
    pub priority: Priority,
    /// The category: quantity, quality, cost or timeliness.
    pub category: Option<Category>,
    /// The status (default active).
    pub status: GoalStatus,
    /// The measures, in the order given.
    pub measures: Vec<MeasureDef>,
}

impl Default for GoalDef {
    fn default() -> Self {
        Self {
            key: String::new(),
            title: String::new(),
            description: None,
            owner: String::new(),
            parent: None,
            period: None,
            start: None,
            due: None,
            weight: 1.0,
            priority: Priority::Medium,
            category: None,
            status: GoalStatus::Active,
            measures: Vec::new(),
        }
    }
}

/// A measure (KPI, key result) of a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureDef {
    /// The name, unique within its goal.
    pub name: String,
    /// The unit (`ms`, `EUR`).
    pub unit: Option<String>,
    /// The kind of value (default number).
    pub kind: MeasureKind,
    /// Whether higher or lower is better.
    pub direction: Direction,
    /// The value at the start.
    pub baseline: f64,
    /// The value that meets expectations.
    pub target: f64,
    /// The value that exceeds expectations.
    pub stretch: Option<f64>,
    /// The value beyond which performance is unacceptable.
    pub floor: Option<f64>,
    /// The weight among the goal's measures (> 0; default 1).
    pub weight: f64,
}

impl Default for MeasureDef {
    fn default() -> Self {
        Self {
            name: String::new(),
            unit: None,
            kind: MeasureKind::Number,
            direction: Direction::Increase,
            baseline: 0.0,
            target: 0.0,
            stretch: None,
            floor: None,
            weight: 1.0,
        }
    }
}

/// The direction implied by a baseline and a target: decrease when the
/// target is below the baseline, otherwise increase.
pub fn inferred_direction(baseline: f64, target: f64) -> Direction {
    if target < baseline {
        Direction::Decrease
    } else {
        Direction::Increase
    }
}

/// Source positions of the entities and fields of a parsed file, for errors
/// found after parsing (such as an unknown owner).
///
/// Paths name an entity and optionally a field: `period.FY2027`,
/// `team.platform`, `team.platform.parent`, `person.alice.manager`,
/// `goal.api-latency`, `goal.api-latency.owner`,
/// `measure.api-latency/p95 latency`, `measure.api-latency/p95 latency.target`.
/// An entity's own position is that of its identifying field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Positions {
    map: HashMap<String, (usize, usize)>,
}

impl Positions {
    /// The 1-based (line, column) recorded for `path`.
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.map.get(path).copied()
    }

    /// Record a position (the first one recorded for a path wins).
    pub fn insert(&mut self, path: impl Into<String>, line: usize, column: usize) {
        self.map.entry(path.into()).or_insert((line, column));
    }

    /// How many paths have a position.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no position is recorded.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Whether `name` is a built-in period name that needs no declaration:
/// `2026`, `2026-H1`, `2026-Q3`, `2026-11` or `2026-W47`.
pub fn is_builtin_period(name: &str) -> bool {
    let b = name.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let rest = &name[4..];
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let num = |s: &str, lo: u32, hi: u32, len: usize| {
        s.len() == len
            && s.bytes().all(|c| c.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
    };
    if let Some(h) = rest.strip_prefix(['H', 'h']) {
        num(h, 1, 2, 1)
    } else if let Some(q) = rest.strip_prefix(['Q', 'q']) {
        num(q, 1, 4, 1)
    } else if let Some(w) = rest.strip_prefix(['W', 'w']) {
        num(w, 1, 53, 2)
    } else {
        num(rest, 1, 12, 2)
    }
}

/// Format a number the way plan files and change listings show it: whole
/// numbers without a fraction (`450`), others in the shortest form that
/// reads back exactly (`0.1`, `1e-7`).
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        // Never produced by valid plans; written so TOML still reads it.
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let a = x.abs();
    if (x.fract() == 0.0 && a < 1e16) || (1e-4..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn builtin_period_names() {
        for ok in [
            "2026", "2026-H1", "2026-h2", "2026-Q4", "2026-01", "2026-12", "2026-W01", "2026-W53",
        ] {
            assert!(is_builtin_period(ok), "{ok}");
        }
        for no in [
            "",
            "FY2027",
            "202",
            "20266",
            "2026-H3",
            "2026-Q0",
            "2026-Q5",
            "2026-13",
            "2026-00",
            "2026-1",
            "2026-W54",
            "2026-W1",
            "2026-",
            "2026-Q1x",
            "２０２６",
        ] {
            assert!(!is_builtin_period(no), "{no}");
        }
    }

    #[test]
    fn numbers_are_written_to_read_back_exactly() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (450.0, "450"),
            (-3.0, "-3"),
            (0.1, "0.1"),
            (99.95, "99.95"),
            (1e15, "1000000000000000"),
            (1e-7, "1e-7"),
            (1.5e-9, "1.5e-9"),
            (0.0001, "0.0001"),
        ];
        for (x, s) in cases {
            assert_eq!(format_number(x), s);
        }
        for x in [
            0.1,
            1.0 / 3.0,
            2.0f64.sqrt() * 1e12,
            123.456e-8,
            -7.25e-5,
            1e16,
            3e20,
        ] {
            let s = format_number(x);
            let v: toml::Value = toml::from_str(&format!("x = {s}")).unwrap();
            let back = v
                .get("x")
                .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                .unwrap();
            assert_eq!(back, x, "{s}");
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let g = GoalDef::default();
        assert_eq!(
            (g.weight, g.priority, g.status),
            (1.0, Priority::Medium, GoalStatus::Active)
        );
        let m = MeasureDef::default();
        assert_eq!((m.weight, m.kind), (1.0, MeasureKind::Number));
        assert!(PersonDef::default().active);
        assert_eq!(inferred_direction(450.0, 200.0), Direction::Decrease);
        assert_eq!(inferred_direction(1.0, 1.0), Direction::Increase);
    }

    #[test]
    fn positions_keep_the_first_insert() {
        let mut p = Positions::default();
        p.insert("goal.a", 1, 2);
        p.insert("goal.a", 3, 4);
        assert_eq!(p.get("goal.a"), Some((1, 2)));
        assert_eq!(p.len(), 1);
    }
}
