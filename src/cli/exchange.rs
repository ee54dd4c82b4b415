//! `export` and `import`: raw data exchange between yardstick files by UUID.

use super::ctx::Ctx;
use crate::app::access::Policy;
use crate::app::exchange::{write_checkins_csv, write_json};
use crate::app::merge::{self, Counts, Summary};
use crate::error::{Error, Result};
use crate::formats::exchange::{self, Header};
use crate::render::{Cell, Column, Doc, Format, Table};
use crate::store::WriteScope;
use crate::store::exchange::{Selection, TABLES};
use clap::Args;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(
    after_help = "Formats (the global --format, or the extension of -o):\n  \
json  the exchange format: every record with its UUID, for `yardstick import` (default)\n  \
csv   check-ins only, one row each, for spreadsheets (not importable)\n\n\
Private feedback is included: the file is yours. Exports are created 0600.\n\n\
Examples:\n  yardstick export -o everything.json\n  \
yardstick --as kim export --person kim --since 2026-11-01 -o kim.json\n  \
yardstick export --format csv -o checkins.csv"
)]
pub struct ExportArgs {
    /// Only records updated on or after this date (plus the records they refer to)
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only this person's own data: their person record, goals, measures,
    /// check-ins, feedback to or from them, reviews, outcomes (plus the
    /// records they refer to)
    #[arg(long, value_name = "HANDLE")]
    person: Option<String>,
    /// Include private feedback (left out by default)
    #[arg(long)]
    include_private: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Records are matched by UUID and merged field by field: an edit made on \
one side only is taken, and deletions travel. The same field edited on both sides since the \
copies last met, or a deletion on one side against an edit on the other, is a conflict: the \
import writes nothing, lists each one (exit 1), and is run again with --ours or --theirs \
(for every conflict, or for one record each). Every record to be written is checked first \
with the command line's rules; besides, no timestamp may lie in the future, nothing goes \
into a finalized cycle and a submitted review is final. A malformed file, or one with any \
refused record, is refused as a whole (exit 2): every refused record is listed, nothing is \
written. Importing the same file twice changes nothing; `yardstick undo` reverts an \
import.\n\n\
Examples:\n  yardstick import kim.json --dry-run\n  yardstick import kim.json\n  \
yardstick import kim.json --theirs q4-launch --ours"
)]
pub struct ImportArgs {
    /// The export file to merge (`-` reads standard input)
    file: PathBuf,
    /// Show what would change; write nothing
    #[arg(long)]
    dry_run: bool,
    /// Who the file comes from (default: the exporter it names); each change
    /// is checked against their permissions. An admin here may name the
    /// file's admin exporter to trust it as theirs; anyone else imports with
    /// their own permissions
    #[arg(long, value_name = "HANDLE")]
    from: Option<String>,
    /// Resolve conflicts for this database's copy: every conflict, or with
    /// RECORD (a UUID, or a goal's key, a handle, a period's or cycle's
    /// name; repeatable) that record's only
    #[arg(
        long,
        value_name = "RECORD",
        num_args = 0..=1,
        default_missing_value = "",
        action = clap::ArgAction::Append
    )]
    ours: Vec<String>,
    /// Resolve conflicts for the file's copy: every conflict, or with
    /// RECORD (repeatable) that record's only
    #[arg(
        long,
        value_name = "RECORD",
        num_args = 0..=1,
        default_missing_value = "",
        action = clap::ArgAction::Append
    )]
    theirs: Vec<String>,
}

/// The resolution the flags ask for.
fn resolution(a: &ImportArgs) -> Result<merge::Resolution> {
    let all_ours = a.ours.iter().any(String::is_empty);
    let all_theirs = a.theirs.iter().any(String::is_empty);
    if all_ours && all_theirs {
        return Err(
            Error::invalid("--ours and --theirs cannot both resolve every conflict")
                .with_hint("give one of them a RECORD, e.g. --theirs RECORD --ours"),
        );
    }
    let mut r = merge::Resolution {
        all: if all_ours {
            Some(merge::Side::Ours)
        } else if all_theirs {
            Some(merge::Side::Theirs)
        } else {
            None
        },
        records: Vec::new(),
    };
    for (names, side) in [
        (&a.ours, merge::Side::Ours),
        (&a.theirs, merge::Side::Theirs),
    ] {
        for name in names.iter().filter(|n| !n.is_empty()) {
            if r.records.iter().any(|(n, _)| n == name) {
                return Err(Error::invalid(format!(
                    "{name} is given to --ours and --theirs (or twice)"
                )));
            }
            r.records.push((name.clone(), side));
        }
    }
    Ok(r)
}

/// Map a write error; a closed pipe exits quietly.
fn write_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::broken_pipe()
    } else {
        Error::failed(format!("cannot write the export: {e}"))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Json,
    Csv,
}

