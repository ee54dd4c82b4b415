//! Merging parsed records into a database, inside the caller's
//! transaction, in three steps:
//!
//! 1. `plan`: what the import would do with each record and deletion, by
//!    UUID — add it, merge it with the local copy field by field (each
//!    field's revision says which side's edit is newer), delete the local
//!    copy, or nothing. Edits both sides made to the same field since the
//!    copies last met, and a deletion against an edit, are conflicts: the
//!    import is refused (exit 1) listing each, unless `--ours`/`--theirs`
//!    resolve them.
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
use crate::formats::exchange::Parsed;
use crate::store::Session;
use crate::store::exchange::{RawRow, Val};
use crate::time::Clock;
use std::collections::BTreeSet;
use std::fmt;

/// What happened to the records of one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records that were not in the database and were added (or restored).
    pub inserted: usize,
    /// Records of the database that took changes from the file.
    pub updated: usize,
    /// Records of the database deleted by the file's deletions.
    pub deleted: usize,
    /// Records identical to the local copy (or whose changes the local copy
    /// already has).
    pub unchanged: usize,
    /// Records in conflict, resolved by `--ours`/`--theirs` (an unresolved
    /// conflict refuses the import).
    pub conflicts: usize,
}

impl Counts {
    /// How many records these counts cover.
    pub fn total(&self) -> usize {
        self.inserted + self.updated + self.deleted + self.unchanged + self.conflicts
    }
}

/// Which copy a conflict is resolved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The database's (`--ours`).
    Ours,
    /// The file's (`--theirs`).
    Theirs,
}

impl Side {
    /// How a person reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Ours => "here",
            Side::Theirs => "file",
        }
    }
}

/// How conflicts are resolved: for every record, and per record (by UUID or
/// human key: a goal's key, a handle, a period's or cycle's name), the
/// per-record choice first.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// For every conflict (`--ours` / `--theirs` alone).
    pub all: Option<Side>,
    /// For the conflict of one record.
    pub records: Vec<(String, Side)>,
}

/// One side of a conflicting field: its value, who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The value as a person reads it.
    pub value: String,
    /// Who made it, when known.
    pub by: Option<String>,
    /// When, when known.
    pub at: Option<String>,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)?;
        match (&self.by, &self.at) {
            (Some(b), Some(a)) => write!(f, " (by {b} at {a})"),
            (Some(b), None) => write!(f, " (by {b})"),
            (None, Some(a)) => write!(f, " (as of {a})"),
            (None, None) => Ok(()),
        }
    }
}

/// A field two copies changed differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    /// Its name in the file.
    pub field: &'static str,
    /// The database's value (none: deleted here).
    pub ours: Option<Shown>,
    /// The file's value (none: deleted in the file).
    pub theirs: Option<Shown>,
}

/// A record the two copies changed in ways that do not merge: the same
/// field both sides edited since they last met, or a deletion on one side
/// against an edit (or a new dependent record) on the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Its index in the file's `records` (deletions are numbered after them).
    pub index: usize,
    /// Its table.
    pub table: &'static str,
    /// Its UUID.
    pub uuid: String,
    /// Its human key (a goal's key, a handle, a name), if its table has one.
    pub key: Option<String>,
    /// The fields in conflict.
    pub fields: Vec<FieldConflict>,
    /// A deletion involved: (deleted in the file, not here; by; at).
    pub deleted: Option<(bool, Option<String>, String)>,
    /// Records here that depend on a record the file deletes and that the
    /// file does not delete.
    pub dependents: Vec<String>,
    /// How it was resolved (none: the import is refused).
    pub resolved: Option<Side>,
}

impl Conflict {
    /// The record as a person reads it: `goal q4-launch (3f…)`.
    pub fn record(&self) -> String {
        match &self.key {
            Some(k) => format!("{} {k} ({})", self.table, self.uuid),
            None => format!("{} {}", self.table, self.uuid),
        }
    }

    /// One line per conflicting field (or deletion).
    pub fn lines(&self) -> Vec<String> {
        let record = self.record();
        let mut out = Vec::new();
        let deletion = self.deleted.as_ref().map(|(there, by, at)| {
            let _ = there;
            format!("deleted by {} at {at}", by.as_deref().unwrap_or("someone"))
        });
        for f in &self.fields {
            let side = |s: &Option<Shown>| match s {
                Some(v) => v.to_string(),
                None => deletion.clone().unwrap_or_else(|| "deleted".into()),
            };
            out.push(format!(
                "{record}: field '{}': here {}, in the file {}",
                f.field,
                side(&f.ours),
                side(&f.theirs)
            ));
        }
        if !self.dependents.is_empty() {
            let shown: Vec<&str> = self.dependents.iter().take(3).map(String::as_str).collect();
            out.push(format!(
                "{record}: {} in the file, but {} record(s) here depend on it that the file does not delete ({}{})",
                deletion.clone().unwrap_or_default(),
                self.dependents.len(),
                shown.join(", "),
                if self.dependents.len() > 3 { ", …" } else { "" }
            ));
        }
        if out.is_empty() {
            let place = match self.deleted {
                Some((true, ..)) => " in the file",
                Some((false, ..)) => " here",
                None => "",
            };
            out.push(format!(
                "{record}: {}{place}",
                deletion.unwrap_or_else(|| "the copies differ".into())
            ));
        }
        out
    }
}

