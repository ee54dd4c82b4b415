//! Merging parsed records into a database, inside the caller's
//! transaction, in three steps:
//!
//! 1. `plan`: what the import would do with each record, by UUID — add
//!    it, replace the local copy with a newer one, nothing (identical), or
//!    keep a newer or equally new local copy (a conflict, listed).
//! 2. `checks`: every record the import would write is checked with the
//!    command line's rules against the database as it would be afterwards
//!    (names, numbers, dates, loops, unique keys, timestamps not in the
//!    future, what a cycle's state allows, submitted reviews final). One
//!    refused record refuses the whole import: every refusal is listed and
//!    nothing is written.
//! 3. `apply`: the writes, parents first, forward references filled in
//!    afterwards, a cycle that arrives finalized finalized last.

mod apply;
mod checks;
mod plan;

use crate::app::access::Policy;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::exchange::{RawRow, Val};
use crate::time::Clock;
use std::collections::BTreeSet;
use std::fmt;

/// What happened to the records of one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records that were not in the database and were added.
    pub inserted: usize,
    /// Records whose imported copy was newer and replaced the local one.
    pub updated: usize,
    /// Records identical to the local copy.
    pub unchanged: usize,
    /// Records that differ and were not applied (see [`Conflict`]).
    pub conflicts: usize,
}

impl Counts {
    /// How many records these counts cover.
    pub fn total(&self) -> usize {
        self.inserted + self.updated + self.unchanged + self.conflicts
    }
}

/// A record of the file that was not applied because the local copy is
/// newer or equally new (nothing is written for it; the import goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Its index in the file's `records`.
    pub index: usize,
    /// Its table.
    pub table: &'static str,
    /// Its UUID.
    pub uuid: String,
    /// Which copy is kept: `local` (the database's).
    pub kept: &'static str,
    /// Why.
    pub reason: String,
}

/// The outcome of a merge.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Counts per table, indexed like [`crate::store::exchange::TABLES`].
    pub tables: Vec<Counts>,
    /// The conflicts, in the order they were met.
    pub conflicts: Vec<Conflict>,
}

impl Summary {
    /// The counts over all tables.
    pub fn total(&self) -> Counts {
        self.tables.iter().fold(Counts::default(), |a, c| Counts {
            inserted: a.inserted + c.inserted,
            updated: a.updated + c.updated,
            unchanged: a.unchanged + c.unchanged,
            conflicts: a.conflicts + c.conflicts,
        })
    }
}

/// A record of the file the import refuses, and why. One refusal refuses
/// the whole import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Its index in the file's `records`.
    pub index: usize,
    /// Its table.
    pub table: &'static str,
    /// Its UUID.
    pub uuid: String,
    /// The field at fault (its name in the file), if one is.
    pub field: Option<&'static str>,
    /// Why.
    pub reason: String,
    /// What to do about it, when there is more to say than "fix or remove
    /// the record" (shown once however many records it applies to).
    pub hint: Option<&'static str>,
}

impl Refusal {
    /// A refusal of `row`, the file's record `index`.
    pub fn new(
        index: usize,
        row: &RawRow,
        field: Option<&'static str>,
        reason: impl fmt::Display,
    ) -> Refusal {
        Refusal {
            index,
            table: row.def().name,
            uuid: row.uuid.clone(),
            field,
            reason: reason.to_string(),
            hint: None,
        }
    }

    /// The same refusal with a hint.
    pub fn with_hint(mut self, hint: &'static str) -> Refusal {
        self.hint = Some(hint);
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {}: {} {}: ", self.index, self.table, self.uuid)?;
        if let Some(field) = self.field {
            write!(f, "field '{field}': ")?;
        }
        f.write_str(&self.reason)
    }
}

/// What the checks need to know besides the database: the clock (no
/// timestamp may lie in its future) and the settings the command line
/// would apply to the same values.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The clock of this run (`--today` / `YARDSTICK_TODAY` pin it).
    pub clock: Clock,
    /// The largest value a percent measure takes (`[checkin] percent_max`).
    pub percent_max: f64,
}

/// The error that refuses an import, listing every refused record.
fn refused(file: &str, mut refusals: Vec<Refusal>) -> Error {
    refusals.sort_by_key(|r| r.index);
    refusals.dedup();
    let records: BTreeSet<usize> = refusals.iter().map(|r| r.index).collect();
    let lines: Vec<String> = refusals.iter().map(ToString::to_string).collect();
    let mut hints: Vec<&str> = Vec::new();
    for h in refusals.iter().filter_map(|r| r.hint) {
        if !hints.contains(&h) {
            hints.push(h);
        }
    }
    hints.push(
        "the import writes all of a file or nothing; fix or remove those records \
         (see docs/exchange.md, \"What an import refuses\") and import again; nothing was imported",
    );
    Error::invalid(format!(
        "{file}: import refused: {} record(s) cannot be imported:\n  {}",
        records.len(),
        lines.join("\n  ")
    ))
    .with_hint(hints.join("; "))
}

