//! Reading an exchange document: streaming JSON parse, and the shape of
//! every record (its table, UUID, fields present and of the right type,
//! enum spellings, dates and timestamps that parse) before anything is
//! written. The first malformed record refuses the whole file, naming the
//! record's index in `records` and the field. What well-formed records say
//! is checked against the database by `app::merge`.

use crate::domain::records::{self as sx, Kind, RawRow, TABLES, Val};
use crate::domain::revisions::{FieldRev, HIDDEN, HISTORY, ROW, Revs, Tombstone};
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
    /// The field revisions of each record (same order; empty: as created,
    /// or a file without history).
    pub revs: Vec<Revs>,
    /// The deletions the file carries.
    pub deletions: Vec<Tombstone>,
    /// Whether the file carries history (document version 2 and later): a
    /// version 1 file says nothing of which copy edited what.
    pub history: bool,
    /// Who exported it, as the file says (a handle).
    pub exported_by: Option<String>,
    /// Whether the file says its exporter was an admin (believed only when
    /// the importer names them with `--from`).
    pub exported_by_admin: bool,
}

#[derive(Default)]
struct State {
    file: String,
    records: Vec<RawRow>,
    revs: Vec<Revs>,
    deletions: Vec<Tombstone>,
    seen: HashSet<(usize, String)>,
    error: Option<Error>,
    schema_version: Option<u64>,
    kind: Option<String>,
    yardstick_schema: Option<i64>,
    exported_by: Option<String>,
    exported_by_admin: bool,
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
        Some(v) if (super::OLDEST_SCHEMA_VERSION..=super::SCHEMA_VERSION).contains(&v) => {}
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
    if let Some(t) = state
        .deletions
        .iter()
        .find(|t| state.seen.contains(&(t.table, t.uuid.clone())))
    {
        return Err(not_export(format!(
            "{} {} is both a record and a deletion of the file",
            TABLES[t.table].name, t.uuid
        )));
    }
    Ok(Parsed {
        yardstick_schema,
        history: state.schema_version.unwrap_or(0) >= 2,
        revs: state.revs,
        deletions: state.deletions,
        records: state.records,
        exported_by: state.exported_by,
        exported_by_admin: state.exported_by_admin,
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
                        Some(n)
                            if (super::OLDEST_SCHEMA_VERSION..=super::SCHEMA_VERSION)
                                .contains(&n) =>
                        {
                            state.schema_version = Some(n);
                        }
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
                "exported_by" => {
                    let v: Value = map.next_value()?;
                    match v {
                        Value::Null => {}
                        Value::String(h) if crate::domain::names::validate_handle(&h).is_ok() => {
                            state.exported_by = Some(h);
                        }
                        other => {
                            let e = Error::invalid(format!(
                                "{}: exported_by must be a handle or null, not {other}",
                                state.file
                            ));
                            return Err(state.fail(e));
                        }
                    }
                }
                "exported_by_admin" => {
                    let v: Value = map.next_value()?;
                    match v.as_bool() {
                        Some(b) => state.exported_by_admin = b,
                        None => {
                            let e = Error::invalid(format!(
                                "{}: exported_by_admin must be true or false, not {v}",
                                state.file
                            ));
                            return Err(state.fail(e));
                        }
                    }
                }
                "records" => {
                    state.in_records = true;
                    map.next_value_seed(RecordsSeed(&mut *state))?;
                    state.records_done = true;
                }
                "deletions" => {
                    let v: Value = map.next_value()?;
                    match deletions(v) {
                        Ok(d) => state.deletions = d,
                        Err(e) => {
                            let e = e.context(&state.file);
                            return Err(state.fail(e));
                        }
                    }
                }
                other => {
                    let e = Error::invalid(format!(
                        "{}: unknown top-level field '{other}'",
                        state.file
                    ))
                    .with_hint("the fields are schema_version, kind, yardstick_schema, exported_at, exported_by, exported_by_admin, since, person, records, deletions");
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
                Ok((row, revs)) => {
                    state.seen.insert((row.table, row.uuid.clone()));
                    state.records.push(row);
                    state.revs.push(revs);
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

/// The error for a bad deletion of an import file, naming it.
fn deletion_error(index: usize, what: impl fmt::Display) -> Error {
    Error::invalid(format!("deletion {index}: {what}"))
        .with_hint("fix or remove that deletion; nothing was imported")
}

/// Field revisions as a file writes them (fields by their names in the
/// file), checked, keyed by database column names.
fn revs(table: usize, v: Value) -> std::result::Result<Revs, String> {
    let Value::Object(map) = v else {
        return Err(format!("expected an object of field revisions, got {v}"));
    };
    let def = &TABLES[table];
    let mut out = Revs::new();
    for (key, v) in map {
        let name = if key == ROW {
            ROW
        } else {
            match def.cols.iter().find(|c| c.key == key) {
                Some(c) => c.name,
                None => return Err(format!("revision of an unknown field '{key}'")),
            }
        };
        let rev: FieldRev = serde_json::from_value(v)
            .map_err(|e| format!("field '{key}': not a field revision: {e}"))?;
        if !(rev.rev == HIDDEN || canonical_uuid(&rev.rev)) {
            return Err(format!(
                "field '{key}': revision '{}' is not a UUID",
                rev.rev
            ));
        }
        if let Some(p) = rev.prev.iter().find(|p| !canonical_uuid(p)) {
            return Err(format!(
                "field '{key}': earlier revision '{p}' is not a UUID"
            ));
        }
        if rev.prev.len() > HISTORY {
            return Err(format!(
                "field '{key}': {} earlier revisions (at most {HISTORY})",
                rev.prev.len()
            ));
        }
        if let Some(at) = rev.at.as_deref().filter(|a| !is_timestamp(a)) {
            return Err(format!(
                "field '{key}': '{at}' is not an RFC 3339 timestamp"
            ));
        }
        if rev
            .by
            .as_deref()
            .is_some_and(|b| b.chars().count() > 200 || b.chars().any(char::is_control))
        {
            return Err(format!("field '{key}': 'by' is not a name"));
        }
        out.insert(name.to_string(), rev);
    }
    Ok(out)
}

/// The file's deletions, checked.
fn deletions(v: Value) -> Result<Vec<Tombstone>> {
    let Value::Array(items) = v else {
        return Err(Error::invalid("deletions must be a list"));
    };
    let mut out: Vec<Tombstone> = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(mut m) = item else {
            return Err(deletion_error(i, "a deletion must be a JSON object"));
        };
        let mut text = |k: &str, required: bool| -> Result<Option<String>> {
            match m.remove(k) {
                Some(Value::String(s)) => Ok(Some(s)),
                Some(Value::Null) | None if !required => Ok(None),
                Some(other) => Err(deletion_error(
                    i,
                    format!("field '{k}': expected text, got {other}"),
                )),
                None => Err(deletion_error(i, format!("field '{k}' is missing"))),
            }
        };
        let table = text("table", true)?.unwrap_or_default();
        let Some(ti) = sx::table_index(&table) else {
            return Err(deletion_error(i, format!("unknown table '{table}'")));
        };
        let uuid = text("uuid", true)?.unwrap_or_default();
        let rev = text("rev", true)?.unwrap_or_default();
        for (k, u) in [("uuid", &uuid), ("rev", &rev)] {
            if !canonical_uuid(u) {
                return Err(deletion_error(
                    i,
                    format!("field '{k}': '{u}' is not a UUID (lowercase, with hyphens)"),
                ));
            }
        }
        let deleted_at = text("deleted_at", true)?.unwrap_or_default();
        if !is_timestamp(&deleted_at) {
            return Err(deletion_error(
                i,
                format!("field 'deleted_at': '{deleted_at}' is not an RFC 3339 timestamp"),
            ));
        }
        let deleted_by = text("deleted_by", false)?;
        let seen_revs = match m.remove("seen") {
            Some(v) => revs(ti, v).map_err(|e| deletion_error(i, format!("field 'seen': {e}")))?,
            None => Revs::new(),
        };
        if let Some(k) = m.keys().next() {
            return Err(deletion_error(i, format!("unknown field '{k}'")));
        }
        if !seen.insert((ti, uuid.clone())) {
            return Err(deletion_error(
                i,
                format!("{table} {uuid} is deleted twice in the file"),
            ));
        }
        out.push(Tombstone {
            table: ti,
            uuid,
            rev,
            deleted_at,
            deleted_by,
            seen: seen_revs,
        });
    }
    Ok(out)
}

/// Validate one record into a raw row and its field revisions.
fn record(index: usize, value: Value, seen: &HashSet<(usize, String)>) -> Result<(RawRow, Revs)> {
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
    let field_revs = match map.remove("_rev") {
        Some(v) => revs(ti, v).map_err(|what| at("_rev", what))?,
        None => Revs::new(),
    };
    let mut vals = Vec::with_capacity(def.cols.len());
    for col in def.cols {
        let v = match (map.remove(col.key), col.default) {
            (Some(v), _) => v,
            // A file from before the column existed.
            (None, Some(d)) if col.kind == Kind::Bool => Value::Bool(d != 0),
            (None, Some(d)) if let Kind::Enum(names) = col.kind => {
                let i = usize::try_from(d).unwrap_or(usize::MAX);
                names.get(i).map_or(Value::Null, |n| Value::from(*n))
            }
            (None, Some(d)) => Value::from(d),
            (None, None) => Value::Null,
        };
        let val = field(&v, col.kind).map_err(|what| at(col.key, what))?;
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
    Ok((
        RawRow {
            table: ti,
            uuid,
            vals,
        },
        field_revs,
    ))
}

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
        // What the text says (a handle well formed, a name not too long) is
        // checked with the command line's rules before anything is merged
        // (`app::merge`), where every refused record is listed.
        Kind::Text | Kind::Handle | Kind::Key => Val::Text(text()?),
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
