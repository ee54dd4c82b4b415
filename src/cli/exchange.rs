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
    after_help = "Records are matched by UUID: a new one is added, a newer one \
(by updated_at) replaces the local copy, an older or equally old one that differs is a \
conflict and the local copy is kept. Every record to be written is checked first with the \
command line's rules; besides, no timestamp may lie in the future, nothing goes into a \
finalized cycle and a submitted review is final. A malformed file, or one with any refused \
record, is refused as a whole (exit 2): every refused record is listed, nothing is written. \
Importing the same file twice changes nothing; `yardstick undo` reverts an import.\n\n\
Examples:\n  yardstick import kim.json --dry-run\n  yardstick import kim.json"
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
    let parsed = read_import(&a.file, &shown)?;
    let settings = merge::Settings {
        clock: ctx.clock,
        percent_max: super::checkin::percent_max(ctx),
    };
    let bar = super::ui::Progress::new(&ctx.ui, "records");
    let mut tick = |done, total| bar.tick(done, total);
    let from = a.from.as_deref();
    let summary = if a.dry_run {
        let store = ctx.open_read()?;
        let importer = ctx.policy(&store)?;
        let source = merge::source(&*store.read(), &importer, &parsed, from)?;
        announce_source(ctx, &source, &parsed, from);
        store.rehearse(|s| merge::import(s, &parsed, &shown, &settings, &source, &mut tick))?
    } else {
        let mut store = ctx.open_write()?;
        let importer = ctx.policy(&store)?;
        let source = merge::source(&*store.read(), &importer, &parsed, from)?;
        announce_source(ctx, &source, &parsed, from);
        ctx.write(&mut store, WriteScope::Any, |s| {
            merge::import(s, &parsed, &shown, &settings, &source, &mut tick)
        })?
        .value
    };
    bar.finish();
    for c in &summary.conflicts {
        ctx.ui.warn(format!(
            "conflict: record {} ({} {}): {}",
            c.index, c.table, c.uuid, c.reason
        ));
    }
    ctx.ui.note(import_note(
        &summary,
        parsed.records.len(),
        &shown,
        a.dry_run,
    ));
    ctx.emit(&summary_doc(&summary))
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
    if t.inserted + t.updated == 0 {
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
        "{shown}: {} record(s) {} added and {} updated; {} unchanged, {} conflict(s){}.",
        t.inserted,
        if dry_run { "would be" } else { "were" },
        t.updated,
        t.unchanged,
        t.conflicts,
        if dry_run {
            " (dry run, nothing written)"
        } else {
            "; `yardstick undo` reverts the import"
        }
    )
}

fn summary_doc(s: &Summary) -> Doc {
    let mut t = Table::new(
        "summary",
        vec![
            Column::new("table", "Table"),
            Column::new("inserted", "Inserted"),
            Column::new("updated", "Updated"),
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
    let mut conflicts = Table::new(
        "conflicts",
        vec![
            Column::new("record", "Record"),
            Column::new("table", "Table"),
            Column::new("uuid", "UUID"),
            Column::new("kept", "Kept"),
            Column::new("reason", "Reason"),
        ],
    )
    .with_title("Conflicts");
    for c in &s.conflicts {
        conflicts.push(vec![
            count(c.index),
            Cell::from(c.table),
            Cell::from(c.uuid.as_str()),
            Cell::from(c.kept),
            Cell::from(c.reason.as_str()),
        ]);
    }
    let doc = Doc::table("import", t);
    if s.conflicts.is_empty() {
        doc
    } else {
        doc.with_table(conflicts)
    }
}
