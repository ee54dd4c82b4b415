//! CSV and TSV through the `csv` crate.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Cell, Doc, iso_date, plain_float, round2};

pub use crate::domain::text::neutralize_formula;

/// The text of one cell in CSV/TSV.
fn field(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Text(t) | Cell::Status(t) => neutralize_formula(t),
        Cell::Tree { text, .. } => neutralize_formula(text),
        Cell::Int(i) => Cow::Owned(i.to_string()),
        Cell::Float(f) => Cow::Owned(plain_float(*f)),
        Cell::Percent(p) | Cell::Progress(p) => {
            Cow::Owned(round2(*p).map(plain_float).unwrap_or_default())
        }
        Cell::Date(d) => Cow::Owned(iso_date(*d)),
        Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        // Only digits, signs, points, exponents and spaces: nothing to neutralise.
        Cell::Sparkline(values) => Cow::Owned(
            values
                .iter()
                .filter(|v| v.is_finite())
                .map(|v| plain_float(*v))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

/// The first table (or the first record as a one-row table) with a header row
/// of keys. CSV lines end in CRLF (RFC 4180), TSV lines in LF.
pub(super) fn render(doc: &Doc, delimiter: u8, bom: bool, out: &mut dyn Write) -> io::Result<()> {
    if bom {
        out.write_all("\u{FEFF}".as_bytes())?;
    }
    let terminator = if delimiter == b',' {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .from_writer(&mut *out);
    if let Some(table) = doc.first_table() {
        if !table.columns.is_empty() {
            w.write_record(table.columns.iter().map(|c| c.key))?;
            for row in &table.rows {
                for cell in table.cells(row) {
                    w.write_field(field(cell).as_bytes())?;
                }
                w.write_record(None::<&[u8]>)?;
            }
        }
    } else if let Some(record) = doc.first_record()
        && !record.fields.is_empty()
    {
        w.write_record(record.fields.iter().map(|(c, _)| c.key))?;
        for (_, value) in &record.fields {
            w.write_field(field(value).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_left_alone() {
        for s in ["-3.5", "+4", "-1e3", "-0", "1"] {
            assert_eq!(neutralize_formula(s), s);
        }
    }

    #[test]
    fn risky_text_is_quoted() {
        for s in [
            "=1", "+1+1", "-x", "@x", "\tx", "\rx", "\nx", "-inf", "-NaN", "-", "+", "-.",
        ] {
            assert_eq!(neutralize_formula(s), format!("'{s}"), "{s:?}");
        }
    }

    #[test]
    fn fields() {
        assert_eq!(field(&Cell::Percent(33.3333)), "33.33");
        assert_eq!(field(&Cell::Percent(50.0)), "50");
        assert_eq!(field(&Cell::Float(0.1)), "0.1");
        assert_eq!(field(&Cell::Float(f64::NAN)), "");
        assert_eq!(field(&Cell::Int(-5)), "-5");
        assert_eq!(field(&Cell::Bool(false)), "false");
        assert_eq!(field(&Cell::tree(3, "=x")), "'=x");
        assert_eq!(
            field(&Cell::Sparkline(vec![-3.5, f64::NAN, 2.0, 1e21])),
            "-3.5 2 1000000000000000000000"
        );
        assert_eq!(field(&Cell::Sparkline(vec![])), "");
    }
}
