//! Every reference of every record names a record of the file or a row of
//! the database.

use super::{Cx, Found};
use crate::error::Result;
use crate::store::exchange::{Kind, Val, table_index};

/// Refuse every record with a reference that resolves nowhere.
pub(super) fn check(cx: &Cx<'_>, found: &mut Found) -> Result<()> {
    let plan = cx.plan();
    for (index, row) in plan.records.iter().enumerate() {
        for (col, val) in row.def().cols.iter().zip(&row.vals) {
            let (Kind::Ref(target), Val::Text(u)) = (col.kind, val) else {
                continue;
            };
            let Some(ti) = table_index(target) else {
                continue;
            };
            if plan.in_file(ti, u).is_some() || cx.session().row_id(target, u)?.is_some() {
                continue;
            }
            found.refuse(
                index,
                row,
                Some(col.key),
                format!("{target} {u} is neither in the file nor in the database"),
            );
        }
    }
    Ok(())
}
