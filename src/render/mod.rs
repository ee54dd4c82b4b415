//! Output renderers: one generic document type ([`Doc`]) and one renderer per
//! output [`Format`].
//!
//! Commands build a [`Doc`] — one or more [`Part`]s, each a [`Record`] (one
//! object: a goal, a person) or a [`Table`] (a list of rows) — and hand it to
//! [`render`] with the [`RenderOptions`] the CLI decided on (colour, terminal
//! width, BOM). Renderers never look at the terminal, the environment or the
//! database: everything they need comes in as arguments, so the same document
//! renders the same bytes every time.
//!
//! # Formats
//!
//! - **table** — for people at a terminal: comfy-table without outer borders,
//!   a header rule, numbers right-aligned, long text wrapped to
//!   [`RenderOptions::width`], progress bars, tree indentation, coloured
//!   status words when [`RenderOptions::color`] is set (and no escape code at
//!   all when it is not). A cell keeps its line breaks (CR and CRLF become
//!   LF), a tab becomes a space, and every other [unsafe
//!   character](is_unsafe_char) — ESC and the other controls, DEL, C1,
//!   bidirectional overrides — is shown as its escape (`\e`, `\x07`,
//!   `\u{202e}`), so that content can never drive the terminal.
//! - **json** — one pretty-printed object:
//!   `{"schema_version": 1, "kind": "<kind>", "<part key>": …}`. A record is an
//!   object of its fields in field order; a table is an array of objects keyed
//!   by the column keys, in column order. Numbers are numbers (percentages and
//!   progress in percentage points, rounded to 2 decimals), dates are ISO-8601
//!   strings, NaN and infinities are `null`.
//! - **jsonl** — one compact object per row of the *first* table part (or, if
//!   the document has no table, one line per record). There is **no**
//!   `schema_version`/`kind` wrapper: every line is a bare row object, so that
//!   the stream can be fed to `jq -c`, `duckdb` and friends line by line.
//! - **csv** / **tsv** — RFC 4180 through the `csv` crate (CSV lines end in
//!   CRLF as the RFC says; TSV lines end in LF). The first table part (or, if
//!   there is none, the first record as a one-row table) with one header row
//!   of column keys. CSV keeps text exactly (quoted where needed). TSV, which
//!   is also what a pipe gets, has one row per line: a backslash is doubled
//!   and tabs, line breaks and the other unsafe characters are written as
//!   escapes (`\t`, `\n`, `\r`, `\e`, `\x07`, `\u{202e}`). In both, text
//!   that a spreadsheet would run as a formula — also behind leading controls
//!   or spaces — is neutralised with a leading `'` (see
//!   [`neutralize_formula`]).
//! - **markdown** — a GitHub pipe table per part, each preceded by an optional
//!   `### title`; records become a two-column `Field | Value` table. Text from
//!   the data renders as itself: the backslash, the backtick,
//!   `* _ ~ [ ] < > ! | #` and `&` where it could start an entity are
//!   backslash-escaped (no link, image, autolink, raw HTML, entity, code or
//!   emphasis can come from the data), line breaks become `<br>` in cells,
//!   and control characters are shown as escapes as in tables.
//! - **html** — one self-contained page for review meetings and printing:
//!   inline CSS and inline SVG charts, no script, no external URL of any kind,
//!   every text from the data escaped (control characters become `�`).
//!   Titled [`Doc::title`] (or the kind).
//!
//! # Charts and sparklines
//!
//! A [`Part::Chart`] holds a [`Chart`]: a measure's [trend](ChartKind::Trend)
//! against its target and expected pace, labelled [bars](ChartKind::Bars) or a
//! [grid](ChartKind::Grid) of names (a 9-box). HTML draws it as SVG; table and
//! Markdown print a compact text form (a sparkline and "latest → target", one
//! `█` bar per line, a small grid); JSON writes it as an object under its key
//! (`{"kind": "trend", "title": …, …}`, dates ISO, non-finite numbers `null`); JSONL, CSV and TSV leave charts out.
//!
//! A [`Cell::Sparkline`] is a series of values: `▁▃▅█` in tables and Markdown,
//! an array of numbers in JSON, the numbers separated by single spaces in CSV
//! and TSV, a small SVG line in HTML. Non-finite values are left out in every
//! format.