/// A field-level change an import makes to a record of the database (or a
/// record it deletes or restores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its index in the file (deletions are numbered after the records).
    pub index: usize,
    /// Its table.
    pub table: &'static str,
    /// Its UUID.
    pub uuid: String,
    /// Its human key, if its table has one.
    pub key: Option<String>,
    /// The field's name in the file (empty: the whole record).
    pub field: &'static str,
    /// The value before.
    pub before: String,
    /// The value after (`deleted`, `restored` for a whole record).
    pub after: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: ",
            self.table,
            self.key.as_deref().unwrap_or(&self.uuid)
        )?;
        if self.field.is_empty() {
            f.write_str(&self.after)
        } else {
            write!(f, "{} {} → {}", self.field, self.before, self.after)
        }
    }
}

/// The outcome of a merge.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Counts per table, indexed like [`crate::store::exchange::TABLES`].
    pub tables: Vec<Counts>,
    /// The conflicts, each resolved, in the order they were met.
    pub conflicts: Vec<Conflict>,
    /// The field-level changes to records of the database.
    pub changes: Vec<Change>,
    /// Names given to `--ours`/`--theirs` that name a record of the file
    /// with no conflict to resolve.
    pub unneeded: Vec<String>,
}

impl Summary {
    /// The counts over all tables.
    pub fn total(&self) -> Counts {
        self.tables.iter().fold(Counts::default(), |a, c| Counts {
            inserted: a.inserted + c.inserted,
            updated: a.updated + c.updated,
            deleted: a.deleted + c.deleted,
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
#[derive(Debug, Clone)]
pub struct Settings {
    /// The clock of this run (`--today` / `YARDSTICK_TODAY` pin it).
    pub clock: Clock,
    /// The largest value a percent measure takes (`[checkin] percent_max`).
    pub percent_max: f64,
    /// Who runs the import (as the log records them): the author of the
    /// revisions a resolution makes.
    pub actor: String,
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

/// The error that refuses an import with conflicts, listing each one.
fn conflicted<'c>(file: &str, conflicts: impl Iterator<Item = &'c Conflict>) -> Error {
    let conflicts: Vec<&Conflict> = conflicts.collect();
    let lines: Vec<String> = conflicts.iter().flat_map(|c| c.lines()).collect();
    Error::failed(format!(
        "{file}: {} record(s) in conflict; nothing was imported:\n  {}",
        conflicts.len(),
        lines.join("\n  ")
    ))
    .with_hint(
        "both copies changed these since they last met; choose which copy wins and import \
         again: --ours or --theirs for every conflict, or --ours RECORD / --theirs RECORD \
         (a UUID or key) for one (see docs/exchange.md, \"Conflicts\")",
    )
}

/// Merge a parsed file into the database behind `s`, a write session:
/// plan (field by field), refuse unresolved conflicts (exit 1), check, and
/// write. Returns what happened. Any refused record fails the whole merge
/// with an [`Error::invalid`] listing every refusal, before anything is
/// written.
#[allow(clippy::too_many_arguments)]
pub fn merge(
    s: &mut dyn Session,
    parsed: &Parsed,
    file: &str,
    settings: &Settings,
    from: Option<&Policy>,
    resolution: &Resolution,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let source = plan::Source {
        history: parsed.history,
        exporter: parsed.exported_by.as_deref(),
        remember_unknown: from.is_none_or(Policy::is_admin),
    };
    let plan = plan::Plan::new(
        &*s,
        &parsed.records,
        &parsed.revs,
        &parsed.deletions,
        &source,
        resolution,
        settings,
    )?;
    let mut unneeded = Vec::new();
    for (name, _) in &resolution.records {
        if plan.used.contains(name) {
            continue;
        }
        let named = |r: &RawRow| r.uuid == *name || plan::human_key(r).as_deref() == Some(name);
        let in_file = parsed.records.iter().any(named)
            || plan.locals.values().any(named)
            || parsed.deletions.iter().any(|t| t.uuid == *name)
            || plan.deleted.values().any(named);
        if !in_file {
            return Err(Error::invalid(format!(
                "--ours/--theirs {name}: no record of {file} has that UUID or key"
            ))
            .with_hint(
                "name a record in conflict by its UUID, or by its key (a goal's key, a handle)",
            ));
        }
        unneeded.push(name.clone());
    }
    if plan.unresolved().next().is_some() {
        return Err(conflicted(file, plan.unresolved()));
    }
    let refusals = checks::run(&*s, &plan, settings, from)?;
    if !refusals.is_empty() {
        return Err(refused(file, refusals));
    }
    let (mut summary, refusals) = apply::apply(s, &plan, progress)?;
    if !refusals.is_empty() {
        return Err(refused(file, refusals));
    }
    summary.unneeded = unneeded;
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
    parsed: &Parsed,
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
    parsed: &Parsed,
    shown: &str,
    settings: &Settings,
    from: &Policy,
    resolution: &Resolution,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let summary = merge(s, parsed, shown, settings, Some(from), resolution, progress)?;
    let t = summary.total();
    s.set_summary(&format!(
        "imported {shown}: {} inserted, {} updated, {} deleted, {} unchanged, {} conflicts resolved",
        t.inserted, t.updated, t.deleted, t.unchanged, t.conflicts
    ));
    Ok(summary)
}
