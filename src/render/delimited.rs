//! CSV and TSV through the `csv` crate.
//!
//! CSV is for spreadsheets: text is kept exactly (fields with commas, quotes
//! or line breaks are quoted), only formula-like text gets a leading `'`.
//! TSV is for scripts and is also what a pipe gets by default, so it often
//! ends up on a terminal: one row per line, with a backslash, tab, line break
//! and every other [unsafe character](super::is_unsafe_char) in text written
//! as an escape (`\\`, `\t`, `\n`, `\r`, `\e`, `\x07`, `\u{202e}`), then the
//! same formula guard on what is written.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Cell, Doc, is_unsafe_char, iso_date, plain_float, push_escape, round2};

pub use crate::domain::text::neutralize_formula;

/// Which of the two formats a field is written for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Csv,
    Tsv,
}

/// TSV text: a backslash doubled, every unsafe character (tab and line
/// breaks included) escaped; borrowed when there is nothing to escape.
fn tsv_escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c == '\\' || is_unsafe_char(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if is_unsafe_char(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A text cell: escaped for TSV, then guarded against formulas (the guard
/// sees exactly the text a spreadsheet would read).
fn text(t: &str, flavour: Flavour) -> Cow<'_, str> {
    match flavour {
        Flavour::Csv => neutralize_formula(t),
        Flavour::Tsv => match tsv_escape(t) {
            Cow::Borrowed(t) => neutralize_formula(t),
            Cow::Owned(t) => Cow::Owned(neutralize_formula(&t).into_owned()),
        },
    }
}

/// The text of one cell in CSV/TSV.
fn field(cell: &Cell, flavour: Flavour) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Text(t) | Cell::Status(t) => text(t, flavour),
        Cell::Tree { text: t, .. } => text(t, flavour),
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
    let flavour = if delimiter == b',' {
        Flavour::Csv
    } else {
        Flavour::Tsv
    };
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
                    w.write_field(field(cell, flavour).as_bytes())?;
                }
                w.write_record(None::<&[u8]>)?;
            }
        }
    } else if let Some(record) = doc.first_record()
        && !record.fields.is_empty()
    {
        w.write_record(record.fields.iter().map(|(c, _)| c.key))?;
        for (_, value) in &record.fields {
            w.write_field(field(value, flavour).as_bytes())?;
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

    fn field_csv(cell: &Cell) -> Cow<'_, str> {
        field(cell, Flavour::Csv)
    }

    #[test]
    fn fields() {
        assert_eq!(field_csv(&Cell::Percent(33.3333)), "33.33");
        assert_eq!(field_csv(&Cell::Percent(50.0)), "50");
        assert_eq!(field_csv(&Cell::Float(0.1)), "0.1");
        assert_eq!(field_csv(&Cell::Float(f64::NAN)), "");
        assert_eq!(field_csv(&Cell::Int(-5)), "-5");
        assert_eq!(field_csv(&Cell::Bool(false)), "false");
        assert_eq!(field_csv(&Cell::tree(3, "=x")), "'=x");
        assert_eq!(
            field_csv(&Cell::Sparkline(vec![-3.5, f64::NAN, 2.0, 1e21])),
            "-3.5 2 1000000000000000000000"
        );
        assert_eq!(field_csv(&Cell::Sparkline(vec![])), "");
    }

    #[test]
    fn tsv_escapes_what_csv_keeps() {
        let cases = [
            ("a\tb", "a\tb", "a\\tb"),
            ("l1\nl2\r\n", "l1\nl2\r\n", "l1\\nl2\\r\\n"),
            ("C:\\x", "C:\\x", "C:\\\\x"),
            ("\u{1b}[2J", "\u{1b}[2J", "\\e[2J"),
            (
                "\u{7}\u{0}\u{7f}\u{9b}",
                "\u{7}\u{0}\u{7f}\u{9b}",
                "\\x07\\x00\\x7f\\u{9b}",
            ),
            (
                "a\u{202e}b\u{2069}",
                "a\u{202e}b\u{2069}",
                "a\\u{202e}b\\u{2069}",
            ),
            ("plain é ✓", "plain é ✓", "plain é ✓"),
        ];
        for (data, csv, tsv) in cases {
            let cell = Cell::text(data);
            assert_eq!(field(&cell, Flavour::Csv), csv, "{data:?}");
            assert_eq!(field(&cell, Flavour::Tsv), tsv, "{data:?}");
        }
    }

    #[test]
    fn tsv_guards_what_it_writes() {
        // A leading tab is written `\t`: a spreadsheet reads a backslash, no formula.
        assert_eq!(field(&Cell::text("\t=1"), Flavour::Tsv), "\\t=1");
        assert_eq!(field(&Cell::text(" =1"), Flavour::Tsv), "' =1");
        assert_eq!(field(&Cell::status("=1"), Flavour::Tsv), "'=1");
        assert_eq!(field(&Cell::text("-3.5"), Flavour::Tsv), "-3.5");
    }
}
