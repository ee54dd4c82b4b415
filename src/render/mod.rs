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
//!   all when it is not). Control characters in text are replaced by `�` so
//!   that content can never drive the terminal.
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
//!   of column keys. Text that a spreadsheet would run as a formula is
//!   neutralised with a leading `'` (see [`neutralize_formula`]).
//! - **markdown** — a GitHub pipe table per part, each preceded by an optional
//!   `### title`; records become a two-column `Field | Value` table. Every `<`
//!   from the data is written `\<` so that no text can become raw HTML.
//! - **html** — one self-contained page for review meetings and printing:
//!   inline CSS and inline SVG charts, no script, no external URL of any kind,
//!   every text from the data escaped. Titled [`Doc::title`] (or the kind).
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

pub mod activity;
pub mod appraise;
pub mod cells;
mod delimited;
mod html;
mod json;
mod markdown;
pub mod reports;
mod terminal;
pub mod views;

use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;

pub use delimited::neutralize_formula;

/// The version of the JSON document shape. Bumped when a field is renamed or
/// removed, or its meaning changes; adding a field does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// A value in a cell. Renderers decide the presentation; the value is the same
/// in every format.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: `null` in JSON, empty in CSV, `—` in tables.
    Null,
    /// Free text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A real number.
    Float(f64),
    /// Percentage points: 50.0 means 50 %.
    Percent(f64),
    /// A calendar date, always written ISO-8601 (`2025-03-31`).
    Date(NaiveDate),
    /// Yes or no.
    Bool(bool),
    /// A status word (on-track, at-risk, off-track, meets, below, exceeds,
    /// unacceptable, achieved, missed, dropped, active, draft…), coloured in
    /// tables.
    Status(String),
    /// A title indented under its parent in a tree (tables show indentation and
    /// `└─`; other formats show only the text).
    Tree {
        /// How deep the node is: 0 for a root.
        depth: usize,
        /// The title.
        text: String,
    },
    /// A progress bar in tables (value in percentage points; other formats
    /// show the number).
    Progress(f64),
    /// A series of values, oldest first: a unicode sparkline (`▁▃▅█`) in tables
    /// and Markdown, an SVG line in HTML, an array of numbers in JSON, the
    /// numbers separated by spaces in CSV/TSV. Non-finite values are skipped.
    Sparkline(Vec<f64>),
}

/// The null cell, borrowed where a row is shorter than its columns.
static NULL: Cell = Cell::Null;

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    /// A percentage, in percentage points (50.0 means 50 %).
    pub fn percent(points: f64) -> Cell {
        Cell::Percent(points)
    }

    /// A status word, coloured in tables.
    pub fn status(word: impl Into<String>) -> Cell {
        Cell::Status(word.into())
    }

    /// A tree node at `depth` (0 for a root).
    pub fn tree(depth: usize, text: impl Into<String>) -> Cell {
        Cell::Tree {
            depth,
            text: text.into(),
        }
    }

    /// A progress bar, in percentage points.
    pub fn progress(points: f64) -> Cell {
        Cell::Progress(points)
    }

    /// A sparkline of these values, oldest first.
    pub fn sparkline(values: impl Into<Vec<f64>>) -> Cell {
        Cell::Sparkline(values.into())
    }

    /// Whether this cell holds a number (right-aligned in tables).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Float(_) | Cell::Percent(_) | Cell::Progress(_)
        )
    }

    /// Whether this cell is [`Cell::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_owned())
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<&String> for Cell {
    fn from(value: &String) -> Self {
        Cell::Text(value.clone())
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Int(value)
    }
}

impl From<i32> for Cell {
    fn from(value: i32) -> Self {
        Cell::Int(i64::from(value))
    }
}

impl From<u32> for Cell {
    fn from(value: u32) -> Self {
        Cell::Int(i64::from(value))
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Cell::Float(value)
    }
}

impl From<NaiveDate> for Cell {
    fn from(value: NaiveDate) -> Self {
        Cell::Date(value)
    }
}

impl From<bool> for Cell {
    fn from(value: bool) -> Self {
        Cell::Bool(value)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Null, Into::into)
    }
}

