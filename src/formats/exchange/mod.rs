//! Raw data exchange between yardstick files: `export` and `import`.
//!
//! The exchange format (documented in `docs/exchange.md`) is one JSON
//! document:
//!
//! ```json
//! {"schema_version":2,"kind":"export","yardstick_schema":6,"exported_at":"…","since":null,"person":null,
//! "records":[
//! {"table":"team","uuid":"…","handle":"acme","name":"Acme","parent_uuid":null,"lead_uuid":"…",…,"_rev":{…}},
//! …
//! ],
//! "deletions":[
//! {"table":"checkin","uuid":"…","rev":"…","deleted_at":"…","deleted_by":"kim","seen":{…}}
//! ]}
//! ```
//!
//! Every record is one row of a data table: its table, its UUID, and every
//! column by name, with each foreign key replaced by the referenced row's
//! UUID (`goal_id` becomes `goal_uuid`). Integer row ids never leave a file.
//! Records come table by table in dependency order
//! ([`crate::domain::records::TABLES`]), one per line.
//!
//! [`JsonWriter`] and [`CsvWriter`] stream: they hold one record at a time.
//! [`parse`] reads a whole file and checks its shape before anything is
//! written; [`crate::app::merge::merge`] checks what its records say with the
//! command line's rules and applies it inside the caller's transaction.

mod parse;

pub use parse::{Parsed, parse, record_error};

use crate::domain::records::{CheckinLine, Kind, RawRow, TABLES, Val};
use crate::domain::revisions::{ROW, Revs, Tombstone};
use crate::domain::text::neutralize_formula;
use crate::error::{Error, Result};
use std::io::Write;

/// The version of the exchange document's shape: 2 carries field
/// revisions (`_rev`) and deletions; files of version 1 (no history) are
/// still read.
pub const SCHEMA_VERSION: u64 = 2;

/// The oldest document shape this build reads.
pub const OLDEST_SCHEMA_VERSION: u64 = 1;

/// The `kind` of an exchange document.
pub const KIND: &str = "export";

/// How the caller turns a write error into an [`Error`] (the CLI knows what a
/// closed pipe means).
pub type OnWriteError = fn(std::io::Error) -> Error;

/// Writes an exchange document record by record.
pub struct JsonWriter<W: Write> {
    out: W,
    count: usize,
    deletions: usize,
    line: String,
}

/// What the header of an export says about it.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// When it was made (RFC 3339).
    pub exported_at: String,
    /// The `--since` date, if any.
    pub since: Option<String>,
    /// The `--person` handle, if any.
    pub person: Option<String>,
    /// Who exported it (the acting person; none on a file that names no one).
    pub exported_by: Option<String>,
    /// Whether they were an admin (their export holds everything an admin may see).
    pub exported_by_admin: bool,
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn json_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_string(), json_string)
}

impl<W: Write> JsonWriter<W> {
    /// Start a document: writes everything up to the records.
    pub fn begin(mut out: W, header: &Header) -> std::io::Result<JsonWriter<W>> {
        write!(
            out,
            "{{\"schema_version\":{SCHEMA_VERSION},\"kind\":\"{KIND}\",\"yardstick_schema\":{},\
             \"exported_at\":{},\"exported_by\":{},\"exported_by_admin\":{},\"since\":{},\"person\":{},\n\"records\":[",
            crate::domain::records::SCHEMA_VERSION,
            json_string(&header.exported_at),
            json_opt(header.exported_by.as_deref()),
            header.exported_by_admin,
            json_opt(header.since.as_deref()),
            json_opt(header.person.as_deref()),
        )?;
        Ok(JsonWriter {
            out,
            count: 0,
            deletions: 0,
            line: String::new(),
        })
    }

    /// Write one record (on a line of its own) with its field revisions.
    /// Every record comes before the first deletion.
    pub fn record(&mut self, row: &RawRow, revs: &Revs) -> std::io::Result<()> {
        let def = row.def();
        self.line.clear();
        self.line
            .push_str(if self.count == 0 { "\n{" } else { ",\n{" });
        self.line.push_str("\"table\":");
        self.line.push_str(&json_string(def.name));
        self.line.push_str(",\"uuid\":");
        self.line.push_str(&json_string(&row.uuid));
        for (col, val) in def.cols.iter().zip(&row.vals) {
            self.line.push(',');
            self.line.push_str(&json_string(col.key));
            self.line.push(':');
            match (val, col.kind) {
                (Val::Null, _) => self.line.push_str("null"),
                (Val::Int(i), Kind::Bool) => {
                    self.line.push_str(if *i != 0 { "true" } else { "false" });
                }
                (Val::Int(i), _) => self.line.push_str(&i.to_string()),
                (Val::Real(f), _) => match serde_json::Number::from_f64(*f) {
                    Some(n) => self.line.push_str(&n.to_string()),
                    None => self.line.push_str("null"),
                },
                (Val::Text(s), _) => self.line.push_str(&json_string(s)),
            }
        }
        if !revs.is_empty() {
            self.line.push_str(",\"_rev\":");
            self.line.push_str(&revs_json(row.table, revs).to_string());
        }
        self.line.push('}');
        self.count += 1;
        self.out.write_all(self.line.as_bytes())
    }

