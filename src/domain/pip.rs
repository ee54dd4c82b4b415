//! Performance improvement plans: a subject, a period, the reason, the
//! expected results (goals with measures, owned by the subject), scheduled
//! check points and a closing outcome. Every step is logged, and the
//! subject acknowledges the plan with an optional comment.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;

/// How a plan ends, or that it goes on longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PipOutcome {
    /// The expected results were met: the plan is closed.
    Successful,
    /// More time: the plan goes on to a new end date.
    Extended,
    /// The expected results were not met: the plan is closed.
    Unsuccessful,
}

impl PipOutcome {
    /// The spellings, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &["successful", "extended", "unsuccessful"];

    /// The spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PipOutcome::Successful => "successful",
            PipOutcome::Extended => "extended",
            PipOutcome::Unsuccessful => "unsuccessful",
        }
    }

    /// An outcome as typed or stored.
    pub fn parse(s: &str) -> Result<PipOutcome> {
        match s.trim().to_ascii_lowercase().as_str() {
            "successful" => Ok(PipOutcome::Successful),
            "extended" => Ok(PipOutcome::Extended),
            "unsuccessful" => Ok(PipOutcome::Unsuccessful),
            _ => Err(
                Error::invalid(format!("unknown improvement plan outcome '{s}'"))
                    .with_hint("use successful, extended or unsuccessful"),
            ),
        }
    }

    /// Whether this outcome ends the plan.
    pub fn closes(self) -> bool {
        self != PipOutcome::Extended
    }
}

impl std::str::FromStr for PipOutcome {
    type Err = Error;
    fn from_str(s: &str) -> Result<PipOutcome> {
        PipOutcome::parse(s)
    }
}

/// A step in a plan's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PipStepKind {
    /// Started by a manager or admin.
    Started,
    /// A check point was held.
    Checkpoint,
    /// Extended to a new end date.
    Extended,
    /// Closed as successful or unsuccessful.
    Closed,
    /// The subject acknowledged it.
    Acknowledged,
}

impl PipStepKind {
    /// The spellings, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &[
        "started",
        "checkpoint",
        "extended",
        "closed",
        "acknowledged",
    ];

    /// The spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PipStepKind::Started => "started",
            PipStepKind::Checkpoint => "checkpoint",
            PipStepKind::Extended => "extended",
            PipStepKind::Closed => "closed",
            PipStepKind::Acknowledged => "acknowledged",
        }
    }

    /// A kind as stored.
    pub fn from_name(s: &str) -> Option<PipStepKind> {
        [
            PipStepKind::Started,
            PipStepKind::Checkpoint,
            PipStepKind::Extended,
            PipStepKind::Closed,
            PipStepKind::Acknowledged,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

impl std::str::FromStr for PipStepKind {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<PipStepKind, ()> {
        PipStepKind::from_name(s).ok_or(())
    }
}

/// An improvement plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pip {
    /// Row id (the number commands take).
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// Whose plan it is.
    pub subject: String,
    /// Who started it.
    pub started_by: Option<String>,
    /// First day.
    pub start: NaiveDate,
    /// Last day (moved by an extension).
    pub end: NaiveDate,
    /// Why it was started.
    pub reason: String,
    /// The latest outcome: none while it runs, `extended` after an extension.
    pub outcome: Option<PipOutcome>,
    /// When it was closed (RFC 3339).
    pub closed_at: Option<String>,
}

impl Pip {
    /// Whether it is closed (successful or unsuccessful).
    pub fn is_closed(&self) -> bool {
        self.outcome.is_some_and(PipOutcome::closes)
    }

    /// Active, extended, successful or unsuccessful.
    pub fn status(&self) -> &'static str {
        match self.outcome {
            None => "active",
            Some(o) => o.as_str(),
        }
    }

    /// Refuse a change to a closed plan.
    pub fn check_open(&self) -> Result<()> {
        if self.is_closed() {
            return Err(Error::failed(format!(
                "improvement plan {} of {} is closed ({}) and read-only",
                self.id,
                self.subject,
                self.status()
            ))
            .with_hint("start a new plan with `yardstick pip start` if one is needed"));
        }
        Ok(())
    }
}