/// A column (or a record's field): its machine key and its human label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// snake_case: the JSON field name and the CSV header.
    pub key: &'static str,
    /// The table header (and the label of a record's field in tables and
    /// Markdown).
    pub label: &'static str,
}

impl Column {
    /// A column with a key and a label.
    pub const fn new(key: &'static str, label: &'static str) -> Column {
        Column { key, label }
    }
}

/// A list of rows under named columns.
///
/// A row shorter than the columns is padded with [`Cell::Null`]; cells beyond
/// the last column are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The key of this part in JSON (e.g. `"goals"`).
    pub key: &'static str,
    /// A heading shown above the table in table and Markdown output.
    pub title: Option<String>,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, each one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(key: &'static str, columns: Vec<Column>) -> Table {
        Table {
            key,
            title: None,
            columns,
            rows: Vec::new(),
        }
    }

    /// Set the heading.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Table {
        self.title = Some(title.into());
        self
    }

    /// Append a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// Append a row (builder style).
    #[must_use]
    pub fn with_row(mut self, row: Vec<Cell>) -> Table {
        self.rows.push(row);
        self
    }

    /// The cells of `row`, exactly one per column (padded with nulls).
    fn cells<'a>(&self, row: &'a [Cell]) -> impl Iterator<Item = &'a Cell> + use<'a> {
        let n = self.columns.len();
        row.iter().chain(std::iter::repeat(&NULL)).take(n)
    }

    /// Whether every non-null cell of column `index` is a number (and there is
    /// at least one).
    fn numeric_column(&self, index: usize) -> bool {
        let mut any = false;
        for row in &self.rows {
            match row.get(index) {
                None | Some(Cell::Null) => {}
                Some(cell) if cell.is_numeric() => any = true,
                Some(_) => return false,
            }
        }
        any
    }
}

/// One object shown as a list of fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The key of this part in JSON (e.g. `"goal"`).
    pub key: &'static str,
    /// A heading shown above the record in table and Markdown output.
    pub title: Option<String>,
    /// The fields, in order.
    pub fields: Vec<(Column, Cell)>,
}

impl Record {
    /// Apply a function that adds fields (for field groups shared between views).
    #[must_use]
    pub fn extend_with(self, f: impl FnOnce(Record) -> Record) -> Record {
        f(self)
    }

    /// An empty record.
    pub fn new(key: &'static str) -> Record {
        Record {
            key,
            title: None,
            fields: Vec::new(),
        }
    }

    /// Set the heading.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Record {
        self.title = Some(title.into());
        self
    }

    /// Append a field (builder style).
    #[must_use]
    pub fn field(
        mut self,
        key: &'static str,
        label: &'static str,
        value: impl Into<Cell>,
    ) -> Record {
        self.fields.push((Column::new(key, label), value.into()));
        self
    }

    /// Append a field.
    pub fn push(&mut self, key: &'static str, label: &'static str, value: impl Into<Cell>) {
        self.fields.push((Column::new(key, label), value.into()));
    }
}

/// A chart: drawn as SVG in HTML, as compact text in tables and Markdown,
/// written as an object in JSON, left out of JSONL, CSV and TSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The key of this part in JSON (e.g. `"trend"`).
    pub key: &'static str,
    /// A heading shown above the chart (and its accessible name in HTML).
    pub title: Option<String>,
    /// What is drawn.
    pub kind: ChartKind,
}

impl Chart {
    /// A chart without a heading.
    pub fn new(key: &'static str, kind: ChartKind) -> Chart {
        Chart {
            key,
            title: None,
            kind,
        }
    }

    /// Set the heading.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Chart {
        self.title = Some(title.into());
        self
    }
}