    /// Write one deletion (after every record).
    pub fn deletion(&mut self, t: &Tombstone) -> std::io::Result<()> {
        let head = if self.deletions == 0 {
            "\n],\n\"deletions\":[\n"
        } else {
            ",\n"
        };
        let value = serde_json::json!({
            "table": TABLES[t.table].name,
            "uuid": t.uuid,
            "rev": t.rev,
            "deleted_at": t.deleted_at,
            "deleted_by": t.deleted_by,
            "seen": revs_json(t.table, &t.seen),
        });
        self.deletions += 1;
        self.out.write_all(head.as_bytes())?;
        self.out.write_all(value.to_string().as_bytes())
    }

    /// Close the document; returns how many records and deletions it holds.
    pub fn finish(mut self) -> std::io::Result<(usize, usize)> {
        if self.deletions == 0 {
            self.out.write_all(b"\n],\n\"deletions\":[]}\n")?;
        } else {
            self.out.write_all(b"\n]}\n")?;
        }
        self.out.flush()?;
        Ok((self.count, self.deletions))
    }
}

/// Field revisions as the exchange format writes them: by the fields'
/// names in the file (`goal_uuid`, not `goal_id`).
fn revs_json(table: usize, revs: &Revs) -> serde_json::Value {
    let def = &TABLES[table];
    let mut map = serde_json::Map::new();
    for (field, rev) in revs {
        let key = match def.col(field) {
            Some(i) => def.cols[i].key,
            None if field == ROW => ROW,
            None => continue,
        };
        if let Ok(v) = serde_json::to_value(rev) {
            map.insert(key.to_string(), v);
        }
    }
    serde_json::Value::Object(map)
}

/// The columns of the spreadsheet (CSV) export of check-ins.
pub const CSV_COLUMNS: [&str; 12] = [
    "date",
    "person",
    "goal_key",
    "goal_title",
    "measure",
    "unit",
    "value",
    "confidence",
    "status",
    "note",
    "author",
    "uuid",
];

/// Writes check-ins as an RFC 4180 CSV, row by row: one header row, CRLF line
/// ends, text that a spreadsheet would run as a formula prefixed with `'`,
/// numbers written as plain numbers.
pub struct CsvWriter<W: Write> {
    w: csv::Writer<W>,
    count: usize,
    on_io: OnWriteError,
}

impl<W: Write> CsvWriter<W> {
    /// Start the file: an optional byte-order mark, then the header row.
    pub fn begin(mut out: W, bom: bool, on_io: OnWriteError) -> Result<CsvWriter<W>> {
        if bom {
            out.write_all("\u{FEFF}".as_bytes()).map_err(on_io)?;
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        w.write_record(CSV_COLUMNS)
            .map_err(|e| csv_error(e, on_io))?;
        Ok(CsvWriter { w, count: 0, on_io })
    }

    /// Write one check-in.
    pub fn line(&mut self, c: &CheckinLine) -> Result<()> {
        let text = |s: &Option<String>| -> String {
            s.as_deref()
                .map(|t| neutralize_formula(t).into_owned())
                .unwrap_or_default()
        };
        let value = match c.value {
            Some(v) if v.is_finite() => format!("{v}"),
            _ => String::new(),
        };
        let record = [
            c.date.clone(),
            text(&c.owner),
            neutralize_formula(&c.goal_key).into_owned(),
            neutralize_formula(&c.goal_title).into_owned(),
            text(&c.measure),
            text(&c.unit),
            value,
            c.confidence.map(|n| n.to_string()).unwrap_or_default(),
            text(&c.status),
            text(&c.note),
            text(&c.author),
            c.uuid.clone(),
        ];
        let on_io = self.on_io;
        self.w
            .write_record(&record)
            .map_err(|e| csv_error(e, on_io))?;
        self.count += 1;
        Ok(())
    }

    /// Flush the file; returns how many check-ins it holds.
    pub fn finish(mut self) -> Result<usize> {
        self.w.flush().map_err(self.on_io)?;
        Ok(self.count)
    }
}

fn csv_error(e: csv::Error, on_io: OnWriteError) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => on_io(io),
        other => Error::failed(format!("cannot write the CSV export: {other:?}")),
    }
}
