//! Reading an exchange document: streaming JSON parse, and validation of
//! every record before anything is written. The first problem found refuses
//! the whole file, naming the record's index in `records` and the field.

use crate::domain::records::{self as sx, Kind, RawRow, TABLES, Val};
use crate::error::{Error, Result};
use chrono::DateTime;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;

/// A parsed, validated exchange document.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The schema version of the yardstick file it was exported from.
    pub yardstick_schema: i64,
    /// The records, in file order.
    pub records: Vec<RawRow>,
}

#[derive(Default)]
struct State {
    file: String,
    records: Vec<RawRow>,
    seen: HashSet<(usize, String)>,
    error: Option<Error>,
    schema_version: Option<u64>,
    kind: Option<String>,
    yardstick_schema: Option<i64>,
    in_records: bool,
    records_done: bool,
}

impl State {
    /// Record a problem and stop the parse.
    fn fail<E: de::Error>(&mut self, e: Error) -> E {
        self.error = Some(e);
        E::custom("invalid exchange file")
    }
}

/// Parse and validate an exchange document from `reader`. `file` names it
/// in messages. Errors are [`Error::invalid`] (exit 2).
pub fn parse(reader: impl Read, file: &str) -> Result<Parsed> {
    let mut state = State {
        file: file.to_string(),
        ..State::default()
    };
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let result = DocSeed(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = result {
        if let Some(err) = state.error.take() {
            return Err(err);
        }
        let place = if state.in_records && !state.records_done {
            format!("record {}: ", state.records.len())
        } else {
            String::new()
        };
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the file ends too early (truncated?)",
            serde_json::error::Category::Io => "cannot be read",
            _ => "not valid JSON",
        };
        let full = e.to_string();
        let detail = full.split(" at line ").next().unwrap_or(&full);
        return Err(Error::invalid(format!(
            "{file}: {place}{what}: {detail} (line {}, column {})",
            e.line(),
            e.column()
        ))
        .with_hint("an export file is made by `yardstick export`; see docs/exchange.md"));
    }
    let not_export = |what: String| {
        Error::invalid(format!("{file}: {what}"))
            .with_hint("an export file is made by `yardstick export`; see docs/exchange.md")
    };
    match state.schema_version {
        Some(super::SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(not_export(format!(
                "schema_version {v} is not supported (this yardstick reads {})",
                super::SCHEMA_VERSION
            )));
        }
        None => {
            return Err(not_export(
                "not a yardstick export: no schema_version".into(),
            ));
        }
    }
    if state.kind.as_deref() != Some(super::KIND) {
        return Err(not_export(format!(
            "not a yardstick export: kind is {}, expected \"{}\"",
            state.kind.as_deref().unwrap_or("missing"),
            super::KIND
        )));
    }
    if !state.records_done {
        return Err(not_export("not a yardstick export: no records".into()));
    }
    let yardstick_schema = state.yardstick_schema.unwrap_or(0);
    if yardstick_schema > crate::domain::records::SCHEMA_VERSION {
        return Err(not_export(format!(
            "it was exported by a newer yardstick (database schema {yardstick_schema}, this one knows {})",
            crate::domain::records::SCHEMA_VERSION
        ))
        .with_hint("upgrade yardstick to import it"));
    }
    Ok(Parsed {
        yardstick_schema,
        records: state.records,
    })
}

struct DocSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(DocVisitor(self.0))
    }
}

struct DocVisitor<'a>(&'a mut State);

