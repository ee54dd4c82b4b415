//! Writing a checked plan: parents first (table order), references mapped
//! to this file's row ids, forward references filled in once their target
//! is written, and a cycle that arrives finalized finalized last.

use super::plan::{Decision, Deletion, Plan};
use super::{Counts, Refusal, Summary};
use crate::domain::CycleState;
use crate::domain::revisions::Revs;
use crate::error::{Error, Result};
use crate::store::exchange::{Kind, RawRow, TABLES, Val, table_index};
use crate::store::{Session, StoreError};

/// A reference to fill in once the record it names has been written.
struct Fixup {
    table: usize,
    id: i64,
    column: &'static str,
    target: &'static str,
    uuid: String,
}

/// A database guard or unique index refusing a write the checks let
/// through (they should not: the checks run first so that nothing fails here).
fn store_refusal(index: usize, row: &RawRow, e: &StoreError) -> Option<Refusal> {
    match e {
        StoreError::Refused { message } => {
            let msg = message.split(';').next().unwrap_or(message);
            Some(Refusal::new(index, row, None, msg))
        }
        StoreError::Clash { columns, .. } => {
            let def = row.def();
            let shown: Vec<&str> = columns
                .iter()
                .map(|c| def.col(c).map_or(c.as_str(), |i| def.cols[i].key))
                .collect();
            Some(Refusal::new(
                index,
                row,
                None,
                format!("{} exists locally under another UUID", shown.join(", ")),
            ))
        }
        _ => None,
    }
}

