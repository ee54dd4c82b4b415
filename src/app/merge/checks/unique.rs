//! No handle, goal key, period or cycle name, measure name within its goal,
//! review of the same subject by the same reviewer… twice: neither in the
//! file nor against a local record with another UUID (people and teams
//! share one set of handles, as on the command line). Two files that
//! created "the same" thing separately are not merged by guesswork.

use super::{Cx, Found};
use crate::app::merge::Refusal;
use crate::error::Result;
use crate::store::exchange::{Kind, RawRow, UNIQUE_KEYS, UniqueKey, Val, table_index};
use std::collections::HashMap;

/// What to do about a name held locally by another record.
const CLASH: &str = "a name that exists locally under another UUID was created separately in both \
                     files: rename one of them (or remove it)";

/// The key's values in a row, as text (UUIDs for references).
fn key_of(row: &RawRow, key: &UniqueKey) -> Option<Vec<String>> {
    key.columns
        .iter()
        .map(|c| match row.get(c)? {
            Val::Text(t) => Some(t.clone()),
            Val::Int(i) => Some(i.to_string()),
            Val::Real(f) => Some(f.to_string()),
            Val::Null => None,
        })
        .collect()
}

/// The key as a message shows it: `handle 'kim'`, `goal_uuid …, name 'p95'`.
fn shown(row: &RawRow, key: &UniqueKey) -> String {
    let def = row.def();
    key.columns
        .iter()
        .filter_map(|c| {
            let col = &def.cols[def.col(c)?];
            Some(match (row.get(c)?, col.kind) {
                (Val::Text(t), Kind::Ref(_)) => format!("{} {t}", col.key),
                (Val::Text(t), _) => format!("{} '{t}'", col.key),
                (v, _) => format!("{} {v:?}", col.key),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key's values as the database holds them (references as row ids);
/// `None` when a reference names no local row (then no local row can hold
/// the key).
fn local_values(cx: &Cx<'_>, row: &RawRow, key: &UniqueKey) -> Result<Option<Vec<Val>>> {
    let def = row.def();
    let mut out = Vec::with_capacity(key.columns.len());
    for c in key.columns {
        let Some(i) = def.col(c) else {
            return Ok(None);
        };
        let v = &row.vals[i];
        match (def.cols[i].kind, v) {
            (Kind::Ref(target), Val::Text(u)) => match cx.session().row_id(target, u)? {
                Some(id) => out.push(Val::Int(id)),
                None => return Ok(None),
            },
            _ => out.push(v.clone()),
        }
    }
    Ok(Some(out))
}

/// Refuse every written record whose unique key another record holds.
pub(super) fn check(cx: &Cx<'_>, found: &mut Found) -> Result<()> {
    let plan = cx.plan();
    for key in UNIQUE_KEYS {
        let tables: Vec<usize> = key.tables.iter().filter_map(|t| table_index(t)).collect();
        let mut groups: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (i, row) in plan.written() {
            if !tables.contains(&row.table) {
                continue;
            }
            if let Some(k) = key_of(row, key) {
                groups.entry(k).or_default().push(i);
            }
        }
        // Twice in the file.
        let mut dups: Vec<&Vec<usize>> = groups.values().filter(|g| g.len() > 1).collect();
        dups.sort();
        for group in dups {
            for &i in group {
                let row = &plan.records[i];
                let others: Vec<String> = group
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| {
                        let o = &plan.records[j];
                        format!("record {j} ({} {})", o.def().name, o.uuid)
                    })
                    .collect();
                found.refuse(
                    i,
                    row,
                    None,
                    format!(
                        "{} is also used by {} in the file",
                        shown(row, key),
                        others.join(", ")
                    ),
                );
            }
        }
        // Held locally by another record.
        for (i, row) in plan.written() {
            if !tables.contains(&row.table) {
                continue;
            }
            let Some(values) = local_values(cx, row, key)? else {
                continue;
            };
            for &t in &tables {
                let Some((_, local)) = cx.session().find_row_by(t, key.columns, &values)? else {
                    continue;
                };
                if t == row.table && local.uuid == row.uuid {
                    continue;
                }
                // The local holder gets another key from this import.
                if let Some(j) = plan.in_file(t, &local.uuid) {
                    if plan.writes(j) && key_of(&plan.records[j], key) != key_of(row, key) {
                        continue;
                    }
                }
                found.0.push(
                    Refusal::new(
                        i,
                        row,
                        None,
                        format!(
                            "{} exists locally under another UUID ({} {})",
                            shown(row, key),
                            local.def().name,
                            local.uuid
                        ),
                    )
                    .with_hint(CLASH),
                );
            }
        }
    }
    Ok(())
}