impl<'de> Visitor<'de> for DocVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a yardstick export (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "schema_version" => {
                    let v: Value = map.next_value()?;
                    match v.as_u64() {
                        Some(n) if n == super::SCHEMA_VERSION => state.schema_version = Some(n),
                        _ => {
                            let e = Error::invalid(format!(
                                "{}: schema_version {v} is not supported (this yardstick reads {})",
                                state.file,
                                super::SCHEMA_VERSION
                            ))
                            .with_hint("export the file again with this version of yardstick");
                            return Err(state.fail(e));
                        }
                    }
                }
                "kind" => {
                    let v: Value = map.next_value()?;
                    state.kind = Some(v.as_str().map_or_else(|| v.to_string(), str::to_string));
                }
                "yardstick_schema" => {
                    let v: Value = map.next_value()?;
                    match v.as_i64() {
                        Some(n) => state.yardstick_schema = Some(n),
                        None => {
                            let e = Error::invalid(format!(
                                "{}: yardstick_schema must be a whole number, not {v}",
                                state.file
                            ));
                            return Err(state.fail(e));
                        }
                    }
                }
                "exported_at" | "since" | "person" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "records" => {
                    state.in_records = true;
                    map.next_value_seed(RecordsSeed(&mut *state))?;
                    state.records_done = true;
                }
                other => {
                    let e = Error::invalid(format!(
                        "{}: unknown top-level field '{other}'",
                        state.file
                    ))
                    .with_hint("the fields are schema_version, kind, yardstick_schema, exported_at, since, person, records");
                    return Err(state.fail(e));
                }
            }
        }
        Ok(())
    }
}

struct RecordsSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(RecordsVisitor(self.0))
    }
}

struct RecordsVisitor<'a>(&'a mut State);

impl<'de> Visitor<'de> for RecordsVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(value) = seq.next_element::<Value>()? {
            let index = state.records.len();
            match record(index, value, &state.seen) {
                Ok(row) => {
                    state.seen.insert((row.table, row.uuid.clone()));
                    state.records.push(row);
                }
                Err(e) => {
                    let e = e.context(&state.file);
                    return Err(state.fail(e));
                }
            }
        }
        Ok(())
    }
}

/// The error for a bad record of an import file, naming it.
pub fn record_error(index: usize, what: impl fmt::Display) -> Error {
    Error::invalid(format!("record {index}: {what}"))
        .with_hint("fix or remove that record; nothing was imported")
}

fn canonical_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

fn is_timestamp(s: &str) -> bool {
    DateTime::parse_from_rfc3339(s).is_ok()
}

fn is_date(s: &str) -> bool {
    crate::time::iso_day(s).is_some()
}

/// Validate one record into a raw row.
fn record(index: usize, value: Value, seen: &HashSet<(usize, String)>) -> Result<RawRow> {
    let Value::Object(mut map) = value else {
        return Err(record_error(index, "a record must be a JSON object"));
    };
    let table = match map.remove("table") {
        Some(Value::String(t)) => t,
        Some(other) => {
            return Err(record_error(
                index,
                format!("field 'table': expected text, got {other}"),
            ));
        }
        None => return Err(record_error(index, "field 'table' is missing")),
    };
    let Some(ti) = sx::table_index(&table) else {
        let known: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        return Err(record_error(index, format!("unknown table '{table}'"))
            .with_hint(format!("the tables are: {}", known.join(", "))));
    };
    let uuid = match map.remove("uuid") {
        Some(Value::String(u)) if canonical_uuid(&u) => u,
        Some(other) => {
            return Err(record_error(
                index,
                format!("{table}: field 'uuid': {other} is not a UUID (lowercase, with hyphens)"),
            ));
        }
        None => {
            return Err(record_error(
                index,
                format!("{table}: field 'uuid' is missing"),
            ));
        }
    };
    if seen.contains(&(ti, uuid.clone())) {
        return Err(record_error(
            index,
            format!("{table} {uuid} appears twice in the file"),
        ));
    }
    let def = &TABLES[ti];
    let at = |key: &str, what: String| {
        record_error(index, format!("{table} {uuid}: field '{key}': {what}"))
    };
    let mut vals = Vec::with_capacity(def.cols.len());
    for col in def.cols {
        let v = match (map.remove(col.key), col.default) {
            (Some(v), _) => v,
            // A file from before the column existed.
            (None, Some(d)) if col.kind == Kind::Bool => Value::Bool(d != 0),
            (None, Some(d)) => Value::from(d),
            (None, None) => Value::Null,
        };
        let val = field(&v, col.kind).map_err(|what| at(col.key, what))?;
        if let Val::Text(t) = &val {
            // The same ceiling as on the command line; a template's source may be longer.
            let max = if col.key == "source" {
                MAX_SOURCE
            } else {
                MAX_TEXT
            };
            if t.chars().count() > max {
                return Err(at(col.key, format!("is longer than {max} characters")));
            }
        }
        if val.is_null() && !col.nullable {
            return Err(at(col.key, "is required (missing or null)".into()));
        }
        vals.push(val);
    }
    if let Some(key) = map.keys().next() {
        return Err(record_error(
            index,
            format!("{table} {uuid}: unknown field '{key}'"),
        ));
    }
    let row = RawRow {
        table: ti,
        uuid: uuid.clone(),
        vals,
    };
    rules(&row).map_err(|(key, what)| at(key, what))?;
    Ok(row)
}

