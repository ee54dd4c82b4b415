//! `export` and `import`'s work over the store: streaming the selected
//! records or check-ins into a writer, and checking that every reference of
//! an import file resolves before anything is merged.

use crate::error::Result;
use crate::formats::exchange::{CsvWriter, Header, JsonWriter, OnWriteError, Parsed, record_error};
use crate::store::Session;
use crate::store::exchange::{Kind, Selection, Val, table_index};
use std::collections::HashSet;
use std::io::Write;

/// Stream the selected check-ins as CSV; returns how many were written.
pub fn write_checkins_csv(
    s: &dyn Session,
    sel: &Selection,
    out: &mut dyn Write,
    bom: bool,
    on_io: OnWriteError,
) -> Result<usize> {
    let mut w = CsvWriter::begin(out, bom, on_io)?;
    s.for_each_checkin_line(sel, &mut |c| w.line(c))?;
    w.finish()
}

/// Stream the selected records as an exchange document; returns how many
/// were written.
pub fn write_json(
    s: &dyn Session,
    sel: &Selection,
    header: &Header,
    out: &mut dyn Write,
    on_io: OnWriteError,
) -> Result<usize> {
    let mut w = JsonWriter::begin(out, header).map_err(on_io)?;
    s.for_each_row(sel, &mut |row| w.record(row).map_err(on_io))?;
    w.finish().map_err(on_io)
}

/// Check that every reference of every record names a record in the file or
/// a row already in the database. The first dangling one is an invalid
/// input error naming the record.
pub fn check_references(s: &dyn Session, parsed: &Parsed, file: &str) -> Result<()> {
    let in_file: HashSet<(usize, &str)> = parsed
        .records
        .iter()
        .map(|r| (r.table, r.uuid.as_str()))
        .collect();
    for (index, row) in parsed.records.iter().enumerate() {
        for (col, val) in row.def().cols.iter().zip(&row.vals) {
            let (Kind::Ref(target), Val::Text(u)) = (col.kind, val) else {
                continue;
            };
            let Some(ti) = table_index(target) else {
                continue;
            };
            if in_file.contains(&(ti, u.as_str())) || s.row_id(target, u)?.is_some() {
                continue;
            }
            return Err(record_error(
                index,
                format!(
                    "{} {}: field '{}': {target} {u} is neither in the file nor in the database",
                    row.def().name,
                    row.uuid,
                    col.key
                ),
            )
            .context(file));
        }
    }
    Ok(())
}
