//! Review cycles: their participants, reviews, ratings, outcomes and history.

use crate::domain::names::shell_word;
use crate::domain::{CycleState, ReviewKind, ReviewState};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;

/// A review cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    /// Row id.
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// Name (`2026-H2 reviews`).
    pub name: String,
    /// The period under review.
    pub period: String,
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day of the period.
    pub end: NaiveDate,
    /// The template's row id.
    pub template_id: i64,
    /// The template's name.
    pub template: String,
    /// Where the cycle is in its life.
    pub state: CycleState,
    /// How many times it was reopened after being finalized.
    pub reopened: i64,
    /// When self reviews are due.
    pub self_due: Option<NaiveDate>,
    /// When manager reviews are due.
    pub manager_due: Option<NaiveDate>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Who created it (they may move it, besides admins).
    pub created_by: Option<String>,
}

/// A participant of a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    /// The person's row id.
    pub person_id: i64,
    /// Handle.
    pub handle: String,
    /// Name.
    pub name: String,
    /// The manager's handle.
    pub manager: Option<String>,
    /// When the subject acknowledged their outcome.
    pub acknowledged_at: Option<String>,
}

/// One rating (or comment) on an item in a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingRow {
    /// A goal key or competency key.
    pub item: String,
    /// The level's value.
    pub value: Option<f64>,
    /// A comment.
    pub comment: Option<String>,
}

/// A review in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// Row id.
    pub id: i64,
    /// Stable UUID.
    pub uuid: String,
    /// The cycle's row id.
    pub cycle_id: i64,
    /// The subject's handle.
    pub subject: String,
    /// The reviewer's handle.
    pub reviewer: String,
    /// Who writes it, relative to the subject.
    pub kind: ReviewKind,
    /// Draft or submitted.
    pub state: ReviewState,
    /// The overall comment.
    pub summary: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<String>,
    /// Ratings, by item.
    pub ratings: Vec<RatingRow>,
}

/// A development action agreed in an outcome: what the review said (its
/// text, owner and due date, frozen once the cycle is finalized) and how it
/// is followed up (its status and note, which change after).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRow {
    /// Row id (the number `appraise action done N` takes).
    pub id: i64,
    /// The cycle's name.
    pub cycle: String,
    /// The subject's handle.
    pub subject: String,
    /// Who carries it out: the subject or one of their managers.
    pub owner: String,
    /// What to do.
    pub text: String,
    /// By when.
    pub due: Option<NaiveDate>,
    /// Open, done or dropped.
    pub status: ActionStatus,
    /// Why it was closed, how it went.
    pub note: Option<String>,
    /// When it was marked done or dropped (RFC 3339).
    pub closed_at: Option<String>,
}

impl ActionRow {
    /// Whether it is open and its due date is before `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == ActionStatus::Open && self.due.is_some_and(|d| d < today)
    }
}

/// Where a development action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    /// Still to do.
    Open,
    /// Done.
    Done,
    /// No longer pursued.
    Dropped,
}

impl ActionStatus {
    /// The spellings, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &["open", "done", "dropped"];

    /// The spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    /// A status as typed or stored.
    pub fn parse(s: &str) -> Result<ActionStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(ActionStatus::Open),
            "done" => Ok(ActionStatus::Done),
            "dropped" => Ok(ActionStatus::Dropped),
            _ => Err(Error::invalid(format!("unknown action status '{s}'"))
                .with_hint("use open, done or dropped")),
        }
    }
}

impl std::str::FromStr for ActionStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<ActionStatus> {
        ActionStatus::parse(s)
    }
}

/// A subject's acknowledgement of their outcome, with their own words. A
/// reopening of the cycle voids it (it stays in the history).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acknowledgement {
    /// When (RFC 3339).
    pub at: String,
    /// The subject's comment (e.g. where they disagree).
    pub comment: Option<String>,
    /// When a reopening of the cycle voided it.
    pub voided_at: Option<String>,
}

/// The outcome of a subject's appraisal.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Outcome {
    /// The score computed at calibration or finalization.
    pub computed_score: Option<f64>,
    /// The level computed from it.
    pub computed_level: Option<f64>,
    /// The level set in calibration (the computed one is kept).
    pub calibrated_level: Option<f64>,
    /// Why it was calibrated.
    pub calibration_reason: Option<String>,
    /// low, medium or high (for the 9-box).
    pub potential: Option<String>,
    /// none, raise, bonus, promotion or improvement-plan.
    pub recommendation: Option<String>,
    /// Development actions.
    pub actions: Vec<ActionRow>,
    /// The peer average stored at finalization (none below the anonymity
    /// threshold): what the subject sees.
    pub peer_average: Option<f64>,
    /// How many peer reviews were submitted at finalization.
    pub peer_count: Option<i64>,
    /// The upward average stored at finalization (none below the threshold).
    pub upward_average: Option<f64>,
    /// How many upward reviews were submitted at finalization.
    pub upward_count: Option<i64>,
    /// The improvement plan a recommendation of one points at (its id).
    pub pip: Option<i64>,
}

