//! `backup` and `doctor`: looking after the database file.

use super::ctx::Ctx;
use super::views::org as views;
use crate::error::{Error, Result};
use crate::render::{Doc, Format, Record};
use crate::store::maintenance;
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
    if crate::store::is_url(&source) {
        return Err(Error::failed(format!(
            "`backup` copies a database file; {} is a PostgreSQL server",
            crate::store::shown(&source)
        ))
        .with_hint(format!(
            "back a server up with its own tools: pg_dump --format=custom --file={} '{}' (see README, Team server)",
            a.file.display(),
            crate::store::shown(&source)
        )));
    }
    if let Some(what) = super::output::database_part(&a.file, &source) {
        return Err(Error::invalid(format!(
            "refusing to back up into {}: it is {what} ({})",
            a.file.display(),
            source.display()
        ))
        .with_hint("a backup is a new file; choose another name"));
    }
    if let Some(out) = ctx
        .output
        .as_deref()
        .filter(|out| super::output::same_place(out, &a.file))
    {
        return Err(Error::invalid(format!(
            "refusing to write {}: it is the backup itself, which -o would overwrite with its summary",
            out.display()
        ))
        .with_hint("give -o another file name, or leave it out"));
    }
    let bar = super::ui::Progress::new(&ctx.ui, "pages");
    let info = maintenance::backup(&source, &a.file, ctx.busy_timeout, |done, total| {
        bar.tick(done, total)
    });
    bar.finish();
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
    if crate::store::is_url(&path) {
        return super::server::doctor(ctx);
    }
    let health = maintenance::doctor(&path, ctx.busy_timeout)?;
    let doc = views::doctor(&path.display().to_string(), &health);
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
    let problems = health.problems();
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