/// What a [`Chart`] shows. Non-finite numbers are left out (or the element
/// they would place is not drawn); nothing here can make a renderer fail.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartKind {
    /// A measure's values over time against its target, the expected pace (a
    /// straight line from (start, baseline) to (due, target)) and an optional
    /// forecast point.
    Trend {
        /// The measure's unit (`"%"`, `"kg"`), shown after numbers.
        unit: Option<String>,
        /// The recorded values, by date.
        points: Vec<(NaiveDate, f64)>,
        /// The value at the start.
        baseline: f64,
        /// The value aimed for.
        target: f64,
        /// When the measure started (the pace line needs it and `due`).
        start: Option<NaiveDate>,
        /// When the target is due.
        due: Option<NaiveDate>,
        /// The value forecast at a date (usually the due date).
        forecast: Option<(NaiveDate, f64)>,
    },
    /// Labelled bars (a rating distribution, counts per status).
    Bars {
        /// The unit of the values, shown after them.
        unit: Option<String>,
        /// Label and value of each bar, in order.
        bars: Vec<(String, f64)>,
    },
    /// A grid of labelled cells (a 9-box: rows potential high→low, columns
    /// performance low→high), each cell a list of names.
    Grid {
        /// What the rows measure (e.g. "Potential").
        row_label: String,
        /// What the columns measure (e.g. "Performance").
        col_label: String,
        /// Row headings, top to bottom.
        rows: Vec<String>,
        /// Column headings, left to right.
        cols: Vec<String>,
        /// `cells[row][col]`: the names in that cell. Missing rows or cells
        /// are empty; extra ones are ignored.
        cells: Vec<Vec<Vec<String>>>,
    },
}

impl ChartKind {
    /// The name of the kind: `"trend"`, `"bars"` or `"grid"` (the `kind`
    /// field of the chart's object in JSON).
    pub fn name(&self) -> &'static str {
        match self {
            ChartKind::Trend { .. } => "trend",
            ChartKind::Bars { .. } => "bars",
            ChartKind::Grid { .. } => "grid",
        }
    }
}

/// One part of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// One object.
    Record(Record),
    /// A list of rows.
    Table(Table),
    /// A chart.
    Chart(Chart),
}

impl Part {
    /// The key of this part in JSON.
    pub fn key(&self) -> &'static str {
        match self {
            Part::Record(r) => r.key,
            Part::Table(t) => t.key,
            Part::Chart(c) => c.key,
        }
    }

    /// The heading of this part, if any.
    pub fn title(&self) -> Option<&str> {
        match self {
            Part::Record(r) => r.title.as_deref(),
            Part::Table(t) => t.title.as_deref(),
            Part::Chart(c) => c.title.as_deref(),
        }
    }
}

impl From<Chart> for Part {
    fn from(value: Chart) -> Self {
        Part::Chart(value)
    }
}

impl From<Record> for Part {
    fn from(value: Record) -> Self {
        Part::Record(value)
    }
}

impl From<Table> for Part {
    fn from(value: Table) -> Self {
        Part::Table(value)
    }
}

/// What a command prints: one or more parts. `kind` names the document (e.g.
/// `"goals"`, `"goal"`, `"people"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// The name of the document, the `kind` field in JSON.
    pub kind: &'static str,
    /// The parts, in order. Part keys should be distinct: in JSON a repeated
    /// key is suffixed `_2`, `_3`…
    pub parts: Vec<Part>,
    /// Printed (table and HTML formats) instead of the first table when that
    /// table has no rows, e.g. "No goals match.".
    pub empty_message: Option<String>,
    /// The title of the HTML page and its top heading (the kind when `None`).
    /// Other formats do not show it.
    pub title: Option<String>,
}

impl Doc {
    /// A document with no parts yet.
    pub fn new(kind: &'static str) -> Doc {
        Doc {
            kind,
            parts: Vec::new(),
            empty_message: None,
            title: None,
        }
    }

    /// A document of one table.
    pub fn table(kind: &'static str, table: Table) -> Doc {
        Doc::new(kind).with_table(table)
    }

    /// A document of one record.
    pub fn record(kind: &'static str, record: Record) -> Doc {
        Doc::new(kind).with_record(record)
    }

    /// Append a part.
    #[must_use]
    pub fn with_part(mut self, part: impl Into<Part>) -> Doc {
        self.parts.push(part.into());
        self
    }

