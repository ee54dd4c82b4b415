//! Dates and timestamps: in the range the command line accepts, and no
//! timestamp after now (the clock's, plus [`CLOCK_SKEW_SECONDS`]). A file
//! claiming a future `updated_at` would otherwise win every later merge.

use super::{Cx, Found};
use crate::store::exchange::{Kind, RawRow, Val};
use crate::time::{CLOCK_SKEW_SECONDS, stored_day, stored_timestamp};
use chrono::SecondsFormat;

/// Refuse dates out of range and timestamps out of range or in the future.
pub(super) fn check(cx: &Cx<'_>, index: usize, row: &RawRow, found: &mut Found) {
    let clock = &cx.settings.clock;
    let latest = clock.latest();
    for (col, val) in row.def().cols.iter().zip(&row.vals) {
        let Val::Text(text) = val else {
            continue;
        };
        match col.kind {
            Kind::Date => {
                if let Err(e) = stored_day(text) {
                    found.refuse(index, row, Some(col.key), e.message());
                }
            }
            Kind::Time => match stored_timestamp(text) {
                Err(e) => found.refuse(index, row, Some(col.key), e.message()),
                Ok(t) if t > latest => found.refuse(
                    index,
                    row,
                    Some(col.key),
                    format!(
                        "{text} is in the future (now is {}; a timestamp may be at most {} minutes ahead)",
                        clock.now.to_rfc3339_opts(SecondsFormat::Secs, true),
                        CLOCK_SKEW_SECONDS / 60
                    ),
                ),
                Ok(_) => {}
            },
            _ => {}
        }
    }
}
