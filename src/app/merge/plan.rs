//! What an import would do with each record and each deletion of a file
//! (nothing is written here), field by field, and the database as it would
//! be afterwards, for the checks.
//!
//! A record the database has is merged field by field by revision (see
//! `domain::revisions`): a field edited on one side only takes that edit,
//! a field edited on both sides since the copies last met is a conflict
//! (unless both made the same value). A deletion applies when the deleter
//! had seen every field of the local copy, and is a conflict with an edit
//! it had not seen. A file without history (version 1) has every differing
//! field in conflict. Conflicts are resolved by [`Resolution`], or refuse
//! the import.

use super::{Change, Conflict, FieldConflict, Resolution, Settings, Shown, Side};
use crate::domain::revisions::{
    self, FieldRev, ROW, Relation, Revs, Tombstone, all_seen, kept_against, relation,
};
use crate::error::Result;
use crate::store::Session;
use crate::store::exchange::{Kind, RawRow, TABLES, UNIQUE_KEYS, Val, table_index};
use chrono::DateTime;
use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// What the import does with one record of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    /// Not in the database: add it.
    Insert,
    /// Deleted here, and the file's copy was kept knowingly against that
    /// deletion (or the conflict was resolved for the file): add it back.
    Restore,
    /// Merged with the local copy (row id): the merged row is written.
    Update(i64),
    /// Only the field revisions change (the data is the database's).
    Revisions,
    /// Deleted here, and the deletion stands: nothing is written, or the
    /// deletion learns of the file's copy (a conflict resolved for here).
    Deleted { learn: bool },
    /// Identical to the local copy.
    Unchanged,
}

/// What the import does with one deletion of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Deletion {
    /// Delete the local row (id).
    Delete(i64),
    /// Keep the local row (id), recording that it was kept knowingly.
    Keep(i64),
    /// Not here: remember the deletion so that no old file brings it back.
    Remember,
    /// Nothing to do.
    Nothing,
}

/// The decisions for a whole file.
pub(super) struct Plan<'r> {
    /// Each record as the import would write it (the file's, or merged
    /// with the local copy).
    pub records: Vec<Cow<'r, RawRow>>,
    /// One decision per record.
    pub decisions: Vec<Decision>,
    /// The local copy of every record the import changes, by index.
    pub locals: HashMap<usize, RawRow>,
    /// The field revisions each written record gets, by index.
    pub revs: HashMap<usize, Revs>,
    /// The file's deletions.
    pub tombstones: &'r [Tombstone],
    /// One decision per deletion.
    pub deletions: Vec<Deletion>,
    /// The local rows the deletions remove, by deletion index.
    pub deleted: HashMap<usize, RawRow>,
    /// Deletions updated by a resolution (the local one learning of the
    /// file's copy), by record index.
    pub learnt: HashMap<usize, Tombstone>,
    /// Every conflict met (resolved or not).
    pub conflicts: Vec<Conflict>,
    /// The field-level changes to existing records.
    pub changes: Vec<Change>,
    /// Names given to `--ours`/`--theirs` that matched a conflict.
    pub used: HashSet<String>,
    /// Records by (table, UUID).
    index: HashMap<(usize, String), usize>,
    /// Rows the deletions remove, by (table, UUID).
    removed: HashSet<(usize, String)>,
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

/// A value as a person reads it in a conflict or a change.
pub(super) fn shown(v: &Val) -> String {
    match v {
        Val::Null => "(none)".into(),
        Val::Int(i) => i.to_string(),
        Val::Real(f) => f.to_string(),
        Val::Text(t) => {
            let one_line: String = t.chars().take(80).collect();
            let one_line = one_line.replace(['\n', '\r', '\t'], " ");
            if t.chars().count() > 80 {
                format!("{one_line:?}…")
            } else {
                format!("{one_line:?}")
            }
        }
    }
}

/// The human key of a record: the one column that names it (a handle, a
/// goal key, a period or cycle name), if its table has one.
pub(super) fn human_key(row: &RawRow) -> Option<String> {
    let name = row.def().name;
    UNIQUE_KEYS
        .iter()
        .find(|k| k.columns.len() == 1 && k.tables.contains(&name))
        .and_then(|k| row.get(k.columns[0]))
        .and_then(Val::as_text)
        .map(str::to_string)
}

