//! What an import would do with each record (nothing is written here), and
//! the database as it would be afterwards, for the checks.

use crate::error::Result;
use crate::store::Session;
use crate::store::exchange::{RawRow, Val, table_index};
use chrono::DateTime;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

/// What the import does with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    /// Not in the database: add it.
    Insert,
    /// Newer than the local copy (row id): replace it.
    Update(i64),
    /// Identical to the local copy.
    Unchanged,
    /// The local copy is newer or equally new and differs: keep it (a
    /// conflict, listed; nothing written).
    KeepLocal(String),
}

/// The decisions for every record of a file.
pub(super) struct Plan<'r> {
    /// The file's records.
    pub records: &'r [RawRow],
    /// One decision per record.
    pub decisions: Vec<Decision>,
    /// The local copy of every record the import replaces, by index.
    pub locals: HashMap<usize, RawRow>,
    /// Records by (table, UUID).
    index: HashMap<(usize, &'r str), usize>,
}

/// Compare two RFC 3339 timestamps as instants (as text if one does not parse).
fn newer(a: &str, b: &str) -> Ordering {
    match (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

impl<'r> Plan<'r> {
    /// Decide for every record, by UUID: the newer `updated_at` wins.
    pub fn new(s: &dyn Session, records: &'r [RawRow]) -> Result<Plan<'r>> {
        let mut decisions = Vec::with_capacity(records.len());
        let mut locals = HashMap::new();
        let mut index = HashMap::with_capacity(records.len());
        for (i, row) in records.iter().enumerate() {
            index.insert((row.table, row.uuid.as_str()), i);
            let decision = match s.find_row(row.table, &row.uuid)? {
                None => Decision::Insert,
                Some((_, l)) if l.vals == row.vals => Decision::Unchanged,
                Some((id, l)) => {
                    let (mine, theirs) = (l.updated_at(), row.updated_at());
                    match newer(theirs, mine) {
                        Ordering::Greater => {
                            locals.insert(i, l);
                            Decision::Update(id)
                        }
                        Ordering::Less => Decision::KeepLocal(format!(
                            "the local copy is newer (updated {mine}; the file's {theirs})"
                        )),
                        Ordering::Equal => Decision::KeepLocal(format!(
                            "both copies were updated at {mine} but differ; the local one is kept"
                        )),
                    }
                }
            };
            decisions.push(decision);
        }
        Ok(Plan {
            records,
            decisions,
            locals,
            index,
        })
    }

    /// Whether the import writes record `i` (adds it or replaces the local copy).
    pub fn writes(&self, i: usize) -> bool {
        matches!(self.decisions[i], Decision::Insert | Decision::Update(_))
    }

    /// The records the import writes, with their indexes.
    pub fn written(&self) -> impl Iterator<Item = (usize, &'r RawRow)> + '_ {
        self.records
            .iter()
            .enumerate()
            .filter(|(i, _)| self.writes(*i))
    }

    /// The index of the file's record of `table` with this UUID.
    pub fn in_file(&self, table: usize, uuid: &str) -> Option<usize> {
        self.index.get(&(table, uuid)).copied()
    }

    /// The local copy of record `i`, when the import replaces it.
    pub fn local(&self, i: usize) -> Option<&RawRow> {
        self.locals.get(&i)
    }
}

/// The database as it would be after the import: a record the import
/// writes in the file's version, any other row as the database has it.
/// Lookups of the database are remembered.
pub(super) struct Merged<'a> {
    s: &'a dyn Session,
    plan: &'a Plan<'a>,
    cache: RefCell<HashMap<(usize, String), Option<RawRow>>>,
}

impl<'a> Merged<'a> {
    /// The view of `s` with `plan` laid over it.
    pub fn new(s: &'a dyn Session, plan: &'a Plan<'a>) -> Merged<'a> {
        Merged {
            s,
            plan,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The session underneath.
    pub fn session(&self) -> &'a dyn Session {
        self.s
    }

    /// The plan laid over it.
    pub fn plan(&self) -> &'a Plan<'a> {
        self.plan
    }

    /// The database's own copy of a row (before the import).
    pub fn local(&self, table: usize, uuid: &str) -> Result<Option<RawRow>> {
        let key = (table, uuid.to_string());
        if let Some(hit) = self.cache.borrow().get(&key) {
            return Ok(hit.clone());
        }
        let found = self.s.find_row(table, uuid)?.map(|(_, r)| r);
        self.cache.borrow_mut().insert(key, found.clone());
        Ok(found)
    }

    /// A row as it would be after the import.
    pub fn row(&self, table: usize, uuid: &str) -> Result<Option<RawRow>> {
        if let Some(i) = self.plan.in_file(table, uuid) {
            if self.plan.writes(i) {
                return Ok(Some(self.plan.records[i].clone()));
            }
        }
        self.local(table, uuid)
    }

    /// A row, by table name, as it would be after the import.
    pub fn row_of(&self, table: &str, uuid: &str) -> Result<Option<RawRow>> {
        match table_index(table) {
            Some(t) => self.row(t, uuid),
            None => Ok(None),
        }
    }

    /// What a reference column of a row names (a UUID), as it would be
    /// after the import.
    pub fn reference(&self, table: &str, uuid: &str, column: &str) -> Result<Option<String>> {
        Ok(self
            .row_of(table, uuid)?
            .and_then(|r| r.get(column).and_then(Val::as_text).map(str::to_string)))
    }
}
