//! `export`'s work over the store: streaming the selected records or
//! check-ins into a writer (`import` is [`super::merge`]).

use crate::error::Result;
use crate::formats::exchange::{CsvWriter, Header, JsonWriter, OnWriteError};
use crate::store::Session;
use crate::store::exchange::Selection;
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