pub mod cells;
mod delimited;
mod doc;
mod html;
mod json;
mod markdown;
mod terminal;
mod text;

use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

pub use delimited::neutralize_formula;
pub use doc::*;
pub(crate) use text::*;
pub use text::{escape_unsafe, is_unsafe_char, sparkline};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An aligned table for a terminal.
    Table,
    /// One pretty-printed JSON object.
    Json,
    /// One compact JSON object per line.
    Jsonl,
    /// Comma-separated values (RFC 4180).
    Csv,
    /// Tab-separated values.
    Tsv,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// One self-contained HTML page with inline CSS and SVG charts.
    Html,
}

impl Format {
    /// Every format, in the order they are listed in help.
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Tsv,
        Format::Markdown,
        Format::Html,
    ];

    /// The canonical name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The format a file name implies: `.json`, `.jsonl`/`.ndjson`, `.csv`,
    /// `.tsv`, `.md`/`.markdown`, `.html`/`.htm`, `.txt` (table).
    /// Case-insensitive; `None` for anything else.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "tsv" => Some(Format::Tsv),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "tsv" => Ok(Format::Tsv),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            _ => Err(
                crate::Error::invalid(format!("unknown output format '{s}'"))
                    .with_hint("use one of: table, json, jsonl, csv, tsv, markdown (or md), html"),
            ),
        }
    }
}

/// Decisions the caller (the CLI's `Ui`) made about the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Colour status words and headings (table format only).
    pub color: bool,
    /// The terminal width to fit tables to; `None` means no limit (nothing is
    /// wrapped).
    pub width: Option<u16>,
    /// Write a UTF-8 byte-order mark before CSV/TSV (for Excel).
    pub bom: bool,
}

impl RenderOptions {
    /// No colour, no width limit, no BOM: what piped output uses.
    pub fn plain() -> RenderOptions {
        RenderOptions::default()
    }
}

/// Write `doc` to `out` in `format`.
///
/// Never panics on any content; the only errors are those of `out` (a broken
/// pipe, a full disk).
pub fn render(
    doc: &Doc,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => terminal::render(doc, opts, out),
        Format::Json => json::render(doc, out),
        Format::Jsonl => json::render_lines(doc, out),
        Format::Csv => delimited::render(doc, b',', opts.bom, out),
        Format::Tsv => delimited::render(doc, b'\t', opts.bom, out),
        Format::Markdown => markdown::render(doc, out),
        Format::Html => html::render(doc, out),
    }?;
    out.flush()
}

