//! `backup` and `doctor`: looking after the database file.

use super::ctx::Ctx;
use crate::error::{Error, Result};
use crate::render::{Cell, Column, Doc, Format, Record, Table};
use crate::store::maintenance::{self, Health};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (0600); an existing file is never overwritten
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Arguments of `doctor` (none besides the global options).
#[derive(Debug, Args)]
pub struct DoctorArgs {}

/// `yardstick backup FILE`.
pub fn backup(ctx: &mut Ctx, a: BackupArgs) -> Result<()> {
    let source = ctx.db.0.clone();
    let bar = super::ui::progress_bar(&ctx.ui, "pages");
    let info = maintenance::backup(&source, &a.file, ctx.busy_timeout, |done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let info = info?;
    ctx.ui.note(format!(
        "Backed up {} to {} ({} pages, {} bytes; readable only by you; integrity check ok).",
        source.display(),
        a.file.display(),
        info.pages,
        info.bytes
    ));
    let record = Record::new("backup")
        .field("source", "Source", source.display().to_string())
        .field("file", "Backup", a.file.display().to_string())
        .field("pages", "Pages", to_i64(info.pages))
        .field("bytes", "Bytes", to_i64(info.bytes))
        .field("integrity_check", "Integrity check", "ok");
    ctx.emit_if_asked(&Doc::record("backup", record))
}

/// `yardstick doctor`.
pub fn doctor(ctx: &mut Ctx, _a: DoctorArgs) -> Result<()> {
    let path = ctx.db.0.clone();
    let health = maintenance::doctor(&path, ctx.busy_timeout)?;
    let doc = report(&path.display().to_string(), &health);
    // Flat formats hold one table: give them the checks, not the row counts.
    let doc = match ctx.format()? {
        Format::Csv | Format::Tsv | Format::Jsonl => Doc {
            parts: doc.parts.into_iter().take(1).collect(),
            ..doc
        },
        _ => doc,
    };
    ctx.emit(&doc)?;
    if health.healthy() {
        return Ok(());
    }
    let mut problems = Vec::new();
    if !health.integrity_ok() {
        let shown: Vec<&str> = health
            .integrity
            .iter()
            .take(3)
            .map(String::as_str)
            .collect();
        let more = match health.integrity.len().saturating_sub(shown.len()) {
            0 => String::new(),
            n => format!(" (and {n} more problem(s) in the report)"),
        };
        problems.push(format!("integrity check: {}{more}", shown.join("; ")));
    }
    match &health.foreign_key_violations {
        Ok(0) => {}
        Ok(n) => problems.push(format!("{n} foreign-key violation(s)")),
        Err(e) => problems.push(format!("foreign-key check failed: {e}")),
    }
    if !health.application_id_ok {
        problems.push("not a yardstick application id".into());
    }
    for t in &health.tables {
        if let Err(e) = &t.rows {
            problems.push(format!("table {} cannot be read: {e}", t.name));
        }
    }
    if let Err(e) = &health.operations {
        problems.push(format!("the operation log cannot be read: {e}"));
    }
    Err(Error::database(format!(
        "the database {} is damaged: {}",
        path.display(),
        problems.join("; ")
    ))
    .with_hint(
        "yardstick did not change it; keep a copy of the file, restore the latest backup \
         (see docs/maintenance.md), and do not write to the damaged file",
    ))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The report: one record of checks, one table of row counts.
fn report(path: &str, h: &Health) -> Doc {
    let integrity = if h.integrity_ok() {
        "ok".to_string()
    } else {
        h.integrity.join("\n")
    };
    let schema_status = if h.schema_version == h.schema_expected {
        "current"
    } else if h.schema_version < h.schema_expected {
        "older (upgraded by the next write)"
    } else {
        "newer than this build"
    };
    let (ops, undone) = match h.operations {
        Ok((n, u)) => (Cell::Int(n), Cell::Int(u)),
        Err(_) => (Cell::Null, Cell::Null),
    };
    let fk = match h.foreign_key_violations {
        Ok(n) => Cell::Int(n),
        Err(_) => Cell::Null,
    };
    let record = Record::new("doctor")
        .with_title("Database health")
        .field("path", "File", path)
        .field("size_bytes", "Size (bytes)", to_i64(h.size))
        .field("healthy", "Healthy", h.healthy())
        .field("schema_version", "Schema version", h.schema_version)
        .field(
            "schema_version_supported",
            "This build's schema version",
            h.schema_expected,
        )
        .field("schema_status", "Schema", Cell::status(schema_status))
        .field(
            "application_id_ok",
            "Application id ok",
            h.application_id_ok,
        )
        .field("journal_mode", "Journal mode", h.journal_mode.as_str())
        .field("synchronous", "Synchronous", h.synchronous.as_str())
        .field("foreign_keys", "Foreign keys", h.foreign_keys)
        .field("secure_delete", "Secure delete", h.secure_delete)
        .field("busy_timeout_ms", "Busy timeout (ms)", h.busy_timeout_ms)
        .field("page_size", "Page size", h.page_size)
        .field("page_count", "Pages", h.page_count)
        .field("freelist_count", "Free pages", h.freelist_count)
        .field(
            "sqlite_version",
            "SQLite version",
            h.sqlite_version.as_str(),
        )
        .field("integrity_check", "Integrity check", integrity)
        .field("foreign_key_violations", "Foreign-key violations", fk)
        .field("operations", "Operations in the log", ops)
        .field("operations_undone", "Operations undone", undone);
    let mut tables = Table::new(
        "tables",
        vec![
            Column::new("table", "Table"),
            Column::new("rows", "Rows"),
            Column::new("error", "Error"),
        ],
    )
    .with_title("Rows per table");
    for t in &h.tables {
        match &t.rows {
            Ok(n) => tables.push(vec![t.name.as_str().into(), Cell::Int(*n), Cell::Null]),
            Err(e) => tables.push(vec![t.name.as_str().into(), Cell::Null, e.as_str().into()]),
        }
    }
    Doc::new("doctor").with_record(record).with_table(tables)
}
