//! Merging validated records into a database, inside the caller's
//! transaction: upsert by UUID, the newer `updated_at` wins, conflicts are
//! listed, finalized cycles are left alone, unique-key clashes refuse the
//! whole import.

use crate::domain::CycleState;
use crate::error::{Error, Result};
use crate::store::exchange::{Kind, RawRow, TABLES, Val, table_index};
use crate::store::{Session, StoreError};
use chrono::DateTime;
use std::cmp::Ordering;
use std::collections::HashSet;

/// What happened to the records of one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records that were not in the database and were added.
    pub inserted: usize,
    /// Records whose imported copy was newer and replaced the local one.
    pub updated: usize,
    /// Records identical to the local copy.
    pub unchanged: usize,
    /// Records that differ and were not applied (see [`Conflict`]).
    pub conflicts: usize,
}

impl Counts {
    /// How many records these counts cover.
    pub fn total(&self) -> usize {
        self.inserted + self.updated + self.unchanged + self.conflicts
    }
}

/// A record of the file that was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Its index in the file's `records`.
    pub index: usize,
    /// Its table.
    pub table: &'static str,
    /// Its UUID.
    pub uuid: String,
    /// Which copy is kept: `local` (the database's) or `none` (the record
    /// was skipped and there is no local copy).
    pub kept: &'static str,
    /// Why.
    pub reason: String,
}

/// The outcome of a merge.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Counts per table, indexed like [`TABLES`].
    pub tables: Vec<Counts>,
    /// The conflicts, in the order they were met.
    pub conflicts: Vec<Conflict>,
}

impl Summary {
    /// The counts over all tables.
    pub fn total(&self) -> Counts {
        self.tables.iter().fold(Counts::default(), |a, c| Counts {
            inserted: a.inserted + c.inserted,
            updated: a.updated + c.updated,
            unchanged: a.unchanged + c.unchanged,
            conflicts: a.conflicts + c.conflicts,
        })
    }
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

/// A reference to fill in once the record it names has been written.
struct Fixup {
    index: usize,
    table: usize,
    id: i64,
    column: &'static str,
    key: &'static str,
    target: &'static str,
    uuid: String,
}

/// What writing one record did.
enum Applied {
    Done(i64),
    Guarded(String),
    Clash(Vec<String>),
}

fn apply(
    s: &mut dyn Session,
    row: &RawRow,
    existing: Option<i64>,
    vals: &[Val],
) -> Result<Applied> {
    let result = match existing {
        Some(id) => s.update_row(row.table, id, vals).map(|()| id),
        None => s.insert_row(row.table, &row.uuid, vals),
    };
    match result {
        Ok(id) => Ok(Applied::Done(id)),
        Err(StoreError::Refused { message }) => Ok(Applied::Guarded(message)),
        Err(StoreError::Clash { columns, .. }) => Ok(Applied::Clash(columns)),
        Err(e) => Err(Error::from(e)),
    }
}

/// Merge `records` (validated, references checked) into the database behind
/// `s`, a write session. Returns what happened; a
/// unique-key clash (a handle, goal key or cycle name that exists locally
/// under another UUID) fails the whole merge with [`Error::failed`].
pub fn merge(
    s: &mut dyn Session,
    records: &[RawRow],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let mut summary = Summary {
        tables: vec![Counts::default(); TABLES.len()],
        conflicts: Vec::new(),
    };
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| records[i].table);
    let mut skipped: HashSet<(usize, String)> = HashSet::new();
    let mut fixups: Vec<Fixup> = Vec::new();
    let mut finalize: Vec<i64> = Vec::new();
    let mut clashes: Vec<String> = Vec::new();
    let cycle_table = table_index("cycle");
    let finalized = CycleState::Finalized.as_str();