/// Write every record the plan writes; count the others. Returns the
/// summary and what the database refused (then the caller fails the write,
/// and nothing is kept).
pub(super) fn apply(
    s: &mut dyn Session,
    plan: &Plan<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Summary, Vec<Refusal>)> {
    let records = &plan.records;
    let mut summary = Summary {
        tables: vec![Counts::default(); TABLES.len()],
        conflicts: plan.conflicts.clone(),
        changes: plan.changes.clone(),
        unneeded: Vec::new(),
    };
    let conflicted: std::collections::HashSet<usize> =
        plan.conflicts.iter().map(|c| c.index).collect();
    let no_revs = Revs::new();
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| records[i].table);
    let mut fixups: Vec<Fixup> = Vec::new();
    let mut finalize: Vec<i64> = Vec::new();
    let mut refusals: Vec<Refusal> = Vec::new();
    let cycle_table = table_index("cycle");
    let finalized = CycleState::Finalized.as_str();

    let total = u64::try_from(order.len()).unwrap_or(u64::MAX);
    for (done, index) in order.into_iter().enumerate() {
        if done % 1024 == 0 {
            progress(u64::try_from(done).unwrap_or(0), total);
        }
        let row = records[index].as_ref();
        let def = row.def();
        let counts = &mut summary.tables[row.table];
        if conflicted.contains(&index) {
            counts.conflicts += 1;
        }
        let count = |c: &mut Counts, f: fn(&mut Counts) -> &mut usize| {
            if !conflicted.contains(&index) {
                *f(c) += 1;
            }
        };
        let existing = match &plan.decisions[index] {
            Decision::Unchanged | Decision::Deleted { learn: false } => {
                count(counts, |c| &mut c.unchanged);
                continue;
            }
            Decision::Deleted { learn: true } => {
                if let Some(t) = plan.learnt.get(&index) {
                    s.put_tombstone(t)?;
                }
                continue;
            }
            Decision::Revisions => {
                s.set_revisions(
                    row.table,
                    &row.uuid,
                    plan.revs.get(&index).unwrap_or(&no_revs),
                )?;
                count(counts, |c| &mut c.unchanged);
                continue;
            }
            Decision::Insert | Decision::Restore => None,
            Decision::Update(id) => Some(*id),
        };
        // Map references to this file's ids.
        let mut vals = row.vals.clone();
        let mut pending: Vec<(&'static str, &'static str, String)> = Vec::new();
        for (col, val) in def.cols.iter().zip(vals.iter_mut()) {
            let (Kind::Ref(target), Val::Text(u)) = (col.kind, &*val) else {
                continue;
            };
            let u = u.clone();
            match s.row_id(target, &u)? {
                Some(id) => *val = Val::Int(id),
                None if col.nullable => {
                    // Named later in the file (a team's lead, a manager, a parent goal).
                    *val = Val::Null;
                    pending.push((col.name, target, u));
                }
                None => {
                    return Err(Error::internal(format!(
                        "record {index}: {} {}: {target} {u} is not written yet",
                        def.name, row.uuid
                    )));
                }
            }
        }
        // A cycle that arrives finalized is finalized after its rows are in.
        let mut finalize_this = false;
        if Some(row.table) == cycle_table {
            if let Some(si) = def.col("state") {
                let local_state = plan
                    .local(index)
                    .and_then(|l| l.vals.get(si).and_then(Val::as_text).map(str::to_string));
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
        let written = match existing {
            Some(id) => s.update_row(row.table, id, &vals).map(|()| id),
            None => s.insert_row(row.table, &row.uuid, &vals),
        };
        match written {
            Ok(id) => {
                // The merged revisions (this also keeps the write machinery
                // from taking the merge for a local edit).
                if existing.is_some() || plan.revs.contains_key(&index) {
                    s.set_revisions(
                        row.table,
                        &row.uuid,
                        plan.revs.get(&index).unwrap_or(&no_revs),
                    )?;
                }
                if plan.decisions[index] == Decision::Restore {
                    s.remove_tombstone(row.table, &row.uuid)?;
                }
                let counts = &mut summary.tables[row.table];
                if existing.is_some() {
                    count(counts, |c| &mut c.updated);
                } else {
                    count(counts, |c| &mut c.inserted);
                }
                if finalize_this {
                    finalize.push(id);
                }
                for (column, target, uuid) in pending {
                    fixups.push(Fixup {
                        table: row.table,
                        id,
                        column,
                        target,
                        uuid,
                    });
                }
            }
            Err(e) => match store_refusal(index, row, &e) {
                Some(r) => refusals.push(r),
                None => return Err(Error::from(e)),
            },
        }
    }
    if !refusals.is_empty() {
        return Ok((summary, refusals));
    }
    for f in fixups {
        let id = s
            .row_id(f.target, &f.uuid)?
            .ok_or_else(|| Error::internal(format!("{} {} was not written", f.target, f.uuid)))?;
        s.set_row_column(f.table, f.id, f.column, &Val::Int(id))?;
    }
    // Deletions, the records that depend on others first.
    let n = records.len();
    let mut deletions: Vec<usize> = (0..plan.tombstones.len()).collect();
    deletions.sort_by_key(|&j| std::cmp::Reverse(plan.tombstones[j].table));
    for j in deletions {
        let t = &plan.tombstones[j];
        match &plan.deletions[j] {
            Deletion::Nothing => {}
            Deletion::Remember => s.put_tombstone(t)?,
            Deletion::Keep(_) => {
                s.set_revisions(
                    t.table,
                    &t.uuid,
                    plan.revs.get(&(n + j)).unwrap_or(&no_revs),
                )?;
                summary.tables[t.table].conflicts += 1;
            }
            Deletion::Delete(id) => {
                s.put_tombstone(t)?;
                if let Err(e) = s.delete_row(t.table, *id) {
                    let local = plan.deleted.get(&(n + j));
                    match local.and_then(|row| store_refusal(n + j, row, &e)) {
                        Some(r) => refusals.push(r),
                        None => return Err(Error::from(e)),
                    }
                    continue;
                }
                if conflicted.contains(&(n + j)) {
                    summary.tables[t.table].conflicts += 1;
                } else {
                    summary.tables[t.table].deleted += 1;
                }
            }
        }
    }
    if !refusals.is_empty() {
        return Ok((summary, refusals));
    }
    if let Some(ct) = cycle_table {
        for id in finalize {
            s.set_row_column(ct, id, "state", &Val::Text(finalized.into()))?;
        }
    }
    Ok((summary, refusals))
}