/// A state change of a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleEvent {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// From which state.
    pub from: CycleState,
    /// To which state.
    pub to: CycleState,
    /// Whether it was forced past missing reviews.
    pub forced: bool,
    /// The reason given.
    pub reason: Option<String>,
}

/// How far a review is: not started (no row), a draft, or submitted.
pub fn review_status(state: Option<ReviewState>) -> &'static str {
    state.map_or("none", ReviewState::as_str)
}

/// Whether a review of this kind is anonymous to the subject and their
/// managers: seen by them only as an average (see the access policy).
pub fn is_anonymous(kind: ReviewKind) -> bool {
    matches!(kind, ReviewKind::Peer | ReviewKind::Upward)
}

/// Whether a submitted review counts towards the score.
pub fn counts(review: &Review) -> bool {
    review.state == ReviewState::Submitted
}

/// A move of a cycle from one state to the next:
/// draft → open → calibrating → finalized, and finalized → calibrating to
/// fix something after the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleStep {
    /// Open a draft cycle for reviews.
    Open,
    /// Close reviews and start calibration.
    Calibrate,
    /// Store the scores and make the cycle read-only.
    Finalize,
    /// Take a finalized cycle back to calibration.
    Reopen,
}

impl CycleStep {
    /// Every step.
    pub const ALL: [CycleStep; 4] = [
        CycleStep::Open,
        CycleStep::Calibrate,
        CycleStep::Finalize,
        CycleStep::Reopen,
    ];

    /// The step that moves a cycle from `from` to `to`, if there is one:
    /// the only moves a cycle's history may record.
    pub fn between(from: CycleState, to: CycleState) -> Option<CycleStep> {
        CycleStep::ALL
            .into_iter()
            .find(|s| s.from() == from && s.to() == to)
    }

    /// Whether the step is taken only with a reason (reopening is).
    pub fn needs_reason(self) -> bool {
        self == CycleStep::Reopen
    }

    /// The state the cycle must be in.
    pub fn from(self) -> CycleState {
        match self {
            CycleStep::Open => CycleState::Draft,
            CycleStep::Calibrate => CycleState::Open,
            CycleStep::Finalize => CycleState::Calibrating,
            CycleStep::Reopen => CycleState::Finalized,
        }
    }

    /// The state it moves to.
    pub fn to(self) -> CycleState {
        match self {
            CycleStep::Open => CycleState::Open,
            CycleStep::Calibrate | CycleStep::Reopen => CycleState::Calibrating,
            CycleStep::Finalize => CycleState::Finalized,
        }
    }

    /// Whether missing self and manager reviews hold this step back (unless
    /// forced). Reopening never waits: it exists to fix things.
    pub fn waits_for_reviews(self) -> bool {
        matches!(self, CycleStep::Calibrate | CycleStep::Finalize)
    }

    /// Whether the step stores every participant's computed score and
    /// level. Scores are stored while the cycle still takes writes: when
    /// reviews close, before it is finalized, and after a finalized cycle
    /// is reopened (then after the move, see [`CycleStep::stores_after_move`]).
    pub fn stores_scores(self) -> bool {
        !matches!(self, CycleStep::Open)
    }

    /// Whether the scores are stored after the state changes rather than
    /// before: a finalized cycle takes no writes until it is reopened.
    pub fn stores_after_move(self) -> bool {
        self == CycleStep::Reopen
    }
}

/// Something done to a cycle that only some of its states allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleAction {
    /// Nominate peer and upward reviewers.
    Nominate,
    /// Write or submit a review.
    WriteReview,
    /// Set a calibrated level.
    Calibrate,
    /// Record potential, a recommendation and development actions.
    RecordOutcome,
    /// Mark a development action done or dropped: its follow-up, also
    /// once the cycle is finalized.
    TrackAction,
    /// The subject acknowledges their outcome.
    Acknowledge,
}

impl CycleAction {
    /// The states in which the action is allowed.
    pub fn allowed_in(self) -> &'static [CycleState] {
        match self {
            CycleAction::Nominate => &[CycleState::Draft, CycleState::Open],
            CycleAction::WriteReview => &[CycleState::Open],
            CycleAction::Calibrate | CycleAction::RecordOutcome => &[CycleState::Calibrating],
            CycleAction::TrackAction => &[CycleState::Calibrating, CycleState::Finalized],
            CycleAction::Acknowledge => &[CycleState::Finalized],
        }
    }
}

/// The hint for a change refused because a cycle is finalized.
fn finalized_error(cycle: &Cycle) -> Error {
    Error::failed(format!("cycle {} is finalized and read-only", cycle.name)).with_hint(format!(
        "reopen it with `yardstick appraise cycle reopen {} --reason TEXT`",
        shell_word(&cycle.name)
    ))
}

/// Refuse any change to a finalized cycle (it is read-only until reopened).
pub fn refuse_finalized(cycle: &Cycle) -> Result<()> {
    if cycle.state == CycleState::Finalized {
        return Err(finalized_error(cycle));
    }
    Ok(())
}