    let total = u64::try_from(order.len()).unwrap_or(u64::MAX);
    for (done, index) in order.into_iter().enumerate() {
        if done % 1024 == 0 {
            progress(u64::try_from(done).unwrap_or(0), total);
        }
        let row = &records[index];
        let def = row.def();
        let conflict = |summary: &mut Summary, kept: &'static str, reason: String| {
            summary.tables[row.table].conflicts += 1;
            summary.conflicts.push(Conflict {
                index,
                table: def.name,
                uuid: row.uuid.clone(),
                kept,
                reason,
            });
        };
        let local = s.find_row(row.table, &row.uuid)?;
        if let Some((_, l)) = &local {
            if l.vals == row.vals {
                summary.tables[row.table].unchanged += 1;
                continue;
            }
            let (mine, theirs) = (l.updated_at(), row.updated_at());
            match newer(theirs, mine) {
                Ordering::Greater => {}
                Ordering::Less => {
                    conflict(
                        &mut summary,
                        "local",
                        format!("the local copy is newer (updated {mine}; the file's {theirs})"),
                    );
                    continue;
                }
                Ordering::Equal => {
                    conflict(
                        &mut summary,
                        "local",
                        format!(
                            "both copies were updated at {mine} but differ; the local one is kept"
                        ),
                    );
                    continue;
                }
            }
            // A finalized cycle is read-only: an import never reopens or edits it.
            if Some(row.table) == cycle_table
                && l.get("state").and_then(Val::as_text) == Some(finalized)
            {
                conflict(
                    &mut summary,
                    "local",
                    "skipped: the cycle is finalized here and read-only; reopen it with \
                     `appraise cycle reopen --reason` to take changes"
                        .into(),
                );
                continue;
            }
        }
        // Map references to this file's ids.
        let mut vals = row.vals.clone();
        let mut pending: Vec<(&'static str, &'static str, &'static str, String)> = Vec::new();
        let mut missing: Option<String> = None;
        for (col, val) in def.cols.iter().zip(vals.iter_mut()) {
            let (Kind::Ref(target), Val::Text(u)) = (col.kind, &*val) else {
                continue;
            };
            let u = u.clone();
            match s.row_id(target, &u)? {
                Some(id) => *val = Val::Int(id),
                None => {
                    let ti = table_index(target).unwrap_or(usize::MAX);
                    if skipped.contains(&(ti, u.clone())) {
                        missing = Some(format!("its {} {target} {u} was not imported", col.key));
                        break;
                    } else if col.nullable {
                        // Named later in the file (a team's lead, a manager, a parent goal).
                        *val = Val::Null;
                        pending.push((col.name, col.key, target, u));
                    } else {
                        missing = Some(format!(
                            "its {} {target} {u} is not in the database",
                            col.key
                        ));
                        break;
                    }
                }
            }
        }
        if let Some(reason) = missing {
            conflict(&mut summary, "none", reason);
            skipped.insert((row.table, row.uuid.clone()));
            continue;
        }
        // A cycle that arrives finalized is finalized after its rows are in.
        let mut finalize_this = false;
        if Some(row.table) == cycle_table {
            if let Some(si) = def.col("state") {
                let local_state = local
                    .as_ref()
                    .and_then(|(_, l)| l.vals.get(si).and_then(Val::as_text).map(str::to_string));
                if vals.get(si).and_then(Val::as_text) == Some(finalized)
                    && local_state.as_deref() != Some(finalized)
                {
                    vals[si] = Val::Text(
                        local_state.unwrap_or_else(|| CycleState::Calibrating.as_str().into()),
                    );
                    finalize_this = true;
                }
            }
        }
        match apply(s, row, local.as_ref().map(|(id, _)| *id), &vals)? {
            Applied::Done(id) => {
                if local.is_some() {
                    summary.tables[row.table].updated += 1;
                } else {
                    summary.tables[row.table].inserted += 1;
                }
                if finalize_this {
                    finalize.push(id);
                }
                for (column, key, target, uuid) in pending {
                    fixups.push(Fixup {
                        index,
                        table: row.table,
                        id,
                        column,
                        key,
                        target,
                        uuid,
                    });
                }
            }
            Applied::Guarded(msg) => {
                let msg = msg.split(';').next().unwrap_or(&msg).to_string();
                let kept = if local.is_some() { "local" } else { "none" };
                conflict(&mut summary, kept, format!("skipped: {msg}"));
                if local.is_none() {
                    skipped.insert((row.table, row.uuid.clone()));
                }
            }
            Applied::Clash(cols) => {
                let shown: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        let v = match row.get(c) {
                            Some(Val::Text(s)) => s.clone(),
                            Some(Val::Int(i)) => i.to_string(),
                            Some(Val::Real(f)) => f.to_string(),
                            _ => String::new(),
                        };
                        let key = def.col(c).map_or(c.as_str(), |i| def.cols[i].key);
                        if matches!(row.get(c), Some(Val::Text(_))) && !key.ends_with("_uuid") {
                            format!("{key} '{v}'")
                        } else {
                            format!("{key} {v}")
                        }
                    })
                    .collect();
                clashes.push(format!(
                    "record {index}: {} {}: {} exists locally under another UUID",
                    def.name,
                    row.uuid,
                    shown.join(", ")
                ));
                skipped.insert((row.table, row.uuid.clone()));
            }
        }
    }

    for f in fixups {
        match s.row_id(f.target, &f.uuid)? {
            Some(id) => s.set_row_column(f.table, f.id, f.column, &Val::Int(id))?,
            None => {
                let table = TABLES[f.table].name;
                let uuid = records[f.index].uuid.clone();
                summary.tables[f.table].conflicts += 1;
                summary.conflicts.push(Conflict {
                    index: f.index,
                    table,
                    uuid,
                    kept: "file",
                    reason: format!(
                        "its {} {} {} was not imported; left empty",
                        f.key, f.target, f.uuid
                    ),
                });
            }
        }
    }
    if let Some(ct) = cycle_table {
        for id in finalize {
            s.set_row_column(ct, id, "state", &Val::Text(finalized.into()))?;
        }
    }
    if !clashes.is_empty() {
        let n = clashes.len();
        return Err(Error::failed(format!(
            "import refused: {n} record(s) clash with different local records of the same name:\n  {}",
            clashes.join("\n  ")
        ))
        .with_hint(
            "the same handle, goal key or cycle name was created separately in both files; \
             rename one of them (or remove it) and import again; nothing was imported",
        ));
    }
    Ok(summary)
}

/// `import`: check that every reference of a parsed file resolves, then
/// merge it (see [`merge`]), logged as one operation.
pub fn import(
    s: &mut dyn Session,
    parsed: &crate::formats::exchange::Parsed,
    shown: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    super::exchange::check_references(s, parsed, shown)?;
    let summary = merge(s, &parsed.records, progress)?;
    let t = summary.total();
    s.set_summary(&format!(
        "imported {shown}: {} inserted, {} updated, {} unchanged, {} conflicts",
        t.inserted, t.updated, t.unchanged, t.conflicts
    ));
    Ok(summary)
}