/// Who made a field's revision and when, for a person to read.
fn by_at(
    rev: Option<&FieldRev>,
    row: &RawRow,
    fallback_by: Option<&str>,
) -> (Option<String>, Option<String>) {
    match rev.filter(|r| !r.is_hidden()) {
        Some(r) => (r.by.clone(), r.at.clone()),
        None => (
            fallback_by.map(str::to_string),
            row.get(if fallback_by.is_some() {
                "updated_at"
            } else {
                "created_at"
            })
            .and_then(Val::as_text)
            .map(str::to_string),
        ),
    }
}

/// A fresh revision made by this import (a resolution for here).
fn merge_rev(settings: &Settings) -> FieldRev {
    FieldRev {
        rev: crate::store::new_uuid(),
        at: Some(settings.clock.timestamp()),
        by: Some(settings.actor.clone()),
        prev: Vec::new(),
    }
}

/// The resolution for a record (its UUID and human key), if any, noting the
/// name that chose it.
fn side_for(
    resolution: &Resolution,
    uuid: &str,
    key: Option<&str>,
    used: &mut HashSet<String>,
) -> Option<Side> {
    for (name, side) in &resolution.records {
        if name == uuid || Some(name.as_str()) == key {
            used.insert(name.clone());
            return Some(*side);
        }
    }
    resolution.all
}

/// The file's context for a merge: its history, and who it comes from.
pub(super) struct Source<'a> {
    /// Whether the file carries history (version 2).
    pub history: bool,
    /// The exporter's handle (for a file without history).
    pub exporter: Option<&'a str>,
    /// Whether a deletion of a record this database never had is kept.
    pub remember_unknown: bool,
}