/// The longest free text a record may carry (notes, feedback, comments) —
/// the command line's own limit.
const MAX_TEXT: usize = 10_000;
/// The longest template source a record may carry.
const MAX_SOURCE: usize = 1_000_000;

/// One value, checked against its column's kind.
fn field(v: &Value, kind: Kind) -> std::result::Result<Val, String> {
    if v.is_null() {
        return Ok(Val::Null);
    }
    let text = || {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("expected text, got {v}"))
    };
    Ok(match kind {
        Kind::Text => Val::Text(text()?),
        Kind::Handle => {
            let s = text()?;
            crate::domain::names::validate_handle(&s).map_err(|e| e.message().to_string())?;
            Val::Text(s)
        }
        Kind::Key => {
            let s = text()?;
            crate::domain::names::validate_key(&s).map_err(|e| e.message().to_string())?;
            Val::Text(s)
        }
        Kind::Int => Val::Int(
            v.as_i64()
                .ok_or_else(|| format!("expected a whole number, got {v}"))?,
        ),
        Kind::Real => {
            let f = v
                .as_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| format!("expected a number, got {v}"))?;
            if !v.is_number() {
                return Err(format!("expected a number, got {v}"));
            }
            Val::Real(f)
        }
        Kind::Bool => Val::Int(i64::from(
            v.as_bool()
                .ok_or_else(|| format!("expected true or false, got {v}"))?,
        )),
        Kind::Date => {
            let s = text()?;
            if !is_date(&s) {
                return Err(format!("'{s}' is not a date (YYYY-MM-DD)"));
            }
            Val::Text(s)
        }
        Kind::Time => {
            let s = text()?;
            if !is_timestamp(&s) {
                return Err(format!("'{s}' is not an RFC 3339 timestamp"));
            }
            Val::Text(s)
        }
        Kind::Enum(allowed) => {
            let s = text()?;
            if !allowed.contains(&s.as_str()) {
                return Err(format!("'{s}' is not one of {}", allowed.join(", ")));
            }
            Val::Text(s)
        }
        Kind::Ref(_) => {
            let s = text()?;
            if !canonical_uuid(&s) {
                return Err(format!("'{s}' is not a UUID (lowercase, with hyphens)"));
            }
            Val::Text(s)
        }
    })
}

