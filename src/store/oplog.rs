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

    /// The latest operation not yet undone, with what reverting it touches.
    fn undo_preview(&self) -> StoreResult<Option<UndoPreview>>;

    /// The rows an operation changed, in the order it changed them, with
    /// their before-images.
    fn op_changes(&self, op: i64) -> StoreResult<Vec<Change>>;

    /// Erase every before-image of one row, so that its contents leave the
    /// database; the operations that held them can no longer be undone and
    /// are marked undone ("history purged") at `at`. Returns how many.
    fn purge_row_history(&mut self, table: &str, row: i64, at: &str) -> StoreResult<usize>;
}
