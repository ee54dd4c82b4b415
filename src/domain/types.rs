//! The enumerations of the domain, with their user-facing spellings.
//!
//! Every enum parses from and displays as its lowercase name (the spelling
//! used on the command line, in TOML plan files, in the database and in JSON).

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! spelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every spelling, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value spelled exactly `name` (no trimming or case folding,
            /// and no error to build: for reading stored and shown values).
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The spelling used on the command line, in files and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                let lower = s.trim().to_ascii_lowercase();
                $(if lower == $text { return Ok($name::$variant); })+
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                Err(Error::invalid(format!("unknown {} '{}'", $what, s))
                    .with_hint(format!("use one of: {}", names.join(", "))))
            }
        }
    };
}

spelled_enum!(
    /// Whether a measure improves by going up or down.
    Direction, "direction" {
        /// Higher is better (revenue, coverage).
        Increase => "increase",
        /// Lower is better (latency, cost, defects).
        Decrease => "decrease",
    }
);

spelled_enum!(
    /// What kind of value a measure holds.
    MeasureKind, "measure kind" {
        /// A plain number with an optional unit.
        Number => "number",
        /// A percentage, 0–100.
        Percent => "percent",
        /// An amount of money; the unit names the currency.
        Currency => "currency",
        /// Done or not: 0 or 1.
        YesNo => "yesno",
        /// Milestones reached, counted up to the target.
        Milestone => "milestone",
    }
);

spelled_enum!(
    /// The life-cycle state of a goal.
    GoalStatus, "goal status" {
        /// Being drafted; not yet committed to.
        Draft => "draft",
        /// Committed to and being worked on.
        Active => "active",
        /// Closed: the goal was achieved.
        Achieved => "achieved",
        /// Closed: the goal was missed.
        Missed => "missed",
        /// Closed: the goal was dropped (left out of roll-ups).
        Dropped => "dropped",
    }
);

spelled_enum!(
    /// How important a goal is relative to its siblings.
    Priority, "priority" {
        /// Nice to have.
        Low => "low",
        /// The default.
        Medium => "medium",
        /// Must happen.
        High => "high",
    }
);

spelled_enum!(
    /// The dimension of performance a goal is about (quantity, quality, cost, timeliness).
    Category, "category" {
        /// How much is produced.
        Quantity => "quantity",
        /// How good it is.
        Quality => "quality",
        /// What it costs.
        Cost => "cost",
        /// How fast or on time.
        Timeliness => "timeliness",
    }
);

spelled_enum!(
    /// How a measured value compares with the standard set for it.
    Standard, "standard" {
        /// Worse than the floor: unacceptable.
        Unacceptable => "unacceptable",
        /// Below expectations: short of the target.
        Below => "below",
        /// Meets expectations: at or beyond the target.
        Meets => "meets",
        /// Exceeds expectations: at or beyond the stretch level.
        Exceeds => "exceeds",
    }
);

spelled_enum!(
    /// How a goal's progress compares with the progress expected by today
    /// (see [`mod@crate::domain::pace`]).
    PaceStatus, "pace status" {
        /// Ahead of the expected progress by at least the ahead threshold
        /// (only when one is configured).
        Ahead => "ahead",
        /// Behind by less than the at-risk threshold, or ahead.
        OnTrack => "on-track",
        /// Behind by at least the at-risk threshold but less than the off-track one.
        AtRisk => "at-risk",
        /// Behind by at least the off-track threshold.
        OffTrack => "off-track",
    }
);

impl GoalStatus {
    /// Whether the goal is closed (achieved, missed or dropped).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            GoalStatus::Achieved | GoalStatus::Missed | GoalStatus::Dropped
        )
    }
}

impl Direction {
    /// Whether `value` is at or beyond `level` in this direction: `>=` for
    /// [`Direction::Increase`], `<=` for [`Direction::Decrease`].
    pub fn is_at_or_beyond(self, value: f64, level: f64) -> bool {
        match self {
            Direction::Increase => value >= level,
            Direction::Decrease => value <= level,
        }
    }

    /// Whether `value` is strictly worse than `level` in this direction: `<`
    /// for [`Direction::Increase`], `>` for [`Direction::Decrease`].
    pub fn is_worse_than(self, value: f64, level: f64) -> bool {
        match self {
            Direction::Increase => value < level,
            Direction::Decrease => value > level,
        }
    }

    /// The other direction.
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Increase => Direction::Decrease,
            Direction::Decrease => Direction::Increase,
        }
    }
}