/// A check point of a plan: scheduled for a day, held (with a note) or not yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipCheckpoint {
    /// Row id.
    pub id: i64,
    /// The day it is scheduled for.
    pub due: NaiveDate,
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// What was found.
    pub note: Option<String>,
}

impl PipCheckpoint {
    /// Whether it is not held and its day is before `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.held_on.is_none() && self.due < today
    }
}

/// One step of a plan's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipStep {
    /// When (RFC 3339).
    pub at: String,
    /// Who (a handle).
    pub actor: String,
    /// What happened.
    pub kind: PipStepKind,
    /// For an extension or a closing: the outcome.
    pub outcome: Option<PipOutcome>,
    /// The note or the subject's comment.
    pub note: Option<String>,
}

/// The subject's current acknowledgement: the last one since the plan was
/// started or last extended (an extension asks for a new one).
pub fn current_acknowledgement(steps: &[PipStep]) -> Option<&PipStep> {
    let since = steps
        .iter()
        .rposition(|s| matches!(s.kind, PipStepKind::Started | PipStepKind::Extended))
        .unwrap_or(0);
    steps[since..]
        .iter()
        .rev()
        .find(|s| s.kind == PipStepKind::Acknowledged)
}

/// The check point a holding on `on` records: the earliest scheduled one
/// not yet held (none: an unscheduled one is added).
pub fn next_checkpoint(points: &[PipCheckpoint]) -> Option<&PipCheckpoint> {
    points
        .iter()
        .filter(|p| p.held_on.is_none())
        .min_by_key(|p| (p.due, p.id))
}

/// Refuse a period that ends before it starts.
pub fn check_period(start: NaiveDate, end: NaiveDate) -> Result<()> {
    if end < start {
        return Err(Error::invalid(format!(
            "the plan would end ({end}) before it starts ({start})"
        ))
        .with_hint("pass --until a day on or after --from"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(kind: PipStepKind, note: &str) -> PipStep {
        PipStep {
            at: "2026-11-22T12:00:00Z".into(),
            actor: "x".into(),
            kind,
            outcome: None,
            note: Some(note.into()),
        }
    }

    #[test]
    fn an_extension_asks_for_a_new_acknowledgement() {
        let mut steps = vec![
            step(PipStepKind::Started, "s"),
            step(PipStepKind::Acknowledged, "first"),
        ];
        assert_eq!(
            current_acknowledgement(&steps).and_then(|s| s.note.as_deref()),
            Some("first")
        );
        steps.push(step(PipStepKind::Extended, "e"));
        assert!(current_acknowledgement(&steps).is_none());
        steps.push(step(PipStepKind::Acknowledged, "second"));
        assert_eq!(
            current_acknowledgement(&steps).and_then(|s| s.note.as_deref()),
            Some("second")
        );
    }

    #[test]
    fn outcomes_parse_and_only_extended_keeps_a_plan_open() {
        assert!(
            PipOutcome::parse("Successful")
                .unwrap_or(PipOutcome::Extended)
                .closes()
        );
        assert!(!PipOutcome::Extended.closes());
        assert!(PipOutcome::parse("fired").is_err());
    }

    #[test]
    fn the_next_checkpoint_is_the_earliest_not_held() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        let points = vec![
            PipCheckpoint {
                id: 1,
                due: d("2026-12-01"),
                held_on: Some(d("2026-12-01")),
                note: None,
            },
            PipCheckpoint {
                id: 3,
                due: d("2026-12-20"),
                held_on: None,
                note: None,
            },
            PipCheckpoint {
                id: 2,
                due: d("2026-12-10"),
                held_on: None,
                note: None,
            },
        ];
        assert_eq!(next_checkpoint(&points).map(|p| p.id), Some(2));
        assert!(points[2].overdue(d("2026-12-11")));
        assert!(!points[0].overdue(d("2026-12-11")));
    }
}