fn export_format(ctx: &Ctx) -> Result<ExportFormat> {
    match ctx.format {
        Some(Format::Json) => Ok(ExportFormat::Json),
        Some(Format::Csv) => Ok(ExportFormat::Csv),
        Some(f) => Err(Error::invalid(format!("export does not write {f}"))
            .with_hint("use --format json (the exchange format) or --format csv (check-ins for spreadsheets)")),
        None => Ok(
            match ctx.output.as_deref().and_then(Format::from_extension) {
                Some(Format::Csv) => ExportFormat::Csv,
                _ => ExportFormat::Json,
            },
        ),
    }
}

/// `export`.
pub fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let format = export_format(ctx)?;
    let store = ctx.open_read()?;
    let policy = ctx.policy(&store)?;
    let session = store.read();
    let s = &*session;
    let since = match &a.since {
        Some(s) => Some(
            crate::time::parse_date(s, &ctx.clock)
                .map_err(|e| e.context("--since"))?
                .format("%Y-%m-%d")
                .to_string(),
        ),
        None => None,
    };
    let person = match &a.person {
        Some(h) => Some(crate::app::org::person_id(s, h)?),
        None => None,
    };
    let sel = Selection {
        since,
        person,
        include_private: a.include_private,
    };
    let header = Header {
        exported_at: ctx.now(),
        since: sel.since.clone(),
        person: a.person.clone(),
        exported_by: policy.handle().map(str::to_string),
        exported_by_admin: policy.is_admin(),
    };
    let held_back = std::cell::Cell::new(0usize);
    let write = |out: &mut dyn Write| -> Result<usize> {
        match format {
            ExportFormat::Json => {
                let (n, held) = write_json(s, &policy, &sel, &header, out, write_error)?;
                held_back.set(held);
                Ok(n)
            }
            ExportFormat::Csv => write_checkins_csv(s, &sel, out, ctx.bom, write_error),
        }
    };
    let what = match format {
        ExportFormat::Json => "record",
        ExportFormat::Csv => "check-in",
    };
    match &ctx.output {
        Some(path) => {
            let n = super::output::write_file(path, write)?;
            ctx.ui
                .note(format!("Exported {n} {what}(s) to {}.", path.display()));
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut out)?;
            out.flush().map_err(write_error)?;
        }
    }
    if held_back.get() > 0 {
        ctx.ui.note(format!(
            "Left out {} record(s) that are not {}'s to see (drafts, reviews and outcomes; see docs/security.md).",
            held_back.get(),
            policy.reader()
        ));
    }
    Ok(())
}

/// `import`.
pub fn import(ctx: &mut Ctx, a: ImportArgs) -> Result<()> {
    let shown = a.file.display().to_string();
    let resolution = resolution(&a)?;
    let parsed = read_import(&a.file, &shown)?;
    let mut settings = merge::Settings {
        clock: ctx.clock,
        percent_max: super::checkin::percent_max(ctx),
        actor: String::new(),
    };
    let bar = super::ui::Progress::new(&ctx.ui, "records");
    let mut tick = |done, total| bar.tick(done, total);
    let from = a.from.as_deref();
    let summary = if a.dry_run {
        let store = ctx.open_read()?;
        let importer = ctx.policy(&store)?;
        let source = merge::source(&*store.read(), &importer, &parsed, from)?;
        announce_source(ctx, &source, &parsed, from);
        settings.actor = ctx.op(&store)?.actor;
        store.rehearse(|s| {
            merge::import(
                s,
                &parsed,
                &shown,
                &settings,
                &source,
                &resolution,
                &mut tick,
            )
        })?
    } else {
        let mut store = ctx.open_write()?;
        let importer = ctx.policy(&store)?;
        let source = merge::source(&*store.read(), &importer, &parsed, from)?;
        announce_source(ctx, &source, &parsed, from);
        settings.actor = ctx.op(&store)?.actor;
        ctx.write(&mut store, WriteScope::Any, |s| {
            merge::import(
                s,
                &parsed,
                &shown,
                &settings,
                &source,
                &resolution,
                &mut tick,
            )
        })?
        .value
    };
    bar.finish();
    for c in &summary.conflicts {
        let kept = match c.resolved {
            Some(merge::Side::Ours) => "this database's copy kept (--ours)",
            Some(merge::Side::Theirs) => "the file's copy taken (--theirs)",
            None => "unresolved",
        };
        for line in c.lines() {
            ctx.ui.warn(format!("conflict: {line}: {kept}"));
        }
    }
    for name in &summary.unneeded {
        ctx.ui
            .note(format!("{name}: no conflict to resolve (--ours/--theirs)"));
    }
    ctx.ui.note(import_note(
        &summary,
        parsed.records.len(),
        &shown,
        a.dry_run,
    ));
    ctx.emit(&summary_doc(&summary, a.dry_run))
}

/// Say, before anything is written, whose permissions the import applies.
fn announce_source(ctx: &Ctx, source: &Policy, parsed: &exchange::Parsed, from: Option<&str>) {
    ctx.ui.note(format!(
        "Importing as {}{}: each change is checked against their permissions.",
        source.reader(),
        if source.is_admin() { " (an admin)" } else { "" }
    ));
    if from.is_none() && parsed.exported_by.is_none() && source.is_admin() {
        ctx.ui.note(
            "The file names no exporter; if it comes from someone else, \
             name them with --from HANDLE to check it against their permissions.",
        );
    }
}

