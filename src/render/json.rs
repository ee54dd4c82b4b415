//! JSON and JSON Lines.
//!
//! Objects are serialised through small ordered wrappers rather than
//! `serde_json::Map` (which sorts keys without the `preserve_order` feature),
//! so keys come out in column/field order.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use chrono::NaiveDate;

use super::{
    Cell, Chart, ChartKind, Doc, Part, Record, SCHEMA_VERSION, Table, grid_names, iso_date, round2,
};

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => s.serialize_unit(),
            Cell::Text(t) | Cell::Status(t) => s.serialize_str(t),
            Cell::Tree { text, .. } => s.serialize_str(text),
            Cell::Int(i) => s.serialize_i64(*i),
            Cell::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Cell::Float(_) => s.serialize_unit(),
            Cell::Percent(p) | Cell::Progress(p) => match round2(*p) {
                Some(v) => s.serialize_f64(v),
                None => s.serialize_unit(),
            },
            Cell::Date(d) => s.serialize_str(&iso_date(*d)),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::Sparkline(values) => {
                let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
                let mut seq = s.serialize_seq(Some(finite.len()))?;
                for v in finite {
                    seq.serialize_element(&v)?;
                }
                seq.end()
            }
        }
    }
}

/// A number, or `null` when not finite.
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_unit()
        }
    }
}

/// `{"date": "2025-03-31", "value": 42.0}`.
struct DatedValue(NaiveDate, f64);

impl Serialize for DatedValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("date", &iso_date(self.0))?;
        map.serialize_entry("value", &Num(self.1))?;
        map.end()
    }
}

/// `{"label": "meets", "value": 4.0}`.
struct Bar<'a>(&'a str, f64);

impl Serialize for Bar<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("label", self.0)?;
        map.serialize_entry("value", &Num(self.1))?;
        map.end()
    }
}

/// A chart as an object: `kind`, `title`, then the data of its kind. A grid's
/// `cells` is always `rows` × `cols` (missing cells are empty lists).
struct ChartObject<'a>(&'a Chart);

impl Serialize for ChartObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let chart = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", chart.kind.name())?;
        map.serialize_entry("title", &chart.title)?;
        match &chart.kind {
            ChartKind::Trend {
                unit,
                points,
                baseline,
                target,
                start,
                due,
                forecast,
            } => {
                map.serialize_entry("unit", unit)?;
                let points: Vec<DatedValue> =
                    points.iter().map(|(d, v)| DatedValue(*d, *v)).collect();
                map.serialize_entry("points", &points)?;
                map.serialize_entry("baseline", &Num(*baseline))?;
                map.serialize_entry("target", &Num(*target))?;
                map.serialize_entry("start", &start.map(iso_date))?;
                map.serialize_entry("due", &due.map(iso_date))?;
                map.serialize_entry("forecast", &forecast.map(|(d, v)| DatedValue(d, v)))?;
            }
            ChartKind::Bars { unit, bars } => {
                map.serialize_entry("unit", unit)?;
                let bars: Vec<Bar<'_>> = bars.iter().map(|(l, v)| Bar(l, *v)).collect();
                map.serialize_entry("bars", &bars)?;
            }
            ChartKind::Grid {
                row_label,
                col_label,
                rows,
                cols,
                cells,
            } => {
                map.serialize_entry("row_label", row_label)?;
                map.serialize_entry("col_label", col_label)?;
                map.serialize_entry("rows", rows)?;
                map.serialize_entry("cols", cols)?;
                let cells: Vec<Vec<&[String]>> = (0..rows.len())
                    .map(|r| (0..cols.len()).map(|c| grid_names(cells, r, c)).collect())
                    .collect();
                map.serialize_entry("cells", &cells)?;
            }
        }
        map.end()
    }
}

/// One table row as an object keyed by the column keys.
struct RowObject<'a> {
    table: &'a Table,
    row: &'a [Cell],
}

impl Serialize for RowObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.table.columns.len()))?;
        for (col, cell) in self.table.columns.iter().zip(self.table.cells(self.row)) {
            map.serialize_entry(col.key, cell)?;
        }
        map.end()
    }
}

/// A table as an array of row objects.
struct TableArray<'a>(&'a Table);

impl Serialize for TableArray<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            seq.serialize_element(&RowObject { table: self.0, row })?;
        }
        seq.end()
    }
}

/// A record as an object of its fields, in field order.
struct RecordObject<'a>(&'a Record);

impl Serialize for RecordObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.fields.len()))?;
        for (col, cell) in &self.0.fields {
            map.serialize_entry(col.key, cell)?;
        }
        map.end()
    }
}

/// The whole document: schema version, kind, then one entry per part.
struct DocObject<'a>(&'a Doc);

impl Serialize for DocObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let mut map = s.serialize_map(Some(doc.parts.len() + 2))?;
        map.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        map.serialize_entry("kind", doc.kind)?;
        let mut used: HashSet<String> = ["schema_version", "kind"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for part in &doc.parts {
            let key = unique_key(part.key(), &mut used);
            match part {
                Part::Record(r) => map.serialize_entry(&key, &RecordObject(r))?,
                Part::Table(t) => map.serialize_entry(&key, &TableArray(t))?,
                Part::Chart(c) => map.serialize_entry(&key, &ChartObject(c))?,
            }
        }
        map.end()
    }
}

/// `key`, or `key_2`, `key_3`… if already used.
fn unique_key(key: &str, used: &mut HashSet<String>) -> String {
    let mut candidate = key.to_owned();
    let mut n = 2_u64;
    while used.contains(&candidate) {
        candidate = format!("{key}_{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// One pretty JSON object followed by a newline.
pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &DocObject(doc))?;
    out.write_all(b"\n")
}

/// One compact object per row of the first table, or per record if there is
/// no table.
pub(super) fn render_lines(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    if let Some(table) = doc.first_table() {
        for row in &table.rows {
            serde_json::to_writer(&mut *out, &RowObject { table, row })?;
            out.write_all(b"\n")?;
        }
    } else {
        for part in &doc.parts {
            if let Part::Record(r) = part {
                serde_json::to_writer(&mut *out, &RecordObject(r))?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{Column, Format, RenderOptions, render_to_string};
    use super::*;

    #[test]
    fn keys_follow_column_order_not_alphabet() {
        let t = Table::new("rows", vec![Column::new("z", "Z"), Column::new("a", "A")])
            .with_row(vec![Cell::Int(1), Cell::Int(2)]);
        let s =
            render_to_string(&Doc::table("x", t), Format::Jsonl, &RenderOptions::plain()).unwrap();
        assert_eq!(s, "{\"z\":1,\"a\":2}\n");
    }

    #[test]
    fn duplicate_part_keys_are_suffixed() {
        let doc = Doc::new("x")
            .with_record(Record::new("kind").field("a", "A", 1_i64))
            .with_record(Record::new("kind").field("a", "A", 2_i64));
        let s = render_to_string(&doc, Format::Json, &RenderOptions::plain()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["kind"], "x");
        assert_eq!(v["kind_2"]["a"], 1);
        assert_eq!(v["kind_3"]["a"], 2);
    }

    #[test]
    fn non_finite_is_null() {
        let r = Record::new("r")
            .field("a", "A", f64::NAN)
            .field("b", "B", Cell::Percent(f64::INFINITY))
            .field("c", "C", Cell::Progress(f64::NEG_INFINITY));
        let s =
            render_to_string(&Doc::record("x", r), Format::Jsonl, &RenderOptions::plain()).unwrap();
        assert_eq!(s, "{\"a\":null,\"b\":null,\"c\":null}\n");
    }
}