/// The rules the database's CHECK constraints enforce, checked up front so
/// that a bad record is refused as input (exit 2) with its field named.
fn rules(row: &RawRow) -> std::result::Result<(), (&'static str, String)> {
    let get = |name: &str| row.get(name).cloned().unwrap_or(Val::Null);
    let text = |name: &str| get(name).as_text().map(str::to_string);
    let order = |a: &'static str, b: &'static str| match (text(a), text(b)) {
        (Some(x), Some(y)) if x > y => Err((b, format!("{b} {y} is before {a} {x}"))),
        _ => Ok(()),
    };
    let not_self = |col: &'static str, key: &'static str| {
        if text(col).as_deref() == Some(row.uuid.as_str()) {
            Err((key, "a record cannot refer to itself".to_string()))
        } else {
            Ok(())
        }
    };
    let positive = |col: &'static str| match get(col) {
        Val::Real(w) if w <= 0.0 => Err((col, format!("must be greater than 0 (got {w})"))),
        _ => Ok(()),
    };
    match row.def().name {
        "period" => order("start_date", "end_date")?,
        "team" => not_self("parent_id", "parent_uuid")?,
        "person" => {
            not_self("manager_id", "manager_uuid")?;
            if let Val::Int(d) = get("checkin_cadence_days") {
                if !(1..=366).contains(&d) {
                    return Err((
                        "checkin_cadence_days",
                        format!("must be 1 to 366 (got {d})"),
                    ));
                }
            }
        }
        "template" => {
            if let Some(src) = text("source") {
                crate::formats::template::parse(&src, "the template's source")
                    .map_err(|e| ("source", e.message().to_string()))?;
            }
        }
        "goal" => {
            if get("owner_person_id").is_null() == get("owner_team_id").is_null() {
                return Err((
                    "owner_person_uuid",
                    "exactly one of owner_person_uuid and owner_team_uuid must be set".into(),
                ));
            }
            not_self("parent_id", "parent_uuid")?;
            order("start_date", "due_date")?;
            positive("weight")?;
        }
        "measure" => positive("weight")?,
        "checkin" => {
            if get("measure_id").is_null() && !get("value").is_null() {
                return Err(("value", "a check-in without a measure has no value".into()));
            }
            if let Val::Int(c) = get("confidence") {
                if !(0..=10).contains(&c) {
                    return Err(("confidence", format!("must be 0 to 10 (got {c})")));
                }
            }
        }
        "cycle" => order("start_date", "end_date")?,
        "review" => {
            let is_self =
                text("kind").as_deref() == Some(crate::domain::ReviewKind::SelfReview.as_str());
            if is_self != (text("subject_id") == text("reviewer_id")) {
                return Err((
                    "reviewer_uuid",
                    "a self review has its subject as reviewer, and only a self review does".into(),
                ));
            }
        }
        "rating" if get("value").is_null() && get("comment").is_null() => {
            return Err(("value", "a rating needs a value or a comment".into()));
        }
        "outcome" if get("calibrated_level").is_null() != get("calibration_reason").is_null() => {
            return Err((
                "calibration_reason",
                "a calibrated level and its reason go together".into(),
            ));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const U1: &str = "3f67a0a4-d962-4854-8b3b-d7de12a80292";

    fn doc(records: &str) -> String {
        format!(
            "{{\"schema_version\":1,\"kind\":\"export\",\"yardstick_schema\":3,\"records\":[{records}]}}"
        )
    }

    fn team(extra: &str) -> String {
        format!(
            "{{\"table\":\"team\",\"uuid\":\"{U1}\",\"handle\":\"acme\",\"name\":\"Acme\",\
             \"created_at\":\"2026-11-22T12:00:00Z\",\"updated_at\":\"2026-11-22T12:00:00Z\"{extra}}}"
        )
    }

    #[test]
    fn a_good_record_parses() {
        let p = parse(doc(&team("")).as_bytes(), "f").unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].uuid, U1);
    }

    #[test]
    fn errors_name_the_record_and_field() {
        let e = parse(doc(&format!("{},{}", team(""), team(""))).as_bytes(), "f").unwrap_err();
        assert!(e.message().contains("record 1"), "{}", e.message());
        let e = parse(doc(&team(",\"name2\":1")).as_bytes(), "f").unwrap_err();
        assert!(e.message().contains("name2"), "{}", e.message());
        let e = parse(doc(&team(",\"parent_uuid\":3")).as_bytes(), "f").unwrap_err();
        assert!(e.message().contains("parent_uuid"), "{}", e.message());
        let text = doc(&team(""));
        let e = parse(&text.as_bytes()[..text.len() - 5], "f").unwrap_err();
        assert!(e.message().contains("record 0"), "{}", e.message());
        assert_eq!(e.exit_code(), 2);
    }
}