spelled_enum!(
    /// What a piece of feedback is.
    FeedbackKind, "feedback kind" {
        /// Recognition of good work.
        Praise => "praise",
        /// Advice on how to do better.
        Coaching => "coaching",
        /// A problem that needs attention.
        Concern => "concern",
        /// Multi-rater (360-degree) input.
        ThreeSixty => "360",
    }
);

spelled_enum!(
    /// Who writes a review in an appraisal cycle.
    ReviewKind, "review kind" {
        /// The subject reviews themself.
        SelfReview => "self",
        /// The subject's manager.
        Manager => "manager",
        /// A colleague nominated as a peer reviewer.
        Peer => "peer",
        /// Someone who reports to the subject.
        Upward => "upward",
    }
);

spelled_enum!(
    /// A part of an appraisal score, weighted in the review template.
    Component, "score component" {
        /// Goal attainment, mapped onto the rating scale.
        Goals => "goals",
        /// The self review's score.
        SelfReview => "self",
        /// The manager review's score.
        Manager => "manager",
        /// The mean of the peer reviews' scores.
        Peer => "peer",
        /// The mean of the upward reviews' scores.
        Upward => "upward",
        /// The manager review's ratings of competencies only.
        Competencies => "competencies",
    }
);

spelled_enum!(
    /// How a missing score component counts in the final score.
    MissingRule, "missing rule" {
        /// Left out, and the weights of the others re-normalised to 100.
        Renormalize => "renormalize",
        /// Counted as 0 with its weight.
        Zero => "zero",
    }
);

spelled_enum!(
    /// Where a review cycle is in its life (see [`crate::domain::cycle`]).
    CycleState, "cycle state" {
        /// Being set up: participants, template, nominations.
        Draft => "draft",
        /// Reviews are being written.
        Open => "open",
        /// Reviews are closed; levels are calibrated and outcomes recorded.
        Calibrating => "calibrating",
        /// Scores are stored; the cycle is read-only until reopened.
        Finalized => "finalized",
    }
);

spelled_enum!(
    /// Whether a review is still being written.
    ReviewState, "review state" {
        /// A draft, seen only by its author.
        Pending => "pending",
        /// Submitted: it counts and can no longer change.
        Submitted => "submitted",
    }
);

/// How a status reads at a glance: what reports colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    /// Going well or done: on track, meets, achieved, active.
    Good,
    /// Needs attention: at risk, below, a draft, pending.
    Warn,
    /// Gone wrong: off track, unacceptable, missed, overdue.
    Bad,
    /// Out of play: dropped, archived, closed.
    Muted,
}

impl GoalStatus {
    /// How the status reads.
    pub fn sentiment(self) -> Sentiment {
        match self {
            GoalStatus::Draft => Sentiment::Warn,
            GoalStatus::Active | GoalStatus::Achieved => Sentiment::Good,
            GoalStatus::Missed => Sentiment::Bad,
            GoalStatus::Dropped => Sentiment::Muted,
        }
    }
}

impl PaceStatus {
    /// How the pace reads.
    pub fn sentiment(self) -> Sentiment {
        match self {
            PaceStatus::Ahead | PaceStatus::OnTrack => Sentiment::Good,
            PaceStatus::AtRisk => Sentiment::Warn,
            PaceStatus::OffTrack => Sentiment::Bad,
        }
    }
}

impl Standard {
    /// How the standard reads.
    pub fn sentiment(self) -> Sentiment {
        match self {
            Standard::Unacceptable => Sentiment::Bad,
            Standard::Below => Sentiment::Warn,
            Standard::Meets | Standard::Exceeds => Sentiment::Good,
        }
    }
}

impl ReviewState {
    /// How the review's state reads (a submitted review needs nothing).
    pub fn sentiment(self) -> Option<Sentiment> {
        match self {
            ReviewState::Pending => Some(Sentiment::Warn),
            ReviewState::Submitted => None,
        }
    }
}

/// The sentiment of a status word as shown in a report (case, `_` and
/// spaces ignored): a goal status, pace, standard or review state, or one
/// of the words reports use for checks (`ok`, `done`, `overdue`, `closed`).
pub fn sentiment(word: &str) -> Option<Sentiment> {
    let w = word.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    if let Some(s) = GoalStatus::from_name(&w) {
        return Some(s.sentiment());
    }
    if let Some(s) = PaceStatus::from_name(&w) {
        return Some(s.sentiment());
    }
    if let Some(s) = Standard::from_name(&w) {
        return Some(s.sentiment());
    }
    if let Some(s) = ReviewState::from_name(&w) {
        return s.sentiment();
    }
    match w.as_str() {
        "done" | "ok" => Some(Sentiment::Good),
        "overdue" => Some(Sentiment::Bad),
        "archived" | "closed" => Some(Sentiment::Muted),
        _ => None,
    }
}