/// Read and check an import file (`-` is standard input).
fn read_import(file: &Path, shown: &str) -> Result<exchange::Parsed> {
    if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Error::invalid(format!("cannot read standard input: {e}")))?;
        return exchange::parse(buf.as_slice(), "standard input");
    }
    let f = std::fs::File::open(file).map_err(|e| {
        Error::invalid(format!("cannot read {shown}: {e}")).with_hint("check the path")
    })?;
    exchange::parse(f, shown)
}

/// What an import says it did (or would do).
fn import_note(summary: &Summary, n: usize, shown: &str, dry_run: bool) -> String {
    let t = summary.total();
    if t.inserted + t.updated + t.deleted + t.conflicts == 0 {
        return format!(
            "No changes: the database already has the {n} record(s) of {shown}{}.",
            if t.conflicts > 0 {
                " (apart from the conflicts above)"
            } else {
                ""
            }
        );
    }
    format!(
        "{shown}: {} record(s) {} added, {} updated and {} deleted; {} unchanged, {} conflict(s) resolved{}.",
        t.inserted,
        if dry_run { "would be" } else { "were" },
        t.updated,
        t.deleted,
        t.unchanged,
        t.conflicts,
        if dry_run {
            " (dry run, nothing written)"
        } else {
            "; `yardstick undo` reverts the import"
        }
    )
}

fn summary_doc(s: &Summary, dry_run: bool) -> Doc {
    let mut t = Table::new(
        "summary",
        vec![
            Column::new("table", "Table"),
            Column::new("inserted", "Inserted"),
            Column::new("updated", "Updated"),
            Column::new("deleted", "Deleted"),
            Column::new("unchanged", "Unchanged"),
            Column::new("conflicts", "Conflicts"),
        ],
    );
    let count = |n: usize| Cell::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let row = |name: &str, c: &Counts| {
        vec![
            Cell::from(name),
            count(c.inserted),
            count(c.updated),
            count(c.deleted),
            count(c.unchanged),
            count(c.conflicts),
        ]
    };
    for (def, c) in TABLES.iter().zip(&s.tables) {
        if c.total() > 0 {
            t.push(row(def.name, c));
        }
    }
    t.push(row("total", &s.total()));
    let opt = |v: &Option<String>| Cell::from(v.as_deref().unwrap_or(""));
    let mut conflicts = Table::new(
        "conflicts",
        vec![
            Column::new("record", "Record"),
            Column::new("table", "Table"),
            Column::new("uuid", "UUID"),
            Column::new("key", "Key"),
            Column::new("field", "Field"),
            Column::new("here", "Here"),
            Column::new("file", "File"),
            Column::new("kept", "Kept"),
        ],
    )
    .with_title("Conflicts");
    for c in &s.conflicts {
        let side = |v: &Option<merge::Shown>| match v {
            Some(v) => v.to_string(),
            None => "deleted".into(),
        };
        let kept = c.resolved.map_or("", merge::Side::as_str);
        let mut rows: Vec<(String, String, String)> = c
            .fields
            .iter()
            .map(|f| (f.field.to_string(), side(&f.ours), side(&f.theirs)))
            .collect();
        if rows.is_empty() {
            let there = c.deleted.as_ref().is_some_and(|d| d.0);
            let (here, file) = if there {
                ("kept".to_string(), "deleted".to_string())
            } else {
                ("deleted".to_string(), "kept".to_string())
            };
            rows.push((String::new(), here, file));
        }
        for (field, here, file) in rows {
            conflicts.push(vec![
                count(c.index),
                Cell::from(c.table),
                Cell::from(c.uuid.as_str()),
                opt(&c.key),
                Cell::from(field.as_str()),
                Cell::from(here.as_str()),
                Cell::from(file.as_str()),
                Cell::from(kept),
            ]);
        }
    }
    let mut changes = Table::new(
        "changes",
        vec![
            Column::new("record", "Record"),
            Column::new("table", "Table"),
            Column::new("uuid", "UUID"),
            Column::new("key", "Key"),
            Column::new("field", "Field"),
            Column::new("before", "Before"),
            Column::new("after", "After"),
        ],
    )
    .with_title("Changes");
    for c in &s.changes {
        changes.push(vec![
            count(c.index),
            Cell::from(c.table),
            Cell::from(c.uuid.as_str()),
            opt(&c.key),
            Cell::from(c.field),
            Cell::from(c.before.as_str()),
            Cell::from(c.after.as_str()),
        ]);
    }
    let mut doc = Doc::table("import", t);
    if dry_run && !s.changes.is_empty() {
        doc = doc.with_table(changes);
    }
    if !s.conflicts.is_empty() {
        doc = doc.with_table(conflicts);
    }
    doc
}
