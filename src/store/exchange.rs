//! The exchange view of the data: raw records by table and UUID, read and
//! written by `export` and `import` on every backend (the record model is
//! [`crate::domain::records`]).

use super::StoreResult;
use crate::error::Result;

pub use crate::domain::records::{
    CheckinLine, Col, Kind, RawRow, SCHEMA_VERSION, TABLES, TableDef, UNIQUE_KEYS, UniqueKey, Val,
    table_index,
};
pub use crate::domain::revisions::{FieldRev, Revs, Tombstone};

/// What `export` keeps: records updated on or after `since` (an ISO date or
/// timestamp, compared as text), and/or the data of one person.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Keep records whose `updated_at` is on or after this.
    pub since: Option<String>,
    /// Keep this person's own data (a person row id).
    pub person: Option<i64>,
    /// Include private feedback (left out unless asked for).
    pub include_private: bool,
}

impl Selection {
    /// Whether everything is selected.
    pub fn is_all(&self) -> bool {
        self.since.is_none() && self.person.is_none()
    }
}

/// Raw rows by table and UUID, for `export` and `import`.
pub trait ExchangeRepo {
    /// Call `f` with every selected row, table by table in [`TABLES`] order
    /// and by id within a table, streaming.
    fn for_each_row(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&RawRow) -> Result<()>,
    ) -> Result<()>;

    /// [`ExchangeRepo::for_each_row`], with each row's field revisions
    /// (empty: every field as created).
    fn for_each_record(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&RawRow, &Revs) -> Result<()>,
    ) -> Result<()>;

    /// Call `f` with every remembered deletion: deleted on or after
    /// `since`, and with a person, deleted by them; oldest first.
    fn for_each_tombstone(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&Tombstone) -> Result<()>,
    ) -> Result<()>;

    /// The field revisions of a row (empty: every field as created).
    fn revisions(&self, table: usize, uuid: &str) -> StoreResult<Revs>;

    /// Set the field revisions of a row, as a merge decided them: the
    /// write machinery then records no revision of its own for this row
    /// in this write.
    fn set_revisions(&mut self, table: usize, uuid: &str, revs: &Revs) -> StoreResult<()>;

    /// The remembered deletion of a record, if any.
    fn tombstone(&self, table: usize, uuid: &str) -> StoreResult<Option<Tombstone>>;

    /// Remember (or replace) a deletion. A row deleted in the same write
    /// then keeps this one instead of a new one.
    fn put_tombstone(&mut self, tombstone: &Tombstone) -> StoreResult<()>;

    /// Forget the deletion of a record (it is back).
    fn remove_tombstone(&mut self, table: usize, uuid: &str) -> StoreResult<()>;

    /// Delete row `id` (what refers to it follows the schema's rules:
    /// cascaded, cleared, or a refusal).
    fn delete_row(&mut self, table: usize, id: i64) -> StoreResult<()>;

    /// The UUIDs of the rows of `table` whose `column` (a reference)
    /// names row `id`.
    fn referring(&self, table: usize, column: &str, id: i64) -> StoreResult<Vec<String>>;

    /// Call `f` with every selected check-in in the order recorded, for the
    /// spreadsheet export, streaming.
    fn for_each_checkin_line(
        &self,
        selection: &Selection,
        f: &mut dyn FnMut(&CheckinLine) -> Result<()>,
    ) -> Result<()>;

    /// A row by UUID: its row id and its exchange form.
    fn find_row(&self, table: usize, uuid: &str) -> StoreResult<Option<(i64, RawRow)>>;

    /// A row of `table` whose `columns` (database names) hold `values`
    /// (database values: references as row ids), if there is one: how an
    /// import finds the local row holding a unique key. An unknown column
    /// is an internal error.
    fn find_row_by(
        &self,
        table: usize,
        columns: &[&str],
        values: &[Val],
    ) -> StoreResult<Option<(i64, RawRow)>>;

    /// The row id of the row of `table` (a name) with this UUID.
    fn row_id(&self, table: &str, uuid: &str) -> StoreResult<Option<i64>>;

    /// Insert a row; `vals` hold database values (references as row ids).
    /// A unique key that exists fails with [`StoreError::Clash`](super::StoreError::Clash);
    /// a guard with [`StoreError::Refused`](super::StoreError::Refused).
    fn insert_row(&mut self, table: usize, uuid: &str, vals: &[Val]) -> StoreResult<i64>;

    /// Replace every column of row `id` (database values).
    fn update_row(&mut self, table: usize, id: i64, vals: &[Val]) -> StoreResult<()>;

    /// Set one column of row `id`.
    fn set_row_column(
        &mut self,
        table: usize,
        id: i64,
        column: &str,
        value: &Val,
    ) -> StoreResult<()>;

    /// Columns of the database's data tables that [`TABLES`] does not
    /// describe, or describes in another order (empty when they agree).
    fn schema_drift(&self) -> StoreResult<Vec<String>>;
}
