//! The domain, pure: goals, measures, progress, standards, roll-ups, pace,
//! forecasts and appraisal scores.
//!
//! No I/O, no clock, no printing: everything a rule needs comes in as an
//! argument, so every rule can be tested and documented with worked examples
//! (see `docs/scoring.md`).

pub mod access;
pub mod appraisal;
pub mod checkin;
pub mod cycle;
pub mod feedback;
pub mod goal;
pub mod graph;
pub mod measure;
pub mod names;
pub mod number;
pub mod org;
pub mod pace;
pub mod pip;
pub mod records;
pub mod revisions;
pub mod rollup;
pub mod text;
pub mod types;
pub mod value;

pub use appraisal::{
    Appraisal, Competency, ComponentScore, ComponentWeights, GoalInput, GoalMapping, Inputs, Level,
    Rating, ReviewInput, Scale, SummaryRule, Template, appraise,
};
pub use measure::{
    FlatTarget, MeasureSpec, Progress, ProgressReference, Zone, infer_direction, progress,
    progress_with, standard, zone,
};
pub use number::{check_finite, parse_number};
pub use org::Mission;
pub use pace::{
    Forecast, ForecastMethod, PaceBasis, PaceThresholds, expected_progress, forecast,
    forecast_progress, goal_pace, pace,
};
pub use rollup::{
    EmptyGoal, GoalNode, goal_progress, goal_progress_with, goal_standard, rollup_tree,
    weighted_mean,
};
pub use types::{
    Category, Component, CycleState, Direction, FeedbackKind, GoalStatus, MeasureKind, MissingRule,
    PaceStatus, Priority, ReviewKind, ReviewState, Standard,
};
