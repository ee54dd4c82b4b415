//! The demo organisation's fixed data: departments with their goals and
//! metrics, named people, name parts for generated people, and the ongoing
//! standards of a long history.

use crate::domain::MeasureKind;

/// A department: its team, its quarterly goal and metric, and the personal
/// goals its members take on.
pub(super) struct TeamSpec {
    pub(super) handle: &'static str,
    pub(super) name: &'static str,
    pub(super) goal_key: &'static str,
    pub(super) goal: &'static str,
    pub(super) parent_goal: &'static str,
    pub(super) metric: (
        &'static str,
        &'static str,
        MeasureKind,
        f64,
        f64,
        Option<f64>,
        Option<f64>,
    ),
    pub(super) personal: &'static [(
        &'static str,
        &'static str,
        &'static str,
        MeasureKind,
        f64,
        f64,
    )],
}

pub(super) const TEAMS: &[TeamSpec] = &[
    TeamSpec {
        handle: "platform",
        name: "Platform",
        goal_key: "api-latency",
        goal: "Cut API latency",
        parent_goal: "reliable-product",
        metric: (
            "p95 latency",
            "ms",
            MeasureKind::Number,
            450.0,
            200.0,
            Some(150.0),
            Some(600.0),
        ),
        personal: &[
            (
                "Cache the hot endpoints",
                "cache hit rate",
                "%",
                MeasureKind::Percent,
                40.0,
                80.0,
            ),
            (
                "Fix the slowest queries",
                "slow queries",
                "queries",
                MeasureKind::Number,
                120.0,
                30.0,
            ),
            (
                "Ship zero-downtime deploys",
                "shipped",
                "",
                MeasureKind::YesNo,
                0.0,
                1.0,
            ),
            (
                "Raise test coverage",
                "line coverage",
                "%",
                MeasureKind::Percent,
                62.0,
                80.0,
            ),
        ],
    },
    TeamSpec {
        handle: "product",
        name: "Product",
        goal_key: "activation",
        goal: "Improve activation of new accounts",
        parent_goal: "grow-revenue",
        metric: (
            "activation rate",
            "%",
            MeasureKind::Percent,
            30.0,
            45.0,
            Some(50.0),
            Some(25.0),
        ),
        personal: &[
            (
                "Run activation experiments",
                "experiments run",
                "experiments",
                MeasureKind::Number,
                0.0,
                6.0,
            ),
            (
                "Redesign onboarding",
                "milestones",
                "",
                MeasureKind::Milestone,
                0.0,
                5.0,
            ),
            (
                "Cut time to first report",
                "median minutes",
                "min",
                MeasureKind::Number,
                38.0,
                15.0,
            ),
        ],
    },
    TeamSpec {
        handle: "sales",
        name: "Sales",
        goal_key: "enterprise-pipeline",
        goal: "Expand the enterprise pipeline",
        parent_goal: "grow-revenue",
        metric: (
            "qualified pipeline",
            "EUR",
            MeasureKind::Currency,
            1_200_000.0,
            2_000_000.0,
            Some(2_400_000.0),
            None,
        ),
        personal: &[
            (
                "Close enterprise deals",
                "deals closed",
                "deals",
                MeasureKind::Number,
                0.0,
                4.0,
            ),
            (
                "Grow renewals",
                "renewal revenue",
                "EUR",
                MeasureKind::Currency,
                150_000.0,
                300_000.0,
            ),
            (
                "Shorten the sales cycle",
                "median days",
                "days",
                MeasureKind::Number,
                64.0,
                45.0,
            ),
        ],
    },
];

pub(super) const NAMED: &[(&str, &str, &str, usize)] = &[
    // handle, name, title, team index (TEAMS) — leads first
    ("bob", "Bob Okafor", "Engineering lead", 0),
    ("priya", "Priya Raman", "Head of product", 1),
    ("sam", "Sam Lindqvist", "Sales director", 2),
    ("alice", "Alice Moreau", "Senior engineer", 0),
    ("chen", "Chen Wei", "Database engineer", 0),
    ("eve", "Eve Santos", "Site reliability engineer", 0),
    ("omar", "Omar Haddad", "Product designer", 1),
    ("lena", "Lena Fischer", "Product analyst", 1),
    ("kim", "Kim Park", "Account executive", 2),
    ("raj", "Raj Patel", "Account executive", 2),
    ("mia", "Mia Costa", "Customer success manager", 2),
];

pub(super) const FIRST: &[&str] = &[
    "Ada", "Ben", "Cleo", "Dev", "Ella", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai", "Lea", "Max",
    "Nia", "Oli", "Pia",
];
pub(super) const LAST: &[&str] = &[
    "Adams", "Berg", "Cruz", "Diaz", "Ekström", "Fox", "Gupta", "Hale", "Ito", "Jansen", "Khan",
    "Lund", "Meyer", "Novak",
];

/// Ongoing standards everyone keeps when the history is longer than a
/// quarter: (title, measures as (name, unit, kind, baseline, target)).
pub(super) type StandardMeasure = (&'static str, &'static str, MeasureKind, f64, f64);
pub(super) const STANDARDS: &[(&str, [StandardMeasure; 2])] = &[
    (
        "Answer customers quickly",
        [
            ("first reply", "hours", MeasureKind::Number, 24.0, 8.0),
            ("tickets reopened", "%", MeasureKind::Percent, 12.0, 5.0),
        ],
    ),
    (
        "Deliver what was committed",
        [
            ("commitments met", "%", MeasureKind::Percent, 70.0, 90.0),
            ("carried-over items", "items", MeasureKind::Number, 6.0, 2.0),
        ],
    ),
    (
        "Keep quality high",
        [
            (
                "defects after release",
                "defects",
                MeasureKind::Number,
                10.0,
                3.0,
            ),
            (
                "review turnaround",
                "hours",
                MeasureKind::Number,
                30.0,
                12.0,
            ),
        ],
    ),
    (
        "Keep learning",
        [
            ("courses completed", "", MeasureKind::Milestone, 0.0, 6.0),
            (
                "mentoring sessions",
                "sessions",
                MeasureKind::Number,
                0.0,
                24.0,
            ),
        ],
    ),
    (
        "Work well across teams",
        [
            (
                "cross-team reviews",
                "reviews",
                MeasureKind::Number,
                0.0,
                30.0,
            ),
            (
                "peer feedback score",
                "points",
                MeasureKind::Number,
                3.0,
                4.2,
            ),
        ],
    ),
];

/// How many people a generated squad has, its lead included.
pub(super) const SQUAD: usize = 8;