    /// Append a table.
    #[must_use]
    pub fn with_table(self, table: Table) -> Doc {
        self.with_part(Part::Table(table))
    }

    /// Append a record.
    #[must_use]
    pub fn with_record(self, record: Record) -> Doc {
        self.with_part(Part::Record(record))
    }

    /// Append a chart.
    #[must_use]
    pub fn with_chart(self, chart: Chart) -> Doc {
        self.with_part(Part::Chart(chart))
    }

    /// Set the title of the HTML page.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Doc {
        self.title = Some(title.into());
        self
    }

    /// Set the message printed (table format only) when the first table is
    /// empty.
    #[must_use]
    pub fn with_empty_message(mut self, message: impl Into<String>) -> Doc {
        self.empty_message = Some(message.into());
        self
    }

    /// Keep at most `n` rows in every table (`--limit`).
    #[must_use]
    pub fn limit_rows(mut self, n: usize) -> Doc {
        for part in &mut self.parts {
            if let Part::Table(t) = part {
                t.rows.truncate(n);
            }
        }
        self
    }

    /// The first table part, if any.
    pub fn first_table(&self) -> Option<&Table> {
        self.parts.iter().find_map(|p| match p {
            Part::Table(t) => Some(t),
            Part::Record(_) | Part::Chart(_) => None,
        })
    }

    /// The first record part, if any.
    pub fn first_record(&self) -> Option<&Record> {
        self.parts.iter().find_map(|p| match p {
            Part::Record(r) => Some(r),
            Part::Table(_) | Part::Chart(_) => None,
        })
    }
}

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

/// Round percentage points to 2 decimals; non-finite values give `None`.
fn round2(points: f64) -> Option<f64> {
    if !points.is_finite() {
        return None;
    }
    let rounded = (points * 100.0).round() / 100.0;
    // No "-0" for tiny negative values.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    // Very large values overflow when scaled; they have no decimals anyway.
    if rounded.is_finite() {
        Some(rounded)
    } else {
        Some(points)
    }
}

/// The plain machine text of a number-like cell for CSV: shortest round-trip
/// floats, percentages rounded to 2 decimals, nothing for non-finite values.
fn plain_float(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    }
}

/// Human text for a percentage: rounded to a whole number, "—" if not finite.
fn human_percent(points: f64) -> String {
    if !points.is_finite() {
        return "—".to_owned();
    }
    let rounded = points.round();
    // Avoid "-0%".
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.0}%")
}

/// Human text for a float: at most 2 decimals, trailing zeros dropped.
fn human_float(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let s = format!("{value:.2}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// The human text of a cell without any decoration (no bars, no indentation,
/// no colour): used by Markdown and as the basis of table cells.
fn human_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => "—".to_owned(),
        Cell::Text(s) | Cell::Status(s) => s.clone(),
        Cell::Tree { text, .. } => text.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => human_float(*f),
        Cell::Percent(p) | Cell::Progress(p) => human_percent(*p),
        Cell::Date(d) => iso_date(*d),
        Cell::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Cell::Sparkline(values) => sparkline(values),
    }
}

/// The eight block heights of a sparkline, lowest first.
const SPARK_BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A unicode sparkline of `values` (oldest first), one block per finite value,
/// scaled from the smallest (`▁`) to the largest (`█`). A flat series is drawn
/// at mid-height (`▄`); no finite value gives `—`.
///
/// ```
/// use yardstick::render::sparkline;
/// assert_eq!(sparkline(&[1.0, 2.0, 3.0, 8.0]), "▁▂▃█");
/// assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
/// assert_eq!(sparkline(&[f64::NAN]), "—");
/// ```
pub fn sparkline(values: &[f64]) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let Some((lo, hi)) = finite_range(&finite) else {
        return "—".to_owned();
    };
    let top = SPARK_BLOCKS.len() - 1;
    finite
        .iter()
        .map(|v| {
            let index = if hi > lo {
                // fraction() is within 0..=1, so the index is within 0..=top.
                (fraction(*v, lo, hi) * top as f64).round() as usize
            } else {
                top / 2
            };
            SPARK_BLOCKS[index.min(top)]
        })
        .collect()
}