/// Whether `action` is allowed in the cycle's state; the error says why not.
pub fn check_action(cycle: &Cycle, action: CycleAction) -> Result<()> {
    if !matches!(action, CycleAction::Acknowledge | CycleAction::TrackAction) {
        refuse_finalized(cycle)?;
    }
    if action.allowed_in().contains(&cycle.state) {
        return Ok(());
    }
    let (name, state) = (&cycle.name, cycle.state);
    Err(Error::failed(match action {
        CycleAction::Nominate => {
            format!("cycle {name} is {state}; nominating reviewers needs it to be draft or open")
        }
        CycleAction::WriteReview => {
            format!("cycle {name} is {state}; reviews are written while it is open")
        }
        CycleAction::Calibrate => {
            format!("cycle {name} is {state}; calibration needs it to be calibrating")
        }
        CycleAction::RecordOutcome => {
            format!("cycle {name} is {state}; recording outcomes needs it to be calibrating")
        }
        CycleAction::TrackAction => format!(
            "cycle {name} is {state}; development actions are followed up once it is calibrating or finalized"
        ),
        CycleAction::Acknowledge => {
            format!("cycle {name} is {state}; outcomes are acknowledged once it is finalized")
        }
    }))
}

/// Whether the cycle is where `step` starts; the error says why not.
pub fn check_step(cycle: &Cycle, step: CycleStep) -> Result<()> {
    if cycle.state == step.from() {
        return Ok(());
    }
    refuse_finalized(cycle)?;
    Err(Error::failed(format!(
        "cycle {} is {}; this step needs it to be {}",
        cycle.name,
        cycle.state,
        step.from()
    )))
}

/// What one participant still owes before reviews can close: their self
/// review, and their manager's review when they have a manager.
pub fn missing_reviews(
    handle: &str,
    has_manager: bool,
    self_review: Option<ReviewState>,
    manager_review: Option<ReviewState>,
) -> Vec<String> {
    let mut out = Vec::new();
    if self_review != Some(ReviewState::Submitted) {
        out.push(format!(
            "{handle}: self review {}",
            review_status(self_review)
        ));
    }
    if has_manager && manager_review != Some(ReviewState::Submitted) {
        out.push(format!(
            "{handle}: manager review {}",
            review_status(manager_review)
        ));
    }
    out
}

/// A review kind as typed on the command line.
pub fn parse_review_kind(s: &str) -> Result<ReviewKind> {
    s.trim().to_ascii_lowercase().parse().map_err(|_| {
        Error::invalid(format!("unknown review kind '{s}'"))
            .with_hint("use self, manager, peer or upward")
    })
}

/// Who writes the review of `kind` of a subject (their handle and their
/// manager's), when `actor` is acting: the subject writes the self review,
/// their manager the manager review, and a peer or upward review is written
/// by the acting person (who must also be nominated; see
/// [`nomination_kind`]). Returns the reviewer's handle.
pub fn reviewer_of(
    kind: ReviewKind,
    subject: &str,
    manager: Option<&str>,
    actor: Option<&str>,
) -> Result<String> {
    match kind {
        ReviewKind::SelfReview => match actor {
            Some(v) if v != subject => Err(Error::failed(format!(
                "only {subject} writes their own self review (you are {v})"
            ))),
            _ => Ok(subject.to_string()),
        },
        ReviewKind::Manager => {
            let Some(m) = manager else {
                return Err(Error::failed(format!(
                    "{subject} has no manager to write a manager review"
                ))
                .with_hint(format!(
                    "set one with `yardstick people edit {subject} --manager HANDLE`"
                )));
            };
            match actor {
                Some(v) if v != m => Err(Error::failed(format!(
                    "only {subject}'s manager ({m}) writes the manager review (you are {v})"
                ))),
                _ => Ok(m.to_string()),
            }
        }
        ReviewKind::Peer | ReviewKind::Upward => actor.map(str::to_string).ok_or_else(|| {
            Error::invalid(format!("who is writing this {kind} review?"))
                .with_hint("pass --as HANDLE (a nominated reviewer)")
        }),
    }
}

/// The kind of review a nominated `reviewer` writes of `subject`: upward
/// when they report to the subject, peer otherwise. The subject and their
/// manager cannot be nominated: they write the self and manager reviews.
pub fn nomination_kind(
    subject: &str,
    subject_manager: Option<&str>,
    reviewer: &str,
    reviewer_manager: Option<&str>,
) -> Result<ReviewKind> {
    if reviewer == subject {
        return Err(
            Error::failed(format!("{reviewer} cannot review themself as a peer"))
                .with_hint("the self review is written with --kind self"),
        );
    }
    if subject_manager == Some(reviewer) {
        return Err(Error::failed(format!(
            "{reviewer} is {subject}'s manager and writes the manager review, not a peer review"
        )));
    }
    Ok(if reviewer_manager == Some(subject) {
        ReviewKind::Upward
    } else {
        ReviewKind::Peer
    })
}

/// The potentials an outcome records (the 9-box's rows).
pub const POTENTIALS: [&str; 3] = ["low", "medium", "high"];

/// The recommendations an outcome records.
pub const RECOMMENDATIONS: [&str; 5] = ["none", "raise", "bonus", "promotion", "improvement-plan"];