/// Merge `records` (parsed) into the database behind `s`, a write session:
/// plan, check, and write. Returns what happened. Any refused record fails
/// the whole merge with an [`Error::invalid`] listing every refusal, before
/// anything is written.
pub fn merge(
    s: &mut dyn Session,
    records: &[RawRow],
    file: &str,
    settings: &Settings,
    from: Option<&Policy>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let plan = plan::Plan::new(&*s, records)?;
    let refusals = checks::run(&*s, &plan, settings, from)?;
    if !refusals.is_empty() {
        return Err(refused(file, refusals));
    }
    let (summary, refusals) = apply::apply(s, &plan, progress)?;
    if !refusals.is_empty() {
        return Err(refused(file, refusals));
    }
    Ok(summary)
}

/// Whose permissions an import applies. An importer who is not an admin
/// here: their own. Into a file that holds no people or teams yet (a copy
/// being seeded): any record, as an admin. Otherwise, the person the file comes from: `--from`,
/// else the exporter the file names, else (a file no one signed) the
/// importer. They are an admin for
/// the import when they are one here and the importer names them with
/// `--from`, or when the file says its exporter was one, the
/// importer names them with `--from`, this database does not know them,
/// and the importer is an admin here (they vouch for the file).
pub fn source(
    s: &dyn Session,
    importer: &Policy,
    parsed: &crate::formats::exchange::Parsed,
    from: Option<&str>,
) -> Result<Policy> {
    if !importer.is_admin() {
        // Someone who is not an admin here imports with their own
        // permissions, whoever the file comes from: a file cannot lend them
        // another person's.
        let me = importer.handle().unwrap_or_default();
        if let Some(other) = from.filter(|f| *f != me) {
            return Err(Error::failed(format!(
                "not allowed: {me} may not import a file as {other} (only an admin here may)"
            ))
            .with_hint(format!(
                "without --from, each change is checked against {me}'s own permissions"
            )));
        }
        return Ok(Policy::person(me, false));
    }
    // A file that holds no one yet (a copy being seeded) takes the file
    // whole: there is nothing here it could change or take over.
    if s.list_people(None, true)?.is_empty() && s.list_teams()?.is_empty() {
        let handle = from.or(parsed.exported_by.as_deref());
        return Ok(match handle {
            Some(h) => Policy::person(h, true),
            None => Policy::owner(),
        });
    }
    let Some(handle) = from.or(parsed.exported_by.as_deref()) else {
        // A file no one signed (exported from a file that names no one):
        // whoever imports it answers for it, with their own permissions.
        return Ok(match importer.handle() {
            Some(h) => Policy::person(h, importer.is_admin()),
            None => Policy::owner(),
        });
    };
    let in_file = parsed.records.iter().any(|r| {
        r.def().name == "person" && r.get("handle").and_then(Val::as_text) == Some(handle)
    });
    let here = s.find_person(handle)?;
    if here.is_none() && !in_file {
        return Err(
            Error::failed(format!("no person '{handle}' here or in the file (--from)"))
                .with_hint("--from names the person the file comes from"),
        );
    }
    // A file's header alone never makes an admin: the importer names the
    // admin with --from (a file may claim to come from anyone, the
    // importer included).
    let named = from == Some(handle);
    let admin_here = named
        && (s.setting("me")?.as_deref() == Some(handle) || here.as_ref().is_some_and(|p| p.admin));
    // The file's own claim to come from an admin counts only when the
    // importer (an admin here) names the exporter, and this database does
    // not know them as someone who is not an admin.
    let vouched = from.is_some()
        && here.is_none()
        && parsed.exported_by_admin
        && parsed.exported_by.as_deref().is_none_or(|e| e == handle)
        && importer.is_admin();
    Ok(Policy::person(handle, admin_here || vouched))
}

/// `import`: merge a parsed file (see [`merge`]) with the permissions of
/// the person it comes from, logged as one operation.
pub fn import(
    s: &mut dyn Session,
    parsed: &crate::formats::exchange::Parsed,
    shown: &str,
    settings: &Settings,
    from: &Policy,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let summary = merge(s, &parsed.records, shown, settings, Some(from), progress)?;
    let t = summary.total();
    s.set_summary(&format!(
        "imported {shown}: {} inserted, {} updated, {} unchanged, {} conflicts",
        t.inserted, t.updated, t.unchanged, t.conflicts
    ));
    Ok(summary)
}
