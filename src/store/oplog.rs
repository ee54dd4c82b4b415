//! The operation log and undo, as data: every logged write is one
//! operation, and for each row it changed the backend keeps what the row
//! was before (its before-image), so that undo can restore it exactly.
//! How a backend captures the images is its own business.

use super::StoreResult;
use super::exchange::Val;
use serde::Serialize;

/// One operation as `log` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OpEntry {
    /// The operation's number.
    pub id: i64,
    /// When it ran (RFC 3339).
    pub at: String,
    /// Who ran it.
    pub actor: String,
    /// The command.
    pub command: String,
    /// What it did.
    pub summary: String,
    /// When it was undone, if it was.
    pub undone_at: Option<String>,
    /// Who may read it whole, when not everyone may.
    pub audience: Option<Audience>,
    /// What anyone else reads of it (no names, no values).
    pub public_summary: Option<String>,
    /// It cannot be undone (a purge): undo passes over it.
    pub irreversible: bool,
}

/// An operation about a confidential record: who it is about and what kind
/// of record, so that `log` shows it whole only to those who may see that
/// record (see `domain::access`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audience {
    /// The kind of record.
    pub kind: AudienceKind,
    /// The person it is about (their handle).
    pub subject: String,
}

/// The confidential records an operation can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AudienceKind {
    /// A peer or upward review, or a nomination: it names the reviewer.
    PeerReview,
    /// Private feedback.
    PrivateFeedback,
    /// A calibration or an outcome.
    Appraisal,
}

impl AudienceKind {
    /// The word the log stores.
    pub fn as_str(self) -> &'static str {
        match self {
            AudienceKind::PeerReview => "peer-review",
            AudienceKind::PrivateFeedback => "private-feedback",
            AudienceKind::Appraisal => "appraisal",
        }
    }

    /// The kind a stored word names.
    pub fn from_name(name: &str) -> Option<AudienceKind> {
        [
            AudienceKind::PeerReview,
            AudienceKind::PrivateFeedback,
            AudienceKind::Appraisal,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// What a change did to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The row was added: undo removes it.
    Insert,
    /// The row was changed: undo puts its before-image back.
    Update,
    /// The row was removed: undo adds its before-image back.
    Delete,
}

impl ChangeKind {
    /// The word the log uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Insert => "insert",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
        }
    }

    /// The change a word of the log names.
    pub fn from_name(name: &str) -> Option<ChangeKind> {
        [ChangeKind::Insert, ChangeKind::Update, ChangeKind::Delete]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// What undo does about it: remove, revert or restore the row.
    pub fn undo_verb(self) -> &'static str {
        match self {
            ChangeKind::Insert => "remove",
            ChangeKind::Update => "revert",
            ChangeKind::Delete => "restore",
        }
    }
}

/// One row changed by an operation, with what it was before.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The table (a logical name, as in the exchange format).
    pub table: String,
    /// What happened to the row.
    pub kind: ChangeKind,
    /// The row's id.
    pub row: i64,
    /// Every column of the row before the change, in the table's order
    /// (none for an insert).
    pub before: Option<Vec<Val>>,
}

/// What undo would revert.
#[derive(Debug, Clone, Serialize)]
pub struct UndoPreview {
    /// The operation.
    pub op: OpEntry,
    /// Rows to revert by table and by what first happened to each row in
    /// the operation: (table, action, count).
    pub changes: Vec<(String, ChangeKind, i64)>,
    /// The operation loaded data in bulk and keeps no history: it (and
    /// everything before it) cannot be undone.
    pub bulk: bool,
}

/// The operation log.
pub trait OpLog {
    /// The operations, newest first.
    fn list_ops(&self, limit: Option<usize>) -> StoreResult<Vec<OpEntry>>;

    /// The latest operation undo would revert (not undone, not
    /// irreversible; run by `actor` when given), with what reverting it
    /// touches.
    fn undo_preview(&self, actor: Option<&str>) -> StoreResult<Option<UndoPreview>>;

    /// Later operations, not undone, that changed a row operation `op`
    /// changed (undo refuses while there are any).
    fn undo_conflicts(&self, op: i64) -> StoreResult<Vec<OpEntry>>;

    /// The rows an operation changed, in the order it changed them, with
    /// their before-images.
    fn op_changes(&self, op: i64) -> StoreResult<Vec<Change>>;

    /// Erase every trace of one row from the undo history, so that its
    /// contents leave the database; other rows' history stays, and the
    /// operations that held it still undo the rest of what they did.
    /// Returns how many operations held it.
    fn purge_row_history(&mut self, table: &str, row: i64) -> StoreResult<usize>;
}