/// Render to a `String` (convenient for tests and for building larger
/// outputs).
pub fn render_to_string(doc: &Doc, format: Format, opts: &RenderOptions) -> io::Result<String> {
    let mut buf = Vec::new();
    render(doc, format, opts, &mut buf)?;
    String::from_utf8(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().ok(), Some(f));
        }
        assert_eq!("md".parse::<Format>().ok(), Some(Format::Markdown));
        assert_eq!("JSON".parse::<Format>().ok(), Some(Format::Json));
    }

    #[test]
    fn unknown_format_is_invalid_with_hint() {
        let err = "xml".parse::<Format>().err().unwrap();
        assert_eq!(err.kind(), crate::ErrorKind::Invalid);
        assert!(err.message().contains("xml"));
        assert!(err.hint().unwrap().contains("markdown"));
    }

    #[test]
    fn extensions() {
        let f = |p: &str| Format::from_extension(Path::new(p));
        assert_eq!(f("a.json"), Some(Format::Json));
        assert_eq!(f("a.JSONL"), Some(Format::Jsonl));
        assert_eq!(f("a.ndjson"), Some(Format::Jsonl));
        assert_eq!(f("dir/a.csv"), Some(Format::Csv));
        assert_eq!(f("a.tsv"), Some(Format::Tsv));
        assert_eq!(f("a.md"), Some(Format::Markdown));
        assert_eq!(f("a.markdown"), Some(Format::Markdown));
        assert_eq!(f("a.txt"), Some(Format::Table));
        assert_eq!(f("a.html"), Some(Format::Html));
        assert_eq!(f("a.HTM"), Some(Format::Html));
        assert_eq!(f("a.xhtml"), None);
        assert_eq!(f("noext"), None);
    }

    #[test]
    fn conversions() {
        assert_eq!(Cell::from("a"), Cell::Text("a".into()));
        assert_eq!(Cell::from(3_i64), Cell::Int(3));
        assert_eq!(Cell::from(None::<i64>), Cell::Null);
        assert_eq!(Cell::from(Some(2.5)), Cell::Float(2.5));
        assert_eq!(Cell::from(true), Cell::Bool(true));
    }

    #[test]
    fn human_numbers() {
        assert_eq!(human_float(1.23456), "1.23");
        assert_eq!(human_float(2.0), "2");
        assert_eq!(human_float(-0.001), "0");
        assert_eq!(human_float(f64::NAN), "—");
        assert_eq!(human_percent(49.6), "50%");
        assert_eq!(human_percent(-0.2), "0%");
        assert_eq!(human_percent(f64::INFINITY), "—");
    }

    #[test]
    fn sparklines() {
        assert_eq!(sparkline(&[]), "—");
        assert_eq!(sparkline(&[f64::NAN, f64::INFINITY]), "—");
        assert_eq!(sparkline(&[3.0]), "▄");
        assert_eq!(sparkline(&[2.0, 2.0, 2.0]), "▄▄▄");
        assert_eq!(sparkline(&[0.0, 7.0]), "▁█");
        assert_eq!(
            sparkline(&[0.0, f64::NAN, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&[-f64::MAX, f64::MAX, 0.0]), "▁█▅");
    }

    #[test]
    fn units_and_summaries() {
        assert_eq!(with_unit(50.0, Some("%")), "50%");
        assert_eq!(with_unit(2.5, Some("kg")), "2.5 kg");
        assert_eq!(with_unit(2.5, None), "2.5");
        assert_eq!(with_unit(f64::NAN, Some("kg")), "—");
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let kind = ChartKind::Trend {
            unit: Some("kg".into()),
            points: vec![(d(2, 1), 3.0), (d(1, 1), 1.0), (d(3, 1), f64::NAN)],
            baseline: 0.0,
            target: 10.0,
            start: Some(d(1, 1)),
            due: Some(d(6, 30)),
            forecast: Some((d(6, 30), 8.0)),
        };
        assert_eq!(
            trend_summary(&kind),
            "▁█  latest 3 kg (2025-02-01) → target 10 kg by 2025-06-30 · forecast 8 kg on 2025-06-30"
        );
        let bars = text_bars(
            &[("a".into(), 4.0), ("b".into(), 2.0), ("c".into(), -1.0)],
            None,
        );
        assert_eq!(bars[0].1.chars().count(), TEXT_BAR_CELLS);
        assert_eq!(bars[1].1.chars().count(), TEXT_BAR_CELLS / 2);
        assert_eq!(bars[2].1, "");
        assert_eq!(status_tone("At Risk"), Some(Tone::Warn));
    }

    #[test]
    fn rounding() {
        assert_eq!(round2(33.3333), Some(33.33));
        assert_eq!(round2(f64::NAN), None);
        assert_eq!(round2(f64::MAX), Some(f64::MAX));
    }

    #[test]
    fn short_rows_are_padded() {
        let t = Table::new("t", vec![Column::new("a", "A"), Column::new("b", "B")]);
        let row = vec![Cell::Int(1)];
        let cells: Vec<_> = t.cells(&row).collect();
        assert_eq!(cells, vec![&Cell::Int(1), &Cell::Null]);
        let long = vec![Cell::Int(1), Cell::Int(2), Cell::Int(3)];
        assert_eq!(t.cells(&long).count(), 2);
    }
}