impl<'r> Plan<'r> {
    /// Decide for every record and deletion of a file.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        s: &dyn Session,
        records: &'r [RawRow],
        file_revs: &'r [Revs],
        tombstones: &'r [Tombstone],
        source: &Source<'_>,
        resolution: &Resolution,
        settings: &Settings,
    ) -> Result<Plan<'r>> {
        let empty = Revs::new();
        let mut plan = Plan {
            records: Vec::with_capacity(records.len()),
            decisions: Vec::with_capacity(records.len()),
            locals: HashMap::new(),
            revs: HashMap::new(),
            tombstones,
            deletions: Vec::with_capacity(tombstones.len()),
            deleted: HashMap::new(),
            learnt: HashMap::new(),
            conflicts: Vec::new(),
            changes: Vec::new(),
            used: HashSet::new(),
            index: HashMap::with_capacity(records.len()),
            removed: HashSet::new(),
        };
        for (i, row) in records.iter().enumerate() {
            plan.index.insert((row.table, row.uuid.clone()), i);
            let theirs = file_revs.get(i).unwrap_or(&empty);
            let (decision, written) = match s.find_row(row.table, &row.uuid)? {
                None => plan.absent(s, i, row, theirs, source, resolution, settings)?,
                Some((id, local)) => {
                    plan.present(s, i, id, local, row, theirs, source, resolution, settings)?
                }
            };
            plan.records
                .push(written.map_or(Cow::Borrowed(row), Cow::Owned));
            plan.decisions.push(decision);
        }
        let in_file: HashSet<(usize, &str)> = tombstones
            .iter()
            .map(|t| (t.table, t.uuid.as_str()))
            .collect();
        for (j, t) in tombstones.iter().enumerate() {
            let d = plan.deletion(
                s,
                records.len() + j,
                t,
                &in_file,
                source,
                resolution,
                settings,
            )?;
            plan.deletions.push(d);
        }
        Ok(plan)
    }

    /// A record the database does not have.
    #[allow(clippy::too_many_arguments)]
    fn absent(
        &mut self,
        s: &dyn Session,
        i: usize,
        row: &RawRow,
        theirs: &Revs,
        source: &Source<'_>,
        resolution: &Resolution,
        settings: &Settings,
    ) -> Result<(Decision, Option<RawRow>)> {
        let Some(t) = s.tombstone(row.table, &row.uuid)? else {
            if !theirs.is_empty() {
                self.revs.insert(i, theirs.clone());
            }
            return Ok((Decision::Insert, None));
        };
        if source.history && kept_against(theirs, &t.rev) {
            self.revs.insert(i, theirs.clone());
            self.change(i, row, "", "deleted here", "restored");
            return Ok((Decision::Restore, None));
        }
        let stale = if source.history {
            all_seen(theirs, &t.seen)
        } else {
            newer(row.updated_at(), &t.deleted_at) != Ordering::Greater
        };
        if stale {
            return Ok((Decision::Deleted { learn: false }, None));
        }
        // Deleted here, changed in the file since the deleter saw it.
        let def = row.def();
        let fields: Vec<FieldConflict> = def
            .cols
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                if source.history {
                    theirs
                        .get(c.name)
                        .is_some_and(|r| !revisions::seen(Some(r), t.seen.get(c.name)))
                } else {
                    c.name == "updated_at"
                }
            })
            .map(|(k, c)| {
                let (by, at) = by_at(theirs.get(c.name), row, source.exporter);
                FieldConflict {
                    field: c.key,
                    ours: None,
                    theirs: Some(Shown {
                        value: shown(&row.vals[k]),
                        by,
                        at,
                    }),
                }
            })
            .collect();
        let key = human_key(row);
        let side = side_for(resolution, &row.uuid, key.as_deref(), &mut self.used);
        self.conflicts.push(Conflict {
            index: i,
            table: def.name,
            uuid: row.uuid.clone(),
            key,
            fields,
            deleted: Some((false, t.deleted_by.clone(), t.deleted_at.clone())),
            dependents: Vec::new(),
            resolved: side,
        });
        Ok(match side {
            Some(Side::Theirs) => {
                let mut revs = theirs.clone();
                let kept = merge_rev(settings).absorbing(
                    &[
                        revs.get(ROW),
                        Some(&FieldRev {
                            rev: t.rev.clone(),
                            at: None,
                            by: None,
                            prev: Vec::new(),
                        }),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>(),
                );
                revs.insert(ROW.to_string(), kept);
                self.revs.insert(i, revs);
                self.change(i, row, "", "deleted here", "restored");
                (Decision::Restore, None)
            }
            Some(Side::Ours) => {
                let mut learnt = t.clone();
                for (f, r) in theirs {
                    let next = match learnt.seen.get(f) {
                        Some(old) => r.clone().absorbing(&[old]),
                        None => r.clone(),
                    };
                    learnt.seen.insert(f.clone(), next);
                }
                let changed = learnt != t;
                if changed {
                    self.learnt.insert(i, learnt);
                }
                (Decision::Deleted { learn: changed }, None)
            }
            None => (Decision::Unchanged, None),
        })
    }

    /// A record the database has (row `id`, `local`): merged field by field.
    #[allow(clippy::too_many_arguments)]
    fn present(
        &mut self,
        s: &dyn Session,
        i: usize,
        id: i64,
        local: RawRow,
        row: &RawRow,
        theirs: &Revs,
        source: &Source<'_>,
        resolution: &Resolution,
        settings: &Settings,
    ) -> Result<(Decision, Option<RawRow>)> {
        let ours = s.revisions(row.table, &row.uuid)?;
        if local.vals == row.vals && (!source.history || ours == *theirs) {
            return Ok((Decision::Unchanged, None));
        }
        let def = row.def();
        let mut merged = local.vals.clone();
        let mut revs = ours.clone();
        let mut diverged: Vec<usize> = Vec::new();
        // Where no history tells (a file without any, or a field both
        // copies have at one revision with other values: copies that
        // differed before they kept history, or a file edited by hand),
        // the rule of files without history: the later `updated_at` wins,
        // and the same or an earlier one is a conflict.
        let file_newer = newer(row.updated_at(), local.updated_at()) == Ordering::Greater;
        for (k, col) in def.cols.iter().enumerate() {
            if col.name == "updated_at" {
                continue;
            }
            let (vo, vt) = (&local.vals[k], &row.vals[k]);
            if !source.history {
                if vo != vt {
                    if file_newer {
                        merged[k] = vt.clone();
                    } else {
                        diverged.push(k);
                    }
                }
                continue;
            }
            let (ro, rt) = (ours.get(col.name), theirs.get(col.name));
            match relation(ro, rt) {
                Relation::Same => {
                    if vo != vt && !rt.is_some_and(FieldRev::is_hidden) {
                        if file_newer {
                            merged[k] = vt.clone();
                        } else {
                            diverged.push(k);
                        }
                    }
                }
                Relation::Ours => {}
                Relation::Theirs => {
                    merged[k] = vt.clone();
                    match rt {
                        Some(r) => revs.insert(col.name.to_string(), r.clone()),
                        None => revs.remove(col.name),
                    };
                }
                Relation::Diverged => {
                    if vo == vt {
                        // Both made the same value: one revision wins
                        // (the same one on both sides), knowing the other.
                        if let (Some(o), Some(t)) = (ro, rt) {
                            if t.rev > o.rev {
                                revs.insert(col.name.to_string(), t.clone().absorbing(&[o]));
                            }
                        }
                    } else {
                        diverged.push(k);
                    }
                }
            }
        }
        // The pseudo-field of deletions kept against: the union.
        match relation(ours.get(ROW), theirs.get(ROW)) {
            Relation::Theirs => {
                if let Some(t) = theirs.get(ROW) {
                    revs.insert(ROW.to_string(), t.clone());
                }
            }
            Relation::Diverged => {
                if let (Some(o), Some(t)) = (ours.get(ROW), theirs.get(ROW)) {
                    let (a, b) = if t.rev > o.rev { (t, o) } else { (o, t) };
                    revs.insert(ROW.to_string(), a.clone().absorbing(&[b]));
                }
            }
            _ => {}
        }
        if !diverged.is_empty() {
            let key = human_key(&local);
            let side = side_for(resolution, &row.uuid, key.as_deref(), &mut self.used);
            let fields = diverged
                .iter()
                .map(|&k| {
                    let c = &def.cols[k];
                    let (ob, oa) = by_at(ours.get(c.name), &local, None);
                    let (tb, ta) = by_at(
                        theirs.get(c.name),
                        row,
                        if source.history {
                            None
                        } else {
                            source.exporter
                        },
                    );
                    FieldConflict {
                        field: c.key,
                        ours: Some(Shown {
                            value: shown(&local.vals[k]),
                            by: ob,
                            at: oa,
                        }),
                        theirs: Some(Shown {
                            value: shown(&row.vals[k]),
                            by: tb,
                            at: ta,
                        }),
                    }
                })
                .collect();
            self.conflicts.push(Conflict {
                index: i,
                table: def.name,
                uuid: row.uuid.clone(),
                key,
                fields,
                deleted: None,
                dependents: Vec::new(),
                resolved: side,
            });
            let Some(side) = side else {
                return Ok((Decision::Unchanged, None));
            };
            let mine = merge_rev(settings);
            for &k in &diverged {
                let name = def.cols[k].name;
                let (ro, rt) = (ours.get(name), theirs.get(name));
                match side {
                    Side::Theirs => {
                        merged[k] = row.vals[k].clone();
                        if let Some(t) = rt {
                            let next = t.clone().absorbing(&ro.into_iter().collect::<Vec<_>>());
                            revs.insert(name.to_string(), next);
                        }
                    }
                    Side::Ours => {
                        if source.history {
                            let others: Vec<&FieldRev> = ro.into_iter().chain(rt).collect();
                            revs.insert(name.to_string(), mine.clone().absorbing(&others));
                        }
                    }
                }
            }
        }
        // The later of the two times it was updated.
        if let Some(u) = def.col("updated_at") {
            if newer(row.updated_at(), local.updated_at()) == Ordering::Greater {
                merged[u] = row.vals[u].clone();
            }
        }
        if merged == local.vals {
            if revs == ours {
                return Ok((Decision::Unchanged, None));
            }
            self.revs.insert(i, revs);
            return Ok((Decision::Revisions, None));
        }
        let after = RawRow {
            table: row.table,
            uuid: row.uuid.clone(),
            vals: merged,
        };
        for (k, c) in def.cols.iter().enumerate() {
            if c.name != "updated_at" && local.vals[k] != after.vals[k] {
                self.change(
                    i,
                    &local,
                    c.key,
                    &shown(&local.vals[k]),
                    &shown(&after.vals[k]),
                );
            }
        }
        self.revs.insert(i, revs);
        self.locals.insert(i, local);
        Ok((Decision::Update(id), Some(after)))
    }

    /// A deletion of the file (`index`: numbered after the records).
    #[allow(clippy::too_many_arguments)]
    fn deletion(
        &mut self,
        s: &dyn Session,
        index: usize,
        t: &Tombstone,
        in_file: &HashSet<(usize, &str)>,
        source: &Source<'_>,
        resolution: &Resolution,
        settings: &Settings,
    ) -> Result<Deletion> {
        let Some((id, local)) = s.find_row(t.table, &t.uuid)? else {
            let known = s.tombstone(t.table, &t.uuid)?.is_some();
            return Ok(if known || !source.remember_unknown {
                Deletion::Nothing
            } else {
                Deletion::Remember
            });
        };
        let ours = s.revisions(t.table, &t.uuid)?;
        if kept_against(&ours, &t.rev) {
            return Ok(Deletion::Nothing);
        }
        let def = &TABLES[t.table];
        let unseen: Vec<usize> = def
            .cols
            .iter()
            .enumerate()
            .filter(|(_, c)| !revisions::seen(ours.get(c.name), t.seen.get(c.name)))
            .map(|(k, _)| k)
            .collect();
        // Records here that need this one and that the file does not delete
        // (the deleter did not know them): deleting would take them along.
        let mut dependents = Vec::new();
        for (ci, child) in TABLES.iter().enumerate() {
            for col in child.cols {
                if col.kind == Kind::Ref(def.name) && !col.nullable {
                    for u in s.referring(ci, col.name, id)? {
                        if !in_file.contains(&(ci, u.as_str())) {
                            dependents.push(format!("{} {u}", child.name));
                        }
                    }
                }
            }
        }
        if unseen.is_empty() && dependents.is_empty() {
            self.removed.insert((t.table, t.uuid.clone()));
            self.change(index, &local, "", "", "deleted");
            self.deleted.insert(index, local);
            return Ok(Deletion::Delete(id));
        }
        let key = human_key(&local);
        let side = side_for(resolution, &t.uuid, key.as_deref(), &mut self.used);
        let fields = unseen
            .iter()
            .map(|&k| {
                let c = &def.cols[k];
                let (by, at) = by_at(ours.get(c.name), &local, None);
                FieldConflict {
                    field: c.key,
                    ours: Some(Shown {
                        value: shown(&local.vals[k]),
                        by,
                        at,
                    }),
                    theirs: None,
                }
            })
            .collect();
        self.conflicts.push(Conflict {
            index,
            table: def.name,
            uuid: t.uuid.clone(),
            key,
            fields,
            deleted: Some((true, t.deleted_by.clone(), t.deleted_at.clone())),
            dependents,
            resolved: side,
        });
        Ok(match side {
            Some(Side::Theirs) => {
                self.removed.insert((t.table, t.uuid.clone()));
                self.change(index, &local, "", "", "deleted");
                self.deleted.insert(index, local);
                Deletion::Delete(id)
            }
            Some(Side::Ours) => {
                let mut revs = ours;
                let gone = FieldRev {
                    rev: t.rev.clone(),
                    at: None,
                    by: None,
                    prev: Vec::new(),
                };
                let mut others = vec![&gone];
                let old = revs.get(ROW).cloned();
                if let Some(o) = &old {
                    others.push(o);
                }
                revs.insert(ROW.to_string(), merge_rev(settings).absorbing(&others));
                self.revs.insert(index, revs);
                Deletion::Keep(id)
            }
            None => Deletion::Nothing,
        })
    }

    fn change(
        &mut self,
        index: usize,
        row: &RawRow,
        field: &'static str,
        before: &str,
        after: &str,
    ) {
        self.changes.push(Change {
            index,
            table: row.def().name,
            uuid: row.uuid.clone(),
            key: human_key(row),
            field,
            before: before.to_string(),
            after: after.to_string(),
        });
    }

    /// Whether the import writes record `i` (adds it, or changes the local copy).
    pub fn writes(&self, i: usize) -> bool {
        matches!(
            self.decisions[i],
            Decision::Insert | Decision::Restore | Decision::Update(_)
        )
    }

    /// The records the import writes, with their indexes (as written).
    pub fn written(&self) -> impl Iterator<Item = (usize, &RawRow)> + '_ {
        self.records
            .iter()
            .enumerate()
            .filter(|(i, _)| self.writes(*i))
            .map(|(i, r)| (i, r.as_ref()))
    }

    /// The index of the file's record of `table` with this UUID.
    pub fn in_file(&self, table: usize, uuid: &str) -> Option<usize> {
        self.index.get(&(table, uuid.to_string())).copied()
    }

    /// The local copy of record `i`, when the import changes it.
    pub fn local(&self, i: usize) -> Option<&RawRow> {
        self.locals.get(&i)
    }

    /// Whether the import deletes the row of `table` with this UUID.
    pub fn removes(&self, table: usize, uuid: &str) -> bool {
        self.removed.contains(&(table, uuid.to_string()))
    }

    /// The conflicts no resolution covers.
    pub fn unresolved(&self) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(|c| c.resolved.is_none())
    }
}

/// The database as it would be after the import: a record the import
/// writes in its written version, a row it deletes gone, any other row as
/// the database has it. Lookups of the database are remembered.
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
                return Ok(Some(self.plan.records[i].as_ref().clone()));
            }
        }
        if self.plan.removes(table, uuid) {
            return Ok(None);
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
