//! The document model every view builds and every renderer reads: a
//! [`Doc`] of [`Part`]s — records, tables and charts — made of [`Cell`]s.

use chrono::NaiveDate;

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
    pub(crate) fn cells<'a>(&self, row: &'a [Cell]) -> impl Iterator<Item = &'a Cell> + use<'a> {
        let n = self.columns.len();
        row.iter().chain(std::iter::repeat(&NULL)).take(n)
    }

    /// Whether every non-null cell of column `index` is a number (and there is
    /// at least one).
    pub(crate) fn numeric_column(&self, index: usize) -> bool {
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

    /// The document with only its table `key` (for a spreadsheet of one
    /// part of a report); an error naming the tables there are otherwise.
    pub fn only_table(self, key: &str) -> crate::error::Result<Doc> {
        let keys: Vec<&'static str> = self
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Table(t) => Some(t.key),
                _ => None,
            })
            .collect();
        if !keys.contains(&key) {
            return Err(crate::error::Error::invalid(format!(
                "--part '{}' is not a table of this report",
                key.escape_debug()
            ))
            .with_hint(format!("use one of: {}", keys.join(", "))));
        }
        let parts = self
            .parts
            .into_iter()
            .filter(|p| matches!(p, Part::Table(t) if t.key == key))
            .collect();
        Ok(Doc {
            parts,
            empty_message: None,
            ..self
        })
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