/// The smallest and largest finite value, if there is one.
fn finite_range(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Where `v` lies between `lo` and `hi` (`lo < hi`, all finite), from 0 to 1,
/// computed on halves so that no difference overflows. 0.5 when undefined.
fn fraction(v: f64, lo: f64, hi: f64) -> f64 {
    let t = (v / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0);
    if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// How a status word is coloured: the same groups in tables (colours) and
/// HTML (badges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    /// on-track, meets, exceeds, achieved, active, done, ok.
    Good,
    /// at-risk, below, draft, pending.
    Warn,
    /// off-track, unacceptable, missed, overdue.
    Bad,
    /// dropped, archived, closed.
    Muted,
}

/// The tone of a status word, if it has one (see [`crate::domain::types::sentiment`]).
fn status_tone(word: &str) -> Option<Tone> {
    use crate::domain::types::{Sentiment, sentiment};
    Some(match sentiment(word)? {
        Sentiment::Good => Tone::Good,
        Sentiment::Warn => Tone::Warn,
        Sentiment::Bad => Tone::Bad,
        Sentiment::Muted => Tone::Muted,
    })
}

/// A number followed by its unit: `42 kg`, `50%` (no space before `%`), `—`
/// when not finite.
fn with_unit(value: f64, unit: Option<&str>) -> String {
    let number = human_float(value);
    match unit.map(str::trim) {
        _ if !value.is_finite() => number,
        None | Some("") => number,
        Some("%") => format!("{number}%"),
        Some(u) => format!("{number} {u}"),
    }
}

/// The one-line text form of a trend: `▁▃▅ latest 42 kg → target 50 kg by
/// 2025-06-30 · forecast 48 kg on 2025-06-30`.
fn trend_summary(kind: &ChartKind) -> String {
    let ChartKind::Trend {
        unit,
        points,
        target,
        due,
        forecast,
        ..
    } = kind
    else {
        return String::new();
    };
    let unit = unit.as_deref();
    let mut sorted: Vec<(NaiveDate, f64)> = points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    sorted.sort_by_key(|(d, _)| *d);
    let values: Vec<f64> = sorted.iter().map(|(_, v)| *v).collect();
    let mut line = match sorted.last() {
        Some((date, v)) => format!(
            "{}  latest {} ({})",
            sparkline(&values),
            with_unit(*v, unit),
            iso_date(*date)
        ),
        None => "no values yet".to_owned(),
    };
    line.push_str(" → target ");
    line.push_str(&with_unit(*target, unit));
    if let Some(due) = due {
        line.push_str(" by ");
        line.push_str(&iso_date(*due));
    }
    if let Some((date, v)) = forecast
        && v.is_finite()
    {
        line.push_str(&format!(
            " · forecast {} on {}",
            with_unit(*v, unit),
            iso_date(*date)
        ));
    }
    line
}

/// Cells in the longest text bar of a bar chart.
const TEXT_BAR_CELLS: usize = 20;

/// The text form of bars: label, a `█` bar scaled to the largest value, and
/// the value with its unit. Negative and non-finite values get no bar.
fn text_bars(bars: &[(String, f64)], unit: Option<&str>) -> Vec<(String, String, String)> {
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    bars.iter()
        .map(|(label, v)| {
            let cells = if max > 0.0 && v.is_finite() && *v > 0.0 {
                // fraction() is within 0..=1.
                (fraction(*v, 0.0, max) * TEXT_BAR_CELLS as f64).round() as usize
            } else {
                0
            };
            (
                label.clone(),
                "█".repeat(cells.min(TEXT_BAR_CELLS)),
                with_unit(*v, unit),
            )
        })
        .collect()
}

/// The names in grid cell (`row`, `col`), empty when missing.
fn grid_names(cells: &[Vec<Vec<String>>], row: usize, col: usize) -> &[String] {
    cells
        .get(row)
        .and_then(|r| r.get(col))
        .map_or(&[], Vec::as_slice)
}

/// A date as ISO-8601 (`2025-03-31`).
fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
